"""Full-text search over cases.

Every case's search document starts with its case number, so one search finds a case by number
or by words from its data. On PostgreSQL the database keeps a generated ``tsvector`` column of the
document (German configuration) with a GIN index; it is maintained by the database on every
write and is not a model field. SQLite searches the document with LIKE.
"""

from django.db import migrations

VECTOR = (
    "ALTER TABLE cases_case ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('german'::regconfig, search_text)) STORED"
)
INDEX = "CREATE INDEX case_search_vector ON cases_case USING gin (search_vector)"


def forwards(apps, schema_editor):
    schema_editor.execute(
        "UPDATE cases_case SET search_text = LOWER(number) || ' ' || search_text"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VECTOR)
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case DROP COLUMN search_vector")
    schema_editor.execute(
        "UPDATE cases_case SET search_text = SUBSTR(search_text, LENGTH(number) + 2) "
        "WHERE SUBSTR(search_text, 1, LENGTH(number) + 1) = LOWER(number) || ' '"
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_documentrequest_caseupload")]

    operations = [migrations.RunPython(forwards, backwards)]

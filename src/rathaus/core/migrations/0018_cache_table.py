"""The table of Django's database cache, rathaus_cache (docs/caching.md).

It is the cache itself when RATHAUS_CACHE_URL is empty, and the fallback while a Redis server is
unreachable. The columns are those of ``manage.py createcachetable`` (cache_key, value,
expires), written out here so that the migration does not change with later code; created
through the schema editor, so on SQLite and PostgreSQL alike.
"""

from django.db import migrations, models

TABLE = "rathaus_cache"


def create_cache_table(apps, schema_editor):
    connection = schema_editor.connection
    if TABLE in connection.introspection.table_names():
        return  # made earlier by `createcachetable`
    quote = connection.ops.quote_name
    columns = (
        models.CharField(name="cache_key", max_length=255, primary_key=True),
        models.TextField(name="value"),
        models.DateTimeField(name="expires"),
    )
    definitions = [
        f"{quote(column.name)} {column.db_type(connection=connection)} NOT NULL"
        + (" PRIMARY KEY" if column.primary_key else "")
        for column in columns
    ]
    schema_editor.execute(f"CREATE TABLE {quote(TABLE)} ({', '.join(definitions)})")
    schema_editor.execute(
        f"CREATE INDEX {quote(TABLE + '_expires')} ON {quote(TABLE)} ({quote('expires')})"
    )


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE {schema_editor.connection.ops.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0017_authority_state")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table, elidable=False)]

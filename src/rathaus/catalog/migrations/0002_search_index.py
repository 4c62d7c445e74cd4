"""The full-text index of services: FTS5 on SQLite, a generated tsvector on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE catalog_service_fts USING fts5("
    "search_name, search_extra, content='catalog_service', content_rowid='id', "
    "tokenize='unicode61', prefix='2 3 4')",
    "CREATE TRIGGER catalog_service_fts_ai AFTER INSERT ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(rowid, search_name, search_extra) "
    "VALUES (new.id, new.search_name, new.search_extra); END",
    "CREATE TRIGGER catalog_service_fts_ad AFTER DELETE ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(catalog_service_fts, rowid, search_name, search_extra) "
    "VALUES ('delete', old.id, old.search_name, old.search_extra); END",
    "CREATE TRIGGER catalog_service_fts_au AFTER UPDATE ON catalog_service BEGIN "
    "INSERT INTO catalog_service_fts(catalog_service_fts, rowid, search_name, search_extra) "
    "VALUES ('delete', old.id, old.search_name, old.search_extra); "
    "INSERT INTO catalog_service_fts(rowid, search_name, search_extra) "
    "VALUES (new.id, new.search_name, new.search_extra); END",
    "INSERT INTO catalog_service_fts(catalog_service_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_service_fts_au",
    "DROP TRIGGER IF EXISTS catalog_service_fts_ad",
    "DROP TRIGGER IF EXISTS catalog_service_fts_ai",
    "DROP TABLE IF EXISTS catalog_service_fts",
]
POSTGRES_FORWARD = [
    "ALTER TABLE catalog_service ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', search_name), 'A') || "
    "setweight(to_tsvector('simple', search_extra), 'B')) STORED",
    "CREATE INDEX catalog_service_search_vector ON catalog_service USING gin (search_vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS catalog_service_search_vector",
    "ALTER TABLE catalog_service DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no full-text index for {schema_editor.connection.vendor}; "
                "rathaus supports SQLite and PostgreSQL"
            )
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

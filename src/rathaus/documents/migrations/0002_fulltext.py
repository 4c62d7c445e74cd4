"""The search index of the e-file (ADR 0043): one row per document, kept by the database.

Each row holds the file number, the document's title and sender and the text of the document's
newest version whose text was read (``text_status = 'done'``). Triggers on documents, versions
and files keep it in step with every write, whichever code makes it. SQLite keeps the row in an
FTS5 table (rowid = document id); PostgreSQL in a table with a generated ``tsvector`` (German
configuration; the file number split into its parts with the ``simple`` one) and a GIN index.
The table is not a model: only ``documents/search.py`` reads it.
"""

from django.db import migrations

# The newest version of document {doc} whose text was read.
_NEWEST = (
    "SELECT {column} FROM documents_version v WHERE v.document_id = {doc} "
    "AND v.text_status = 'done' ORDER BY v.number DESC LIMIT 1"
)


_SQLITE_ROWS = (
    "INSERT INTO documents_search(rowid, number, title, sender, body, version_id) "
    "SELECT d.id, f.number, d.title, d.sender, "
    f"COALESCE(({_NEWEST.format(column='v.text', doc='d.id')}), ''), "
    f"({_NEWEST.format(column='v.id', doc='d.id')}) "
    "FROM documents_document d JOIN documents_file f ON f.id = d.file_id"
)


def _sqlite_refresh(doc: str) -> str:
    """Statements that write document {doc}'s row anew (none if the document is gone)."""
    return f"DELETE FROM documents_search WHERE rowid = {doc}; {_SQLITE_ROWS} WHERE d.id = {doc};"


SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE documents_search USING fts5("
    "number, title, sender, body, version_id UNINDEXED, "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER documents_search_document_ai AFTER INSERT ON documents_document BEGIN "
    f"{_sqlite_refresh('new.id')} END",
    "CREATE TRIGGER documents_search_document_au AFTER UPDATE OF title, sender, file_id "
    f"ON documents_document BEGIN {_sqlite_refresh('new.id')} END",
    "CREATE TRIGGER documents_search_document_ad AFTER DELETE ON documents_document BEGIN "
    "DELETE FROM documents_search WHERE rowid = old.id; END",
    "CREATE TRIGGER documents_search_version_ai AFTER INSERT ON documents_version "
    f"WHEN new.text_status = 'done' BEGIN {_sqlite_refresh('new.document_id')} END",
    "CREATE TRIGGER documents_search_version_au AFTER UPDATE OF text, text_status "
    f"ON documents_version BEGIN {_sqlite_refresh('new.document_id')} END",
    "CREATE TRIGGER documents_search_version_ad AFTER DELETE ON documents_version BEGIN "
    f"{_sqlite_refresh('old.document_id')} END",
    "CREATE TRIGGER documents_search_file_au AFTER UPDATE OF number ON documents_file BEGIN "
    "UPDATE documents_search SET number = new.number WHERE rowid IN "
    "(SELECT id FROM documents_document WHERE file_id = new.id); END",
    _SQLITE_ROWS,
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS documents_search_{name}"
        for name in (
            "document_ai", "document_au", "document_ad",
            "version_ai", "version_au", "version_ad", "file_au",
        )  # fmt: skip
    ),
    "DROP TABLE IF EXISTS documents_search",
]

POSTGRES_FORWARD = [
    "CREATE TABLE documents_search ("
    "document_id bigint PRIMARY KEY, version_id bigint NULL, number text NOT NULL, "
    "title text NOT NULL, sender text NOT NULL, body text NOT NULL, "
    "vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, "
    "regexp_replace(number, '[^[:alnum:]]+', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('german'::regconfig, title), 'A') || "
    "setweight(to_tsvector('german'::regconfig, sender), 'B') || "
    "setweight(to_tsvector('german'::regconfig, body), 'C')) STORED)",
    "CREATE INDEX documents_search_vector ON documents_search USING gin (vector)",
    "CREATE FUNCTION documents_search_refresh(doc bigint) RETURNS void LANGUAGE sql AS $$ "
    "DELETE FROM documents_search WHERE document_id = doc "
    "AND NOT EXISTS (SELECT 1 FROM documents_document WHERE id = doc); "
    "INSERT INTO documents_search (document_id, version_id, number, title, sender, body) "
    "SELECT d.id, v.id, f.number, d.title, d.sender, COALESCE(v.text, '') "
    "FROM documents_document d JOIN documents_file f ON f.id = d.file_id "
    "LEFT JOIN LATERAL (SELECT v.id, v.text FROM documents_version v "
    "WHERE v.document_id = d.id AND v.text_status = 'done' "
    "ORDER BY v.number DESC LIMIT 1) v ON true WHERE d.id = doc "
    "ON CONFLICT (document_id) DO UPDATE SET version_id = excluded.version_id, "
    "number = excluded.number, title = excluded.title, sender = excluded.sender, "
    "body = excluded.body; $$",
    "CREATE FUNCTION documents_search_document() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN "
    "DELETE FROM documents_search WHERE document_id = OLD.id; RETURN OLD; END IF; "
    "PERFORM documents_search_refresh(NEW.id); RETURN NEW; END $$",
    "CREATE FUNCTION documents_search_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF TG_OP = 'DELETE' THEN PERFORM documents_search_refresh(OLD.document_id); "
    "RETURN OLD; END IF; "
    "PERFORM documents_search_refresh(NEW.document_id); RETURN NEW; END $$",
    "CREATE FUNCTION documents_search_file() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN UPDATE documents_search SET number = NEW.number WHERE document_id IN "
    "(SELECT id FROM documents_document WHERE file_id = NEW.id); RETURN NEW; END $$",
    "CREATE TRIGGER documents_search_document_aid AFTER INSERT OR DELETE ON documents_document "
    "FOR EACH ROW EXECUTE FUNCTION documents_search_document()",
    "CREATE TRIGGER documents_search_document_au AFTER UPDATE OF title, sender, file_id "
    "ON documents_document FOR EACH ROW EXECUTE FUNCTION documents_search_document()",
    "CREATE TRIGGER documents_search_version_ai AFTER INSERT ON documents_version "
    "FOR EACH ROW WHEN (NEW.text_status = 'done') EXECUTE FUNCTION documents_search_version()",
    "CREATE TRIGGER documents_search_version_au AFTER UPDATE OF text, text_status OR DELETE "
    "ON documents_version FOR EACH ROW EXECUTE FUNCTION documents_search_version()",
    "CREATE TRIGGER documents_search_file_au AFTER UPDATE OF number ON documents_file "
    "FOR EACH ROW EXECUTE FUNCTION documents_search_file()",
    "SELECT documents_search_refresh(id) FROM documents_document",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS documents_search_file_au ON documents_file",
    "DROP TRIGGER IF EXISTS documents_search_version_au ON documents_version",
    "DROP TRIGGER IF EXISTS documents_search_version_ai ON documents_version",
    "DROP TRIGGER IF EXISTS documents_search_document_au ON documents_document",
    "DROP TRIGGER IF EXISTS documents_search_document_aid ON documents_document",
    "DROP FUNCTION IF EXISTS documents_search_file()",
    "DROP FUNCTION IF EXISTS documents_search_version()",
    "DROP FUNCTION IF EXISTS documents_search_document()",
    "DROP FUNCTION IF EXISTS documents_search_refresh(bigint)",
    "DROP TABLE IF EXISTS documents_search",
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
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

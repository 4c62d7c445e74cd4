"""The database part of a backup: a consistent copy, and what the manifest records about it.

Row counts, the stored files and the audit key ids are read from the copy itself (SQLite) or in
the transaction whose snapshot pg_dump copies (PostgreSQL), so the manifest describes exactly the
data in the backup, however busy the instance is.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from rathaus.core.backup.manifest import BackupError
from rathaus.core.models import AuditEvent, StoredFile

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


@dataclass
class Snapshot:
    """What the copied database holds, as the manifest records it."""

    tables: dict[str, int] = field(default_factory=dict)
    migrations: list[str] = field(default_factory=list)
    # key -> (size, sha256) of every blob a stored file names
    blobs: dict[str, tuple[int, str]] = field(default_factory=dict)
    audit_key_ids: list[str] = field(default_factory=list)


def vendor() -> str:
    return connections[DEFAULT_DB_ALIAS].vendor


def settings_dict() -> dict[str, Any]:
    return dict(connections[DEFAULT_DB_ALIAS].settings_dict)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_snapshot(cursor: Any, tables: list[str]) -> Snapshot:
    """Row counts and the rest, read through ``cursor`` (a DB-API cursor on the copy)."""
    snapshot = Snapshot()
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (a table name)
        snapshot.tables[table] = int(cursor.fetchone()[0])
    if "django_migrations" in snapshot.tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        snapshot.migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    stored = StoredFile._meta.db_table
    if stored in snapshot.tables:
        cursor.execute(
            f"SELECT key, MAX(size), MAX(sha256) FROM {quote(stored)} GROUP BY key ORDER BY key"  # noqa: S608
        )
        snapshot.blobs = {key: (int(size), sha) for key, size, sha in cursor.fetchall()}
    events = AuditEvent._meta.db_table
    if events in snapshot.tables:
        cursor.execute(
            f"SELECT DISTINCT key_id FROM {quote(events)} WHERE key_id <> '' ORDER BY key_id"  # noqa: S608
        )
        snapshot.audit_key_ids = [row[0] for row in cursor.fetchall()]
    return snapshot


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [row[0] for row in rows]


def sqlite_copy(target: Path) -> Snapshot:
    """Copy the live SQLite database with the online backup API (one consistent read)."""
    source_name = settings_dict()["NAME"]
    if not Path(source_name).is_file():
        raise BackupError(f"the SQLite database {source_name} does not exist")
    source = sqlite3.connect(source_name, timeout=60)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # The copy stands alone: no -wal/-shm files beside it in the backup.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"copying the SQLite database {source_name} failed: {exc}") from None
    finally:
        source.close()
    return sqlite_read(target)


def sqlite_read(path: Path) -> Snapshot:
    """The snapshot of an SQLite file (a backup copy or a restored one), read only."""
    connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        problems = connection.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise BackupError(f"{path.name}: SQLite finds it damaged: {problems[:3]}")
        return read_snapshot(connection.cursor(), _sqlite_tables(connection))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name}: not a readable SQLite database: {exc}") from None
    finally:
        connection.close()


def sqlite_target() -> Path:
    return Path(settings_dict()["NAME"])


def sqlite_tables_in_target() -> list[str]:
    """Tables in this instance's SQLite database, read without creating the file."""
    path = sqlite_target()
    if not path.exists() or path.stat().st_size == 0:
        return []
    connection = sqlite3.connect(path, timeout=60)
    try:
        return _sqlite_tables(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"this instance's database {path} cannot be read: {exc}") from None
    finally:
        connection.close()


def sqlite_replace(staged: Path) -> None:
    """Put a checked copy in place of the (empty) database file of this instance."""
    target = sqlite_target()
    connections.close_all()
    # Leftovers of the empty database; a stale -wal beside the new file would corrupt it.
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged, target)

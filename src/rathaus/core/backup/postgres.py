"""PostgreSQL: pg_dump's custom format from an exported snapshot, pg_restore in one transaction.

The client programs come from ``RATHAUS_PG_BINDIR``, else PATH, else the newest
``/usr/lib/postgresql/*/bin`` (as ``scripts/with_postgres.py`` finds the server). Connection
details go to them in ``PG*`` environment variables, so no password appears in a process list.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from rathaus.core.backup.database import Snapshot, read_snapshot, settings_dict
from rathaus.core.backup.manifest import BackupError


def program(name: str) -> str:
    """The path of a PostgreSQL client program (pg_dump, pg_restore)."""
    if settings.RATHAUS_PG_BINDIR:
        path = Path(settings.RATHAUS_PG_BINDIR) / name
        if not path.is_file():
            raise BackupError(f"RATHAUS_PG_BINDIR={settings.RATHAUS_PG_BINDIR} has no {name}")
        return str(path)
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.parent.name)],
    )
    if versions:
        return str(versions[-1])
    raise BackupError(
        f"{name} not found: install the PostgreSQL client programs (Debian: postgresql-client) "
        "or set RATHAUS_PG_BINDIR"
    )


def _environment(database: dict[str, Any], name: str | None = None) -> dict[str, str]:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    pairs = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": name or database.get("NAME"),
        "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode"),
    }
    env.update({key: str(value) for key, value in pairs.items() if value})
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as exc:
        raise BackupError(f"{what}: cannot start {command[0]}: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-5:]
        raise BackupError(f"{what} failed (exit {done.returncode}): {' / '.join(detail)}")


@contextmanager
def _own_connection(name: str | None = None) -> Iterator[BaseDatabaseWrapper]:
    """A connection of its own (not the caller's, which may be inside a transaction)."""
    wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
    if name:
        wrapper.settings_dict = {**wrapper.settings_dict, "NAME": name}
    try:
        yield wrapper
    finally:
        wrapper.close()


def _tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def dump(target: Path) -> Snapshot:
    """pg_dump the database as of one snapshot, and count its rows in that same snapshot."""
    database = settings_dict()
    with _own_connection() as wrapper, wrapper.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        command = [program("pg_dump"), "--format=custom", f"--snapshot={snapshot_id}",
                   f"--file={target}"]  # fmt: skip
        _run(command, _environment(database), "pg_dump")
        snapshot = read_snapshot(cursor, _tables(cursor))
        cursor.execute("COMMIT")
    return snapshot


def tables_in_target() -> list[str]:
    with _own_connection() as wrapper, wrapper.cursor() as cursor:
        return _tables(cursor)


def restore_into(dump_file: Path, name: str | None = None) -> Snapshot:
    """pg_restore into an empty database in one transaction (all or nothing); its snapshot."""
    database = settings_dict()
    target = name or database["NAME"]
    command = [program("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction",
               "--exit-on-error", f"--dbname={target}", str(dump_file)]  # fmt: skip
    _run(command, _environment(database, target), "pg_restore")
    with _own_connection(target) as wrapper, wrapper.cursor() as cursor:
        return read_snapshot(cursor, _tables(cursor))


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new, empty database on the configured server, dropped afterwards."""
    name = f"rathaus_verify_{secrets.token_hex(6)}"
    with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with connections[DEFAULT_DB_ALIAS]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

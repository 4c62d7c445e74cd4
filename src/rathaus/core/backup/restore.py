"""``rathaus restore DIR`` into an empty instance, and ``rathaus backup --verify DIR``.

Everything that can refuse a restore is checked before anything is written: every file's
checksum, the migrations, the audit keys, that this instance is empty, that the object store
holds the listed objects. Then the stored files are staged, the database is restored as one unit
(SQLite: a checked copy renamed into place; PostgreSQL: pg_restore in one transaction), and only
then are the staged files and the audit checkpoints moved into place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from rathaus.core import audit
from rathaus.core.backup import database, files, postgres
from rathaus.core.backup.create import CHECKPOINT_FILE
from rathaus.core.backup.manifest import BackupError, Progress, check_files, read


def _load(directory: Path, progress: Progress) -> dict[str, Any]:
    directory = Path(directory)
    manifest = read(directory)
    check_files(directory, manifest, progress)
    name = manifest["database"]["file"]
    if name not in manifest["files"]:
        raise BackupError(f"{name}: the database copy is not in the manifest (partial backup)")
    return manifest


def compare(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """The tables whose row counts differ, as readable lines."""
    differences = []
    for table in sorted(set(expected) | set(found)):
        if expected.get(table) != found.get(table):
            differences.append(
                f"{table}: {expected.get(table, 'no table')} rows in the manifest, "
                f"{found.get(table, 'no table')} restored"
            )
    return differences


def _check_migrations(manifest: dict[str, Any]) -> None:
    known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
    unknown = [name for name in manifest["migrations"] if name not in known]
    if unknown:
        raise BackupError(
            f"the backup was made by a newer rathaus: {len(unknown)} migration(s) unknown here, "
            f"e.g. {unknown[0]}; install that version (or newer) first"
        )


def _check_audit_keys(manifest: dict[str, Any]) -> None:
    configured = audit.audit_keys()
    missing = [key_id for key_id in manifest["audit"]["key_ids"] if key_id not in configured]
    if missing:
        raise BackupError(
            f"the audit log was written with the audit key {missing[0]}, which is not configured "
            "here: set RATHAUS_AUDIT_KEY_FILE (or RATHAUS_AUDIT_KEY) to the keys of the backed-up "
            "instance, or, where it had none, the same RATHAUS_SECRET_KEY (a demo keeps it in "
            "the file secret-key of its data directory); they are not in the backup"
        )


def _checkpoints_in_target() -> bool:
    """True if the checkpoint file anchors entries (or holds lines of another key)."""
    return any(found is None or found["entries"] for _n, found in audit.read_checkpoints())


def _check_target_empty(vendor: str) -> None:
    if database.vendor() != vendor:
        raise BackupError(
            f"the backup holds a {vendor} database; this instance uses {database.vendor()} "
            "(RATHAUS_DATABASE_URL)"
        )
    tables = (
        database.sqlite_tables_in_target() if vendor == "sqlite" else postgres.tables_in_target()
    )
    if tables:
        raise BackupError(
            f"this instance's database is not empty ({len(tables)} tables, e.g. {tables[0]}): "
            "restore only into a new, empty database (do not run migrate first)"
        )
    if files.target_has_files():
        raise BackupError("this instance's file store is not empty (media/blobs holds files)")
    if _checkpoints_in_target():
        raise BackupError(
            f"{settings.RATHAUS_AUDIT_CHECKPOINT_FILE} already holds audit checkpoints of "
            "another database: move it away to restore into this instance"
        )


def _restore_database(directory: Path, manifest: dict[str, Any]) -> database.Snapshot:
    source = directory / manifest["database"]["file"]
    if manifest["database"]["vendor"] == "sqlite":
        target = database.sqlite_target()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staged_name = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
        os.close(handle)
        staged = Path(staged_name)
        try:
            shutil.copyfile(source, staged)
            snapshot = database.sqlite_read(staged)
            differences = compare(manifest["tables"], snapshot.tables)
            if differences:
                raise BackupError("the database copy differs from the manifest: " + differences[0])
            database.sqlite_replace(staged)
        finally:
            staged.unlink(missing_ok=True)
        return snapshot
    return postgres.restore_into(source)


def _restore_checkpoints(directory: Path) -> None:
    source = directory / CHECKPOINT_FILE
    if not source.is_file():
        return
    target = Path(settings.RATHAUS_AUDIT_CHECKPOINT_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def restore(directory: Path, progress: Progress) -> dict[str, Any]:
    """Restore the backup in ``directory`` into this (empty) instance; returns its manifest."""
    directory = Path(directory)
    manifest = _load(directory, progress)
    _check_migrations(manifest)
    _check_audit_keys(manifest)
    _check_target_empty(manifest["database"]["vendor"])
    files.check_object_store(directory, manifest, progress)
    staged = files.Staged(directory, manifest)
    try:
        staged.prepare(progress)
        snapshot = _restore_database(directory, manifest)
        staged.commit()
    finally:
        staged.discard()
    progress("database restored")
    _restore_checkpoints(directory)
    differences = compare(manifest["tables"], snapshot.tables)
    if differences:
        raise BackupError(
            "restored, but the row counts differ from the manifest: " + "; ".join(differences)
        )
    progress(f"row counts of {len(snapshot.tables)} tables match the manifest")
    return manifest


def verify(directory: Path, progress: Progress) -> dict[str, Any]:
    """Check every checksum, restore the database into a scratch database, compare row counts."""
    directory = Path(directory)
    manifest = _load(directory, progress)
    source = directory / manifest["database"]["file"]
    vendor = manifest["database"]["vendor"]
    if vendor == "sqlite":
        with tempfile.TemporaryDirectory(prefix="rathaus-verify-") as scratch:
            copy = Path(scratch) / "scratch.sqlite3"
            shutil.copyfile(source, copy)
            snapshot = database.sqlite_read(copy)
    else:
        if database.vendor() != "postgresql":
            raise BackupError(
                "verifying a PostgreSQL backup needs a PostgreSQL server for the scratch "
                "database: set RATHAUS_DATABASE_URL"
            )
        with postgres.scratch_database() as name:
            progress(f"restoring into the scratch database {name}")
            snapshot = postgres.restore_into(source, name)
    differences = compare(manifest["tables"], snapshot.tables)
    if differences:
        raise BackupError(
            f"the restored database differs from the manifest in {len(differences)} table(s): "
            + "; ".join(differences[:5])
        )
    progress(f"restored into a scratch database: row counts of {len(snapshot.tables)} tables match")
    if files.kind() == manifest["file_store"]["kind"] == files.OBJECT_STORE:
        files.check_object_store(directory, manifest, progress)
    return manifest

"""``rathaus backup DIR``: a consistent online copy of an instance into an empty directory."""

from __future__ import annotations

import os
import shutil
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from rathaus.conf import VARIABLES
from rathaus.core.backup import database, files, postgres
from rathaus.core.backup.manifest import (
    FORMAT,
    MANIFEST,
    BackupError,
    Progress,
    file_entries,
    make_private,
    write_json,
)

CONFIG_FILE = "config.json"
CHECKPOINT_FILE = "audit-checkpoints.jsonl"
HIDDEN = "(set; a secret, not in the backup)"


def configuration() -> dict[str, str]:
    """The RATHAUS_* variables that are set, with the values of secrets left out."""
    found = {}
    for variable in VARIABLES:
        raw = os.environ.get(variable.env_name)
        if raw is not None:
            found[variable.env_name] = HIDDEN if variable.secret else raw
    return found


def _version() -> str:
    try:
        return metadata.version("rathaus")
    except metadata.PackageNotFoundError:
        return "unknown"


def _prepare(directory: Path) -> None:
    if directory.exists() and not directory.is_dir():
        raise BackupError(f"{directory} is not a directory")
    if directory.is_dir() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new or empty directory")
    directory.mkdir(parents=True, exist_ok=True)
    # Personal data: only the service account may read the backup.
    directory.chmod(0o700)


def create(directory: Path, progress: Progress) -> dict[str, Any]:
    """Make a backup in ``directory`` (new or empty); returns its manifest.

    The checkpoint file is copied before the database snapshot, so every checkpoint in the backup
    anchors entries the snapshot holds. The manifest is written last: a backup without one is
    partial and is refused by restore and verify.
    """
    started = time.monotonic()
    directory = Path(directory)
    _prepare(directory)
    checkpoints = Path(settings.RATHAUS_AUDIT_CHECKPOINT_FILE)
    if checkpoints.is_file():
        shutil.copyfile(checkpoints, directory / CHECKPOINT_FILE)
        progress(f"audit checkpoints copied from {checkpoints}")
    vendor = database.vendor()
    if vendor == "sqlite":
        name = database.SQLITE_FILE
        snapshot = database.sqlite_copy(directory / name)
    elif vendor == "postgresql":
        name = database.POSTGRES_FILE
        snapshot = postgres.dump(directory / name)
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    rows = sum(snapshot.tables.values())
    progress(f"database copied ({vendor}): {len(snapshot.tables)} tables, {rows} rows")
    file_store, hashes = files.back_up(snapshot.blobs, directory, progress)
    progress(f"file store ({file_store['kind']}): {file_store['blobs']} files")
    write_json(directory / CONFIG_FILE, {"variables": configuration()})
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "rathaus_version": _version(),
        "database": {"vendor": vendor, "file": name},
        "tables": snapshot.tables,
        "migrations": snapshot.migrations,
        "file_store": file_store,
        "audit": {
            "key_ids": snapshot.audit_key_ids,
            "checkpoints": (directory / CHECKPOINT_FILE).is_file(),
        },
    }
    manifest["files"] = file_entries(directory, hashes)
    # The copies above are written with the process umask (the database copy, the dump): every
    # file 0600, every directory 0700, before the manifest (itself 0600) completes the backup.
    make_private(directory)
    write_json(directory / MANIFEST, manifest)
    size = sum(entry["size"] for entry in manifest["files"].values())
    progress(f"manifest written: {len(manifest['files'])} files, {size} bytes")
    manifest["seconds"] = round(time.monotonic() - started, 1)
    return manifest

"""Backups that restore: ``rathaus backup DIR``, ``rathaus restore DIR`` and ``--verify``.

A backup is a directory (see ``docs/backup.md``)::

    manifest.json            written last: row counts per table, SHA-256 and size of every file
    database.sqlite3         SQLite: a copy by SQLite's online backup API
    database.pgdump          PostgreSQL: pg_dump --format=custom from one exported snapshot
    files/blobs/…            file system store: the blobs the database names (content-addressed)
    objects.json             object store (S3): the keys the database names, with size and SHA-256
    audit-checkpoints.jsonl  the signed audit checkpoints (ADR 0016), copied before the snapshot
    config.json              the RATHAUS_* variables that are set, secrets left out

``create`` makes one, ``restore`` puts one into an empty instance after checking every file,
``verify`` restores the database into a scratch database and compares the row counts.
"""

from __future__ import annotations

from rathaus.core.backup.create import create
from rathaus.core.backup.manifest import BackupError
from rathaus.core.backup.restore import restore, verify

__all__ = ["BackupError", "create", "restore", "verify"]

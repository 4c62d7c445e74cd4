"""The stored files in a backup: the blobs themselves (file system) or a list of keys (S3).

Blobs are content-addressed (``blobs/ab/cd/<sha256>``, ADR 0019), so a blob's name is its
checksum: a copy is checked while it is read, and an object store's key list with sizes is enough
to check that a bucket still holds what the database names. The bucket itself is backed up by the
object store's own means (versioning, replication); docs/backup.md says so.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

from rathaus.core.backup.manifest import BackupError, Progress, copy_hashed, make_private
from rathaus.core.files.store import storage

FILES_DIR = "files"
OBJECTS_FILE = "objects.json"
FILESYSTEM = "filesystem"
OBJECT_STORE = "object store"


def kind() -> str:
    return FILESYSTEM if isinstance(storage(), FileSystemStorage) else OBJECT_STORE


def _location() -> Path:
    backend = storage()
    if not isinstance(backend, FileSystemStorage):
        raise BackupError("the file store is not on the file system")
    return Path(backend.location)


def back_up(
    blobs: dict[str, tuple[int, str]], directory: Path, progress: Progress
) -> tuple[dict[str, Any], dict[str, str]]:
    """Copy (file system) or list (object store) the blobs; the manifest section and the
    SHA-256 of every copied file (by its name in the backup)."""
    missing: list[str] = []
    hashes: dict[str, str] = {}
    total = 0
    if kind() == FILESYSTEM:
        location = _location()
        for number, (key, (_size, sha256)) in enumerate(sorted(blobs.items()), start=1):
            source = location / key
            name = f"{FILES_DIR}/{key}"
            if not source.is_file():
                missing.append(key)
                continue
            size, found = copy_hashed(source, directory / name)
            if found != sha256:
                (directory / name).unlink()
                missing.append(key)
                progress(f"warning: {key} in the file store is damaged (SHA-256 {found})")
                continue
            hashes[name] = found
            total += size
            if number % 500 == 0:
                progress(f"copied {number} of {len(blobs)} stored files")
    else:
        backend = storage()
        objects = []
        for key, (size, sha256) in sorted(blobs.items()):
            if not backend.exists(key):
                missing.append(key)
                continue
            stored_size = backend.size(key)
            if stored_size != size:
                missing.append(key)
                progress(f"warning: {key} has {stored_size} bytes in the store, not {size}")
                continue
            objects.append({"key": key, "size": size, "sha256": sha256})
            total += size
        (directory / OBJECTS_FILE).write_text(json.dumps(objects, indent=1) + "\n", "utf-8")
    for key in missing:
        progress(f"warning: the database names {key}, which the file store does not hold")
    section = {"kind": kind(), "blobs": len(blobs) - len(missing), "bytes": total,
               "missing": missing}  # fmt: skip
    return section, hashes


def _objects(directory: Path) -> list[dict[str, Any]]:
    try:
        objects = json.loads((directory / OBJECTS_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{OBJECTS_FILE} cannot be read: {exc}") from None
    return list(objects)


def check_object_store(directory: Path, manifest: dict[str, Any], progress: Progress) -> None:
    """A backup that lists objects: the configured bucket must hold each with its size."""
    if manifest["file_store"]["kind"] != OBJECT_STORE:
        return
    if kind() != OBJECT_STORE:
        raise BackupError(
            "the backup lists the stored files of an object store (objects.json); this instance "
            "keeps its files on the file system: set RATHAUS_FILE_STORAGE=s3 and RATHAUS_S3_* "
            "to the bucket that holds them"
        )
    backend = storage()
    for item in _objects(directory):
        key = item["key"]
        if not backend.exists(key):
            raise BackupError(f"{OBJECTS_FILE}: the object store does not hold {key}")
        if backend.size(key) != item["size"]:
            raise BackupError(
                f"{OBJECTS_FILE}: {key} has {backend.size(key)} bytes in the object store, "
                f"the backup says {item['size']} (SHA-256 {item['sha256']})"
            )
    progress("the object store holds every object the backup lists")


def target_has_files() -> bool:
    """True if this instance's file system store holds any blob (it is not empty)."""
    if kind() != FILESYSTEM:
        return False
    blobs = _location() / "blobs"
    return blobs.is_dir() and any(path.is_file() for path in blobs.rglob("*"))


BLOBS_PREFIX = f"{FILES_DIR}/blobs/"


class Staged:
    """Blobs copied next to their final place, moved there only once the database is restored.

    Only the blobs the manifest lists are copied, each checked against its SHA-256 while it is
    read (check_files has refused symbolic links); anything else in the backup stays behind.
    """

    def __init__(self, directory: Path, manifest: dict[str, Any]) -> None:
        self.directory = directory
        self.blobs = {
            name: entry["sha256"]
            for name, entry in sorted(manifest["files"].items())
            if name.startswith(BLOBS_PREFIX)
        }
        self.to_filesystem = manifest["file_store"]["kind"] == FILESYSTEM and kind() == FILESYSTEM
        self.to_object_store = manifest["file_store"]["kind"] == FILESYSTEM and not (
            self.to_filesystem
        )
        self.stage: Path | None = None

    def prepare(self, progress: Progress) -> None:
        if not self.blobs:
            return
        if self.to_filesystem:
            location = _location()
            location.mkdir(parents=True, exist_ok=True)
            self.stage = location / f".restore-{secrets.token_hex(6)}"
            (self.stage / "blobs").mkdir(parents=True)
            for name, sha256 in self.blobs.items():
                target = self.stage / "blobs" / name.removeprefix(BLOBS_PREFIX)
                _size, found = copy_hashed(self.directory / name, target)
                if found != sha256:
                    raise BackupError(f"{name}: changed while it was restored (SHA-256 {found})")
            make_private(self.stage)
            progress("stored files copied into place (staged)")
        elif self.to_object_store:
            # Content-addressed keys: writing one again changes nothing, so uploads are safe to
            # repeat; a failed database restore leaves only unreferenced content in the bucket.
            from rathaus.core.files.store import put_bytes

            for name in self.blobs:
                put_bytes((self.directory / name).read_bytes())
            progress("stored files uploaded to the object store")

    def commit(self) -> None:
        if self.stage is None:
            return
        final = _location() / "blobs"
        if final.exists():
            shutil.rmtree(final)  # holds directories only: checked by target_has_files
        (self.stage / "blobs").rename(final)
        self.stage.rmdir()
        self.stage = None

    def discard(self) -> None:
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
            self.stage = None

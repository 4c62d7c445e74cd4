"""The manifest of a backup and the checks that refuse a corrupted or partial one."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup cannot be made, checked or restored; the message says which file and why."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file and return its size and SHA-256, read once."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reading, target.open("wb") as writing:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader sees the whole file or none."""
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)


def file_entries(directory: Path, known: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of every file below ``directory`` (``known``: taken while copying)."""
    entries = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.name == MANIFEST:
            continue
        name = path.relative_to(directory).as_posix()
        sha256 = known.get(name) or sha256_of(path)
        entries[name] = {"size": path.stat().st_size, "sha256": sha256}
    return entries


def read(directory: Path) -> dict[str, Any]:
    """The manifest of the backup in ``directory``; BackupError if it is missing or unreadable."""
    if not directory.is_dir():
        raise BackupError(f"{directory} is not a directory")
    path = directory / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{path} is missing: this is not a backup, or one that did not finish (partial)"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BackupError(f"{path} cannot be read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: not a manifest of backup format {FORMAT}")
    for section in ("database", "tables", "files", "file_store", "migrations", "audit"):
        if section not in manifest:
            raise BackupError(f"{path}: the section {section!r} is missing")
    return manifest


def check_files(directory: Path, manifest: dict[str, Any], progress: Progress) -> int:
    """Every file the manifest lists is there, with its size and SHA-256; returns the bytes read.

    The first file that is missing or differs stops the check with a BackupError that names it
    and the checksum that failed.
    """
    files: dict[str, dict[str, Any]] = manifest["files"]
    total = 0
    for number, (name, expected) in enumerate(sorted(files.items()), start=1):
        path = directory / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise BackupError(f"{MANIFEST} names a file outside the backup: {name}")
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup (partial backup)")
        size = path.stat().st_size
        if size != expected["size"]:
            raise BackupError(
                f"{name}: {size} bytes, the manifest says {expected['size']} (truncated or "
                f"changed); expected SHA-256 {expected['sha256']}"
            )
        found = sha256_of(path)
        if found != expected["sha256"]:
            raise BackupError(
                f"{name}: checksum failed, SHA-256 {found}, the manifest says {expected['sha256']}"
            )
        total += size
        if number % 1000 == 0:
            progress(f"checked {number} of {len(files)} files")
    progress(f"checked {len(files)} files ({total} bytes): all checksums match")
    return total

"""The manifest of a backup and the checks that refuse a corrupted or partial one."""

from __future__ import annotations

import hashlib
import json
import os
import stat
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


def open_private(path: Path, mode: str = "wb") -> Any:
    """Open a new file for writing that only the service account may read (0600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    return os.fdopen(descriptor, mode, encoding=None if "b" in mode else "utf-8")


def make_private(root: Path) -> None:
    """Directories 0700, files 0600 below ``root``: a backup holds personal data."""
    root.chmod(0o700)
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o700 if path.is_dir() else 0o600)


def copy_hashed(source: Path, target: Path) -> tuple[int, str]:
    """Copy a file (the copy 0600) and return its size and SHA-256, read once."""
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reading, open_private(target) as writing:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically: a reader sees the whole file or none."""
    partial = path.with_name(path.name + ".partial")
    with open_private(partial, "w") as handle:
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


def refuse_links(directory: Path) -> None:
    """BackupError naming the first symbolic link anywhere in the backup.

    A backup holds plain files only; a link could make a restore read (and copy into the file
    store) a file from outside the backup, so it is refused rather than followed.
    """
    for root, directories, names in os.walk(directory):  # does not follow linked directories
        for name in sorted(directories + names):
            path = Path(root) / name
            if path.is_symlink():
                raise BackupError(
                    f"{path.relative_to(directory).as_posix()} is a symbolic link: a backup holds "
                    "only plain files; replace the link by the file it points to, or remove it"
                )


def check_files(directory: Path, manifest: dict[str, Any], progress: Progress) -> int:
    """Every file the manifest lists is there, with its size and SHA-256; returns the bytes read.

    The first file that is missing or differs stops the check with a BackupError that names it
    and the checksum that failed; so does a symbolic link anywhere in the backup.
    """
    refuse_links(directory)
    files: dict[str, dict[str, Any]] = manifest["files"]
    total = 0
    for number, (name, expected) in enumerate(sorted(files.items()), start=1):
        path = directory / name
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise BackupError(f"{MANIFEST} names a file outside the backup: {name}")
        try:
            found_stat = path.lstat()
        except OSError:
            found_stat = None
        if found_stat is None or not stat.S_ISREG(found_stat.st_mode):
            raise BackupError(f"{name} is missing from the backup (partial backup)")
        size = found_stat.st_size
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

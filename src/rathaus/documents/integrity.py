"""Are the stored contents what the e-file says they are? (``rathaus documents-check``)

The check reads every blob that a stored file names, computes its SHA-256 again and compares it
with the blob's key, the stored file's hash and the hash each document version recorded. It
reports blobs that are missing (a stored file names a blob the storage does not have), changed
blobs (the content's hash differs) and orphaned blobs (objects below ``blobs/`` that no stored
file names). It never deletes anything on its own; :func:`delete_orphans` removes orphaned blobs
older than an hour when an operator asks for it (ADR 0044).
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from rathaus.core import audit
from rathaus.core.files import storage
from rathaus.core.models import StoredFile
from rathaus.documents.models import Version

logger = logging.getLogger(__name__)

ROOT = "blobs"
CHUNK = 1024 * 1024
ORPHAN_MIN_AGE = timedelta(hours=1)
"""An orphan younger than this may belong to a stored file whose transaction is still open."""


@dataclass(frozen=True)
class Problem:
    key: str
    what: str
    versions: tuple[str, ...] = ()

    def __str__(self) -> str:
        named = f" (versions: {', '.join(self.versions)})" if self.versions else ""
        return f"{self.key}: {self.what}{named}"


@dataclass
class Report:
    blobs_checked: int = 0
    versions_checked: int = 0
    missing: list[Problem] = field(default_factory=list)
    changed: list[Problem] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    orphans_deleted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.orphaned)

    def counts(self) -> dict[str, int]:
        return {
            "blobs_checked": self.blobs_checked,
            "versions_checked": self.versions_checked,
            "missing": len(self.missing),
            "changed": len(self.changed),
            "orphaned": len(self.orphaned),
            "orphans_deleted": len(self.orphans_deleted),
        }

    def summary(self) -> str:
        return (
            "{blobs_checked} blobs and {versions_checked} versions checked: {missing} missing, "
            "{changed} changed, {orphaned} orphaned, {orphans_deleted} orphans deleted"
        ).format(**self.counts())


def _digest(key: str) -> str:
    digest = hashlib.sha256()
    with storage().open(key, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stored_keys() -> Iterator[str]:
    """Every object below ``blobs/`` in the storage (file system or S3)."""
    backend = storage()
    stack = [ROOT]
    while stack:
        folder = stack.pop()
        try:
            dirs, names = backend.listdir(folder)
        except FileNotFoundError:
            continue
        stack.extend(f"{folder}/{name}" for name in sorted(dirs, reverse=True))
        yield from (f"{folder}/{name}" for name in sorted(names))


def check(
    progress: Callable[[str], object] | None = None,
    *,
    delete_orphans: bool = False,
    now: datetime | None = None,
) -> Report:
    """Check every blob and version; with ``delete_orphans`` also remove old orphaned blobs."""
    report = Report()
    versions: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, sha256, number, file_number in Version.objects.values_list(
        "file__key", "sha256", "number", "document__file__number"
    ).order_by("pk"):
        versions[key].append((f"{file_number} v{number}", sha256))
        report.versions_checked += 1
    known: dict[str, set[str]] = defaultdict(set)
    for key, sha256 in StoredFile.objects.values_list("key", "sha256"):
        known[key].add(sha256)
    backend = storage()
    for index, key in enumerate(sorted(known), start=1):
        named = tuple(label for label, _sha in versions.get(key, []))
        if not backend.exists(key):
            report.missing.append(Problem(key, "not in the storage", named))
        else:
            actual = _digest(key)
            expected = {key.rsplit("/", 1)[-1], *known[key]}
            expected.update(sha for _label, sha in versions.get(key, []))
            if expected != {actual}:
                recorded = ", ".join(sorted(expected - {actual}))
                what = f"content has SHA-256 {actual}, recorded {recorded}"
                report.changed.append(Problem(key, what, named))
        report.blobs_checked += 1
        if progress and index % 100 == 0:
            progress(f"{index} of {len(known)} blobs checked")
    for key in stored_keys():
        if key not in known:
            report.orphaned.append(key)
    if delete_orphans:
        report.orphans_deleted = _delete_orphans(report.orphaned, now or timezone.now())
    audit.record("documents.integrity_checked", actor_name="rathaus", details=report.counts())
    return report


def _delete_orphans(keys: list[str], now: datetime) -> list[str]:
    backend = storage()
    deleted = []
    for key in keys:
        if StoredFile.objects.filter(key=key).exists():
            continue  # named meanwhile
        if backend.get_modified_time(key) > now - ORPHAN_MIN_AGE:
            continue
        backend.delete(key)
        deleted.append(key)
    return deleted


def weekly() -> dict[str, int]:
    """The housekeeping job: check, log what was found; nothing is deleted."""
    report = check()
    if report.ok:
        logger.info("documents integrity: %s", report.summary())
    else:
        logger.error("documents integrity problems: %s", report.summary())
        for problem in [*report.missing, *report.changed]:
            logger.error("  %s", problem)
        for key in report.orphaned:
            logger.error("  %s: orphaned", key)
    return report.counts()

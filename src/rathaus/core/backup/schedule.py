"""The scheduled backup: a housekeeping job of the worker, with retention.

``RATHAUS_BACKUP_DIR`` set: every ``RATHAUS_BACKUP_INTERVAL_HOURS`` one worker (claimed in the
database, see core/housekeeping.py) makes a backup into a new subdirectory
``rathaus-YYYYmmddTHHMMSSZ`` and then removes the oldest complete ones beyond
``RATHAUS_BACKUP_KEEP``, and unfinished ones older than the newest complete backup.
"""

from __future__ import annotations

import logging
import re
import shutil
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from rathaus.core import housekeeping
from rathaus.core.backup.create import create
from rathaus.core.backup.manifest import MANIFEST

logger = logging.getLogger(__name__)

JOB = "core.backup"
NAME = re.compile(r"^rathaus-\d{8}T\d{6}Z$")


def register() -> None:
    """Register the job when a backup directory is configured (called by core's apps.py)."""
    if settings.RATHAUS_BACKUP_DIR:
        every = timedelta(hours=settings.RATHAUS_BACKUP_INTERVAL_HOURS)
        housekeeping.register(JOB, scheduled_backup, every)


def prune(root: Path, keep: int) -> list[str]:
    """Remove complete backups beyond the newest ``keep`` and older unfinished ones."""
    ours = sorted(path for path in root.iterdir() if path.is_dir() and NAME.match(path.name))
    complete = [path for path in ours if (path / MANIFEST).is_file()]
    doomed = complete[:-keep] if len(complete) > keep else []
    if complete:
        doomed += [p for p in ours if p not in complete and p.name < complete[-1].name]
    for path in doomed:
        shutil.rmtree(path)
    return sorted(path.name for path in doomed)


def scheduled_backup() -> dict[str, Any]:
    root = Path(settings.RATHAUS_BACKUP_DIR)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"rathaus-{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}"
    try:
        manifest = create(target, logger.info)
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    removed = prune(root, settings.RATHAUS_BACKUP_KEEP)
    return {"backup": target.name, "tables": len(manifest["tables"]), "removed": removed}

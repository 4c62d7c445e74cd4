"""Recurring clean-up jobs run by the task worker (expired drafts, stale records, …).

Apps register a job with an interval; every worker checks for due jobs after each heartbeat.
A job runs in one worker at a time: the worker claims it with one conditional UPDATE of its
``ScheduledJob`` row, so several workers (on several machines) never run it twice per interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every: timedelta


_jobs: dict[str, Job] = {}


def register(name: str, run: Callable[[], object], every: timedelta) -> None:
    _jobs[name] = Job(name, run, every)


def registered() -> list[Job]:
    return list(_jobs.values())


def claim(job: Job, now: datetime) -> bool:
    """True if this caller may run the job now (it was due and nobody else claimed it)."""
    from rathaus.core.models import ScheduledJob

    ScheduledJob.objects.get_or_create(name=job.name)
    due = Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every)
    return ScheduledJob.objects.filter(due, name=job.name).update(last_run_at=now) == 1


def run_due(now: datetime | None = None) -> list[str]:
    """Run every due job once; returns the names of the jobs that ran."""
    moment = now or timezone.now()
    ran = []
    for job in registered():
        if not claim(job, moment):
            continue
        try:
            result = job.run()
        except Exception:
            logger.exception("housekeeping job %s failed", job.name)
            continue
        logger.info("housekeeping job %s: %s", job.name, result)
        ran.append(job.name)
    return ran

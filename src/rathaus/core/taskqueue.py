"""Reliable background tasks (ADR 0021): the sweep, set-aside tasks and the reconciliation.

The queue is django-tasks-db: task rows in the same database as everything else, so a change
and the tasks it needs are written in one transaction. What can still go wrong is handled here:

* A worker dies while it runs a task (``kill -9``, out of memory, a lost machine): the task row
  stays RUNNING with the dead worker's id. The **sweep** puts it back in the queue. A worker is
  dead when its heartbeat is older than ``RATHAUS_WORKER_STALE_SECONDS`` or, on the same
  machine, when its process is gone.
* A task ends with an error: the sweep runs it again later.
* After ``RATHAUS_TASK_MAX_ATTEMPTS`` starts, the task is set aside (a :class:`DeadLetter`)
  and listed for staff, who may retry it.
* Work without any task (data from before this change, a task row deleted by hand): the
  **reconciliation** asks every app for such work and queues its task again.

Every task must therefore be safe to run twice; each one checks whether its effect already
happened (and a database constraint backs the check).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from rathaus.core.models import DeadLetter, ScheduledJob, WorkerHeartbeat

logger = logging.getLogger(__name__)

SWEEP_LEASE = "core.task-sweep.lease"
WORKER_LOST = "rathaus.core.taskqueue.WorkerLost"


class WorkerLost(Exception):
    """Recorded as a set-aside task's error when its worker kept dying while running it."""


# --- workers -----------------------------------------------------------------------------------


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to somebody else
        return True
    return True


def live_worker_ids(now: datetime | None = None) -> set[str]:
    """Workers with a fresh heartbeat, without those on this machine whose process is gone."""
    moment = now or timezone.now()
    fresh_after = moment - timedelta(seconds=settings.RATHAUS_WORKER_STALE_SECONDS)
    here = socket.gethostname()[:253]
    return {
        beat.worker_id
        for beat in WorkerHeartbeat.objects.filter(last_seen__gte=fresh_after)
        if beat.hostname != here or _process_exists(beat.pid)
    }


def _orphaned(worker_ids: list[str], alive: set[str]) -> bool:
    return not worker_ids or worker_ids[-1] not in alive


# --- the sweep ---------------------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Queue again the tasks of dead workers and failed tasks; set aside those tried too often.

    Runs in one transaction that first updates a lease row: on PostgreSQL the row lock, on
    SQLite the write lock, keeps a second sweep (another worker, another machine) waiting until
    this one is done. Each task row is changed with a conditional UPDATE, so a worker that
    finishes the task in the meantime wins.
    """
    moment = now or timezone.now()
    counts = {"requeued": 0, "retried": 0, "set_aside": 0}
    ScheduledJob.objects.get_or_create(name=SWEEP_LEASE)
    with transaction.atomic():
        ScheduledJob.objects.filter(name=SWEEP_LEASE).update(last_run_at=moment)
        alive = live_worker_ids(moment)
        # Failures older than the reconciliation's look-back are history (e.g. from before an
        # upgrade), not work to run again now.
        recent = moment - timedelta(hours=settings.RATHAUS_RECONCILE_LOOKBACK_HOURS)
        rows = (
            DBTaskResult.objects.filter(
                Q(status=TaskResultStatus.RUNNING)
                | Q(status=TaskResultStatus.FAILED, finished_at__gte=recent)
            )
            .exclude(id__in=DeadLetter.objects.values("task_id"))
            .order_by("enqueued_at")
        )
        for row in rows:
            running = row.status == TaskResultStatus.RUNNING
            if running and not _orphaned(row.worker_ids, alive):
                continue
            outcome = _settle(row, running, moment)
            if outcome:
                counts[outcome] += 1
    if any(counts.values()):
        logger.warning("task sweep: %s", counts)
    return counts


def release(worker_id: str, now: datetime | None = None) -> int:
    """Queue again the tasks this worker was running when it lost the database. It runs none of
    them any more, but its heartbeat keeps it alive, so the sweep would leave them running."""
    moment = now or timezone.now()
    rows = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("enqueued_at")
    released = 0
    for row in rows:
        if row.worker_ids and row.worker_ids[-1] == worker_id and _settle(row, True, moment):
            released += 1
    if released:
        logger.warning("worker %s queued again the %s task(s) it was running", worker_id, released)
    return released


def _settle(row: DBTaskResult[..., object], running: bool, moment: datetime) -> str:
    attempts = len(row.worker_ids)
    same_row = DBTaskResult.objects.filter(pk=row.pk, status=row.status, started_at=row.started_at)
    if attempts >= settings.RATHAUS_TASK_MAX_ATTEMPTS:
        error = WORKER_LOST if running else row.exception_class_path
        if running and not same_row.update(
            status=TaskResultStatus.FAILED,
            finished_at=moment,
            exception_class_path=WORKER_LOST,
            traceback="The worker stopped while running the task.",
        ):
            return ""
        DeadLetter.objects.create(
            task_id=row.pk, task_path=row.task_path, args_kwargs=row.args_kwargs,
            reason=DeadLetter.Reason.WORKER_LOST if running else DeadLetter.Reason.FAILED,
            attempts=attempts, error=error[:300], created_at=moment,
        )  # fmt: skip
        logger.error("task %s (%s) set aside after %s attempts", row.pk, row.task_path, attempts)
        return "set_aside"
    # A task of a dead worker runs again at once; a failed one after a pause growing with tries.
    run_after = row.run_after if running else moment + timedelta(minutes=attempts)
    changed = same_row.update(
        status=TaskResultStatus.READY, started_at=None, finished_at=None, run_after=run_after
    )
    return ("requeued" if running else "retried") if changed else ""


# --- set-aside tasks ---------------------------------------------------------------------------

Describer = Callable[[list[Any], dict[str, Any]], str]
_describers: dict[str, Describer] = {}


def register_description(task_path: str, describe: Describer) -> None:
    """How staff read what a task of this type was for (e.g. "Route application B-2026-7")."""
    _describers[task_path] = describe


def describe(letter: DeadLetter) -> str:
    describer = _describers.get(letter.task_path)
    args = list(letter.args_kwargs.get("args", []))
    kwargs = dict(letter.args_kwargs.get("kwargs", {}))
    if describer is not None:
        try:
            return describer(args, kwargs)
        except Exception:  # a deleted object must not break the staff page
            logger.exception("describing set-aside task %s failed", letter.pk)
    return letter.task_path.rsplit(".", 1)[-1]


def open_dead_letters() -> QuerySet[DeadLetter]:
    return DeadLetter.objects.filter(retried_at__isnull=True)


def retry(letter_id: int, user: Any = None) -> bool:
    """Queue a set-aside task again as a new task; False if it was retried already."""
    with transaction.atomic():
        letter = DeadLetter.objects.select_for_update().filter(pk=letter_id).first()
        if letter is None or letter.retried_at is not None:
            return False
        task = import_string(letter.task_path)
        result = task.enqueue(
            *letter.args_kwargs.get("args", []), **letter.args_kwargs.get("kwargs", {})
        )
        letter.retried_at = timezone.now()
        letter.retried_by = user if user is not None and user.is_authenticated else None
        letter.retry_task_id = result.id
        letter.save(update_fields=["retried_at", "retried_by", "retry_task_id"])
    return True


# --- reconciliation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Work created in this time span is checked by the reconciliation."""

    newer_than: datetime
    older_than: datetime


@dataclass(frozen=True)
class Reconciler:
    name: str
    run: Callable[[Window], int]


_reconcilers: dict[str, Reconciler] = {}


def register_reconciler(name: str, run: Callable[[Window], int]) -> None:
    """``run(window)`` queues the task of work created in the window that has none; returns how
    many it queued."""
    _reconcilers[name] = Reconciler(name, run)


def tracked_arguments(task_path: str) -> set[str]:
    """The first argument of every task of this type that is still to run, running, failed
    (the sweep runs it again) or set aside (staff decide): such work already has its task."""
    rows = (
        DBTaskResult.objects.filter(task_path=task_path)
        .exclude(status=TaskResultStatus.SUCCESSFUL)
        .values_list("args_kwargs", flat=True)
    )
    return {str(args["args"][0]) for args in rows if args.get("args")}


def reconcile(
    min_age_seconds: int | None = None, lookback_hours: int | None = None
) -> dict[str, int]:
    """Queue the tasks of work that has none; the count per reconciler.

    Only work between ``lookback_hours`` and ``min_age_seconds`` old is checked (defaults:
    ``RATHAUS_RECONCILE_LOOKBACK_HOURS``, ``RATHAUS_RECONCILE_AFTER_SECONDS``): younger work
    may still have its task about to run, and older work (imported, or from before this
    check existed) should not suddenly get a receipt.
    """
    now = timezone.now()
    age = settings.RATHAUS_RECONCILE_AFTER_SECONDS if min_age_seconds is None else min_age_seconds
    hours = settings.RATHAUS_RECONCILE_LOOKBACK_HOURS if lookback_hours is None else lookback_hours
    window = Window(
        newer_than=now - timedelta(hours=hours), older_than=now - timedelta(seconds=age)
    )
    counts = {}
    for reconciler in _reconcilers.values():
        with transaction.atomic():
            counts[reconciler.name] = reconciler.run(window)
    if any(counts.values()):
        logger.warning("reconciliation queued missing tasks: %s", counts)
    return counts


# --- health ------------------------------------------------------------------------------------


def queue_state(now: datetime | None = None) -> dict[str, Any]:
    """Live workers, waiting/stuck/set-aside tasks and how long the oldest task has waited."""
    moment = now or timezone.now()
    alive = live_worker_ids(moment)
    running = DBTaskResult.objects.running().values_list("worker_ids", flat=True)
    stuck = sum(1 for worker_ids in running if _orphaned(worker_ids, alive))
    ready = DBTaskResult.objects.ready()
    date_max = get_date_max()
    waiting_since = [
        ready.filter(run_after=date_max).order_by("enqueued_at").values_list("enqueued_at",
                                                                              flat=True).first(),
        ready.exclude(run_after=date_max).order_by("run_after").values_list("run_after",
                                                                              flat=True).first(),
    ]  # fmt: skip
    oldest = min((since for since in waiting_since if since is not None), default=None)
    return {
        "workers": len(alive),
        "queued_tasks": ready.count(),
        "oldest_queued_seconds": max(0, round((moment - oldest).total_seconds()))
        if oldest
        else None,
        "stuck_tasks": stuck,
        "set_aside_tasks": open_dead_letters().count(),
    }

"""Health of the installation: can the database be reached, and is a task worker alive?

Three answers (docs/health-and-logs.md): ``/health/live`` says only that the process answers
(no database; a restart would not help anything else), ``/health/ready`` that this process can
serve (database reachable, every migration applied; a load balancer sends it requests only
then), and ``/health`` the whole report with the worker and the virus scanner.

The public answer (:func:`answer`) names only the overall status and each component's status;
the details (counts, error names, the scanner's message with its socket path) go to verified
staff and to a monitor that sends ``Authorization: Bearer <RATHAUS_HEALTH_TOKEN>`` (ADR 0025).
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest

from rathaus.core.models import WorkerHeartbeat


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"status": "error", "error": exc.__class__.__name__}
    return {
        "status": "ok",
        "vendor": connection.vendor,
        "latency_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def check_worker() -> dict[str, Any]:
    """Live workers and the state of the task queue (rathaus.core.taskqueue, ADR 0021).

    Not "ok" while work is stuck: no live worker, a task running in a dead worker, a task set
    aside for staff, or a task waiting longer than ``RATHAUS_TASK_STUCK_SECONDS``.
    """
    from rathaus.core.taskqueue import queue_state

    state = queue_state()
    last_seen = (
        WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    )
    problems = []
    if not state["workers"]:
        problems.append("no live worker")
    if state["stuck_tasks"]:
        problems.append("tasks of dead workers")
    if state["set_aside_tasks"]:
        problems.append("tasks set aside for staff")
    oldest = state["oldest_queued_seconds"]
    if oldest is not None and oldest > settings.RATHAUS_TASK_STUCK_SECONDS:
        problems.append("queue not moving")
    return {
        "status": "error" if problems else "ok",
        **state,
        "last_seen": last_seen.isoformat() if last_seen else None,
        "problems": problems,
    }


def report() -> dict[str, Any]:
    database = check_database()
    if database["status"] == "ok":
        try:
            worker = check_worker()
        except DatabaseError as exc:
            worker = {"status": "error", "error": exc.__class__.__name__}
    else:
        worker = {"status": "unknown", "error": "database unavailable"}
    from rathaus.core.scanning import check_health as check_scanner

    # Uploads are refused while a configured scanner is unreachable; "off" is not an error.
    scanner = check_scanner()
    healthy = (
        database["status"] == "ok" and worker["status"] == "ok" and scanner["status"] != "error"
    )
    return {
        "status": "ok" if healthy else "error",
        "checks": {"database": database, "worker": worker, "virus_scanner": scanner},
    }


def may_see_details(request: HttpRequest) -> bool:
    """Verified staff, or a monitor with the health token."""
    token = settings.RATHAUS_HEALTH_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    from rathaus.core.staff_auth import is_verified_staff

    user = getattr(request, "user", None)
    return user is not None and is_verified_staff(user)


def public(result: dict[str, Any]) -> dict[str, Any]:
    """The report without details: the overall status and each component's status."""
    checks = {name: {"status": check["status"]} for name, check in result["checks"].items()}
    return {"status": result["status"], "checks": checks}


def answer(request: HttpRequest) -> dict[str, Any]:
    """The health report as this request may see it."""
    result = report()
    return result if may_see_details(request) else public(result)


# --- liveness and readiness ----------------------------------------------------------------------

# Once every migration was applied, it stays so while this process lives: the migration files
# are the code this process loaded, and migrations are not unapplied under a running server.
# So the check (it reads every migration file) runs until it passes once, then no more.
_migrations_applied = False


def check_migrations() -> dict[str, Any]:
    global _migrations_applied
    if _migrations_applied:
        return {"status": "ok"}
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return {"status": "error", "error": exc.__class__.__name__}
    if plan:
        unapplied = sorted({f"{migration.app_label}.{migration.name}" for migration, _ in plan})
        return {"status": "error", "unapplied": unapplied}
    _migrations_applied = True
    return {"status": "ok"}


def readiness() -> dict[str, Any]:
    """Whether this process can serve requests: the database answers and is migrated."""
    database = check_database()
    if database["status"] == "ok":
        migrations = check_migrations()
    else:
        migrations = {"status": "unknown", "error": "database unavailable"}
    healthy = database["status"] == "ok" and migrations["status"] == "ok"
    return {
        "status": "ok" if healthy else "error",
        "checks": {"database": database, "migrations": migrations},
    }


def ready_answer(request: HttpRequest) -> dict[str, Any]:
    """The readiness report as this request may see it (details as with :func:`answer`)."""
    result = readiness()
    try:
        details = may_see_details(request)
    except DatabaseError:  # staff are recognised through the database that is down
        details = False
    return result if details else public(result)

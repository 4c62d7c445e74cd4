"""Health of the installation: can the database be reached, and is a task worker alive?"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

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
    now = timezone.now()
    fresh_after = now - timedelta(seconds=settings.RATHAUS_WORKER_STALE_SECONDS)
    alive = WorkerHeartbeat.objects.filter(last_seen__gte=fresh_after)
    latest = WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True)
    last_seen = latest.first()
    ready = DBTaskResult.objects.ready()
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    workers = alive.count()
    return {
        "status": "ok" if workers else "error",
        "workers": workers,
        "last_seen": last_seen.isoformat() if last_seen else None,
        "queued_tasks": ready.count(),
        "oldest_queued_seconds": round((now - oldest).total_seconds()) if oldest else None,
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

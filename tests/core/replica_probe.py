"""Run by tests/core/test_read_replica.py under ``scripts/with_postgres.py --replica``: requests
through ReplicaMiddleware against a primary and its paused streaming replica; prints what each
of them counted as ``RESULT <json>``."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import django


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.db import ProgrammingError, connection, connections, transaction
    from django.http import HttpRequest, HttpResponse
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import timezone

    from rathaus.core.dbrouter import ReplicaMiddleware, replica_reads
    from rathaus.core.models import RateCounter

    replica = connections["replica"]
    with connection.schema_editor() as editor:
        editor.create_model(RateCounter)

    def add(key: str) -> None:
        RateCounter.objects.create(key=key, window_start=timezone.now())

    def replica_count() -> int | None:
        try:
            with replica.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM core_ratecounter")
                return cursor.fetchone()[0]
        except ProgrammingError:  # the table itself has not arrived yet
            return None

    def wait_for(number: int) -> None:
        deadline = time.monotonic() + 60
        while replica_count() != number:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)

    def counting(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(RateCounter.objects.count()))

    @replica_reads
    def marked_counting(request: HttpRequest) -> HttpResponse:
        return counting(request)

    @replica_reads
    def writing(request: HttpRequest) -> HttpResponse:
        add("written-in-request")
        return counting(request)

    @replica_reads
    def in_transaction(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            return counting(request)

    def through_middleware(
        view: Callable[[HttpRequest], HttpResponse], method: str = "get", path: str = ""
    ) -> int:
        request = getattr(RequestFactory(), method)(path or "/probe")
        request.resolver_match = resolve(path) if path else None

        def handler(request: Any) -> HttpResponse:
            middleware.process_view(request, view, (), {})
            return view(request)

        middleware = ReplicaMiddleware(handler)
        return int(middleware(request).content)

    add("first")
    wait_for(1)
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        in_recovery = cursor.fetchone()[0]
        cursor.execute("SELECT pg_wal_replay_pause()")
    add("second")  # on the primary only while replay is paused
    result = {
        "in_recovery": in_recovery,
        "router": settings.DATABASE_ROUTERS,
        "middleware": "rathaus.core.dbrouter.ReplicaMiddleware" in settings.MIDDLEWARE,
        "marked_get": through_middleware(marked_counting),
        "marked_head": through_middleware(marked_counting, "head"),
        "marked_post": through_middleware(marked_counting, "post"),
        "unmarked_get": through_middleware(counting),
        "listed_page_get": through_middleware(counting, path="/leistungen/"),
        "unlisted_page_get": through_middleware(counting, path="/health"),
        "marked_get_after_write": through_middleware(writing),
        "marked_get_in_transaction": through_middleware(in_transaction),
        "outside_a_request": RateCounter.objects.count(),
    }
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for(3)
    result["marked_get_after_catching_up"] = through_middleware(marked_counting)
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()

"""The read-replica router against a real PostgreSQL streaming replica.

``scripts/with_postgres.py --replica`` starts a primary and a hot standby made with
``pg_basebackup -R``; a small Django program runs requests through ``ReplicaMiddleware`` with
``RATHAUS_DATABASE_REPLICA_URL`` set. Replay on the standby is paused before a row is added on
the primary, so a read that comes from the replica is told apart from one that comes from the
primary by what it counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from tests.support import ROOT

PROBE = textwrap.dedent(
    """
    import json, time
    import django
    django.setup()
    from django.db import ProgrammingError, connection, connections, transaction
    from django.http import HttpResponse
    from django.test import RequestFactory
    from rathaus.core.dbrouter import ReplicaMiddleware, replica_reads
    from rathaus.core.models import RateCounter
    from django.conf import settings
    from django.urls import resolve
    from django.utils import timezone

    replica = connections["replica"]
    with connection.schema_editor() as editor:
        editor.create_model(RateCounter)

    def add(key):
        RateCounter.objects.create(key=key, window_start=timezone.now())

    def replica_count():
        try:
            with replica.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM core_ratecounter")
                return cursor.fetchone()[0]
        except ProgrammingError:  # the table itself has not arrived yet
            return None

    def wait_for(n):
        deadline = time.monotonic() + 60
        while replica_count() != n:
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.1)

    def counting(request):
        return HttpResponse(str(RateCounter.objects.count()))

    @replica_reads
    def marked_counting(request):
        return counting(request)

    def writing(request):
        add("written-in-request")
        return HttpResponse(str(RateCounter.objects.count()))

    def atomic(request):
        with transaction.atomic():
            return HttpResponse(str(RateCounter.objects.count()))

    def through_middleware(view, method="get", path="/probe"):
        request = getattr(RequestFactory(), method)(path)
        request.resolver_match = resolve(path) if path != "/probe" else None
        middleware = ReplicaMiddleware(lambda r: middleware.process_view(r, view, (), {}) or view(r))
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
        "marked_get_after_write": through_middleware(replica_reads(writing)),
        "marked_get_in_transaction": through_middleware(replica_reads(atomic)),
        "outside_a_request": RateCounter.objects.count(),
    }
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for(3)
    result["marked_get_after_catching_up"] = through_middleware(marked_counting)
    print("RESULT " + json.dumps(result))
    """
)


# Not marked database: it starts its own servers, so once (in the SQLite pass) is enough.
def test_read_only_requests_read_from_the_streaming_replica_and_nothing_else(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.pop("RATHAUS_DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="rathaus.settings",
        PYTHONPATH=str(ROOT / "src"),
        RATHAUS_DATA_DIR=str(tmp_path),
        RATHAUS_DEBUG="true",
    )
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--replica", "--",
         sys.executable, "-c", PROBE],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "streaming replica on 127.0.0.1:" in completed.stderr
    result = json.loads(lines[-1].removeprefix("RESULT "))
    assert result == {
        "in_recovery": True,
        "router": ["rathaus.core.dbrouter.ReplicaRouter"],
        "middleware": True,
        "marked_get": 1,  # the replica, which has not replayed the second row
        "marked_head": 1,
        "marked_post": 2,  # the primary
        "unmarked_get": 2,
        "listed_page_get": 1,  # catalog:browse is in RATHAUS_REPLICA_VIEWS
        "unlisted_page_get": 2,
        "marked_get_after_write": 3,  # its own row: after a write, the primary
        "marked_get_in_transaction": 3,
        "outside_a_request": 3,  # the worker and commands: the primary
        "marked_get_after_catching_up": 3,
    }

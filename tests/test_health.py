"""/health reports the database and the task worker; the worker runs tasks for real."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus

from rathaus.core.models import WorkerHeartbeat
from tests.support import HEALTH_TOKEN, ROOT, health_details, start_worker
from tests.tasks_for_tests import add

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def beat(seconds_ago: int) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1",
        hostname="here",
        pid=1,
        started_at=now,
        last_seen=now - timedelta(seconds=seconds_ago),
    )


@pytest.mark.django_db
def test_healthy_with_a_fresh_worker_heartbeat(client):
    beat(seconds_ago=5)
    response = health_details(client)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["worker"]["workers"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
def test_the_public_sees_statuses_only_and_no_paths_or_error_texts(client, settings, path):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = "/nonexistent/internal/clamd.ctl"
    settings.RATHAUS_HEALTH_TOKEN = HEALTH_TOKEN
    beat(seconds_ago=5)
    for headers in ({}, {"Authorization": "Bearer wrong-token"}):
        response = client.get(path, headers=headers)
        assert response.status_code == 503
        assert response.json() == {
            "status": "error",
            "checks": {
                "database": {"status": "ok"},
                "worker": {"status": "ok"},
                "virus_scanner": {"status": "error"},
            },
        }
    detailed = health_details(client, path).json()
    assert "/nonexistent/internal/clamd.ctl" in detailed["checks"]["virus_scanner"]["error"]
    assert detailed["checks"]["worker"]["workers"] == 1


@pytest.mark.django_db
def test_verified_staff_see_the_details(settings):
    from django.test import Client

    from tests.factories import PASSWORD, OrgUnitFactory
    from tests.support import clerk_of, log_in

    beat(seconds_ago=5)
    clerk_of(OrgUnitFactory(), "betrieb")
    staff = log_in(Client(), "betrieb", PASSWORD)
    assert staff.get("/health").json()["checks"]["worker"]["workers"] == 1


@pytest.mark.django_db
def test_unhealthy_when_the_worker_is_silent(client, settings):
    beat(seconds_ago=settings.RATHAUS_WORKER_STALE_SECONDS + 1)
    response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["status"] == "error"
    assert client.get("/api/v1/health").status_code == 503


@pytest.mark.django_db
def test_health_counts_waiting_tasks(client):
    beat(seconds_ago=1)
    add.enqueue(1, 2)
    worker = health_details(client).json()["checks"]["worker"]
    assert worker["queued_tasks"] == 1
    assert worker["oldest_queued_seconds"] is not None


@pytest.mark.django_db(transaction=True)
def test_worker_runs_tasks_and_reports_its_heartbeat(client):
    assert client.get("/health").status_code == 503
    result = add.enqueue(20, 22)
    worker = start_worker()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            result.refresh()
            if (
                result.status == TaskResultStatus.SUCCESSFUL
                and client.get("/health").status_code == 200
            ):
                break
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
            time.sleep(0.2)
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == 42
        assert health_details(client).json()["checks"]["worker"]["workers"] == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    # A worker that stops cleanly withdraws its heartbeat at once.
    assert not WorkerHeartbeat.objects.exists()
    assert client.get("/health").status_code == 503


def test_database_down_gives_503_and_a_friendly_page():
    """A separate process whose database server cannot be reached."""
    code = (
        "import django, json; django.setup(); from django.test import Client; c = Client();"
        "h = c.get('/health'); p = c.get('/');"
        "print(json.dumps([h.status_code, h.json()['checks']['database']['status'],"
        " p.status_code, 'Vorübergehend nicht erreichbar' in p.content.decode(),"
        " 'Traceback' in p.content.decode()]))"
    )
    result = run_without_database(code)
    assert result.stdout.strip().splitlines()[-1] == '[503, "error", 503, true, false]'


def run_without_database(code: str) -> subprocess.CompletedProcess[str]:
    """Run Python code in a separate process whose database server cannot be reached."""
    env = {
        **database_env_without_db(),
        "DJANGO_SETTINGS_MODULE": "rathaus.settings",
        "RATHAUS_DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
        "RATHAUS_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result


def database_env_without_db() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("RATHAUS_")}


# --- /health/live and /health/ready ------------------------------------------------------------


def test_liveness_answers_without_touching_the_database(client):
    """No django_db mark: a query here would fail the test."""
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_when_the_database_answers_and_is_migrated(client):
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}, "migrations": {"status": "ok"}},
    }
    # the worker does not count: a web process can serve while no worker runs
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_not_applied(client, monkeypatch):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    from rathaus.core import health

    monkeypatch.setattr(health, "_migrations_applied", False)
    (latest,) = [
        name for app, name in MigrationLoader(connection).graph.leaf_nodes() if app == "core"
    ]
    MigrationRecorder(connection).migration_qs.filter(app="core", name=latest).delete()
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": {"status": "ok"}, "migrations": {"status": "error"}},
    }
    detailed = health_details(client, "/health/ready").json()
    assert detailed["checks"]["migrations"]["unapplied"] == [f"core.{latest}"]
    MigrationRecorder(connection).record_applied("core", latest)
    assert client.get("/health/ready").status_code == 200


def test_database_down_the_process_is_live_but_not_ready():
    """A separate process whose database server cannot be reached."""
    code = (
        "import django, json; django.setup(); from django.test import Client; c = Client();"
        "live = c.get('/health/live'); ready = c.get('/health/ready');"
        "print(json.dumps([live.status_code, ready.status_code, ready.json()]))"
    )
    result = run_without_database(code)
    live, ready, body = json.loads(result.stdout.strip().splitlines()[-1])
    assert (live, ready) == (200, 503)
    assert body == {
        "status": "error",
        "checks": {"database": {"status": "error"}, "migrations": {"status": "unknown"}},
    }

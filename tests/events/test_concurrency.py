"""A rush on an event: 100 registrations for 20 places are confirmed at the same moment by 60
clients (real threads in several processes, each with its own database connection; the test
server of PostgreSQL allows 100 connections, so each client confirms one or two). Exactly 20 are
registered and 80 are on the waiting list — never one place too many. Then ten registered people
cancel at once: exactly ten move up, the first ten of the waiting list."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest

from rathaus.events import services
from rathaus.events.models import Registration
from tests.factories import AuthorityFactory, CourseFactory
from tests.support import database_env, run_gated

PROCESSES = 5
THREADS = 12  # 60 clients at once
REGISTRATIONS = 100

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

CLIENT = r"""
import json, os, sys, threading, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()
from django.db import connections
from rathaus.events import services

gate, action, items, threads = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4])
shares = [items[n::threads] for n in range(threads) if items[n::threads]]
ready = threading.Barrier(len(shares) + 1)
results = []

def client(share):
    ready.wait()
    while not os.path.exists(gate):
        time.sleep(0.002)
    for item in share:
        try:
            if action == "confirm":
                outcome = services.confirm(item).registration.status
            else:
                registration = services.registration_of(item)
                outcome = "moved %d" % len(services.cancel(registration).moved_up)
        except Exception as exc:
            outcome = "error: " + repr(exc)
        results.append(outcome)
    connections.close_all()

workers = [threading.Thread(target=client, args=(share,)) for share in shares]
for worker in workers:
    worker.start()
ready.wait()
print("ready", flush=True)
for worker in workers:
    worker.join()
print(json.dumps(results), flush=True)
"""


def rush(action: str, items: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        commands = [
            [
                sys.executable,
                "-c",
                CLIENT,
                str(gate),
                action,
                json.dumps(items[n::PROCESSES]),
                str(THREADS),
            ]
            for n in range(PROCESSES)
        ]
        return run_gated(commands, gate, database_env())


@pytest.mark.django_db(transaction=True)
def test_100_registrations_for_20_places_give_20_registered_and_80_waiting():
    event = CourseFactory(authority=AuthorityFactory(slug="barleben"), capacity=20, max_places=1)
    tokens = [
        services.register(event, name=f"Person {n}", email=f"person{n}@example.org", places=1,
                          consent_text="ja").token  # type: ignore[attr-defined]
        for n in range(REGISTRATIONS)
    ]  # fmt: skip
    outcomes = rush("confirm", tokens)
    assert [o for o in outcomes if o.startswith("error")] == []
    assert outcomes.count("registered") == 20
    assert outcomes.count("waiting") == 80
    registered = Registration.objects.filter(status=Registration.Status.REGISTERED)
    assert registered.count() == 20
    assert Registration.objects.filter(status=Registration.Status.WAITING).count() == 80

    # Ten cancel at once: exactly ten move up, the first ten of the waiting list.
    first_waiting = list(
        Registration.objects.filter(status=Registration.Status.WAITING)
        .order_by("confirmed_at", "pk")
        .values_list("pk", flat=True)[:10]
    )
    codes = [services.cancel_code(r) for r in registered.order_by("pk")[:10]]
    outcomes = rush("cancel", codes)
    assert [o for o in outcomes if o.startswith("error")] == []
    assert sum(int(o.split()[1]) for o in outcomes) == 10
    assert Registration.objects.filter(status=Registration.Status.REGISTERED).count() == 20
    assert set(
        Registration.objects.filter(moved_up_at__isnull=False).values_list("pk", flat=True)
    ) == set(first_waiting)

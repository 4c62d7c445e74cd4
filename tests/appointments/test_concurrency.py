"""Real parallel processes race for a handful of slots; the database must keep capacity.

Each round starts PROCESSES Python processes with THREADS clients each (every client has its
own database connection). They set up Django against this test run's database, wait at a gate
and then all try to book at once, each trying the known slots in random order until one
succeeds or all are taken.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import pytest

from rathaus.appointments.availability import free_slots
from rathaus.appointments.models import Booking, Occupancy
from tests.support import MONDAY, berlin, database_env, make_office, run_gated

PROCESSES = 8
THREADS = 8  # 64 clients per round; PostgreSQL of with_postgres.py allows 100 connections
ROUNDS = 3

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

CLIENT = r"""
import datetime as dt, json, os, random, sys, threading, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()
from django.db import connections
from rathaus.appointments import services
from rathaus.appointments.models import AppointmentType

type_id, gate, threads, prefix, now = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
starts = [dt.datetime.fromisoformat(s) for s in json.loads(sys.argv[6])]
now = dt.datetime.fromisoformat(now)
ready = threading.Barrier(threads + 1)
results = []

def client(n):
    try:
        kind = AppointmentType.objects.select_related("location").get(pk=type_id)
    finally:
        ready.wait()
    while not os.path.exists(gate):
        time.sleep(0.002)
    order = starts[:]
    random.shuffle(order)
    outcome = "taken"
    for start in order:
        try:
            services.book(kind, start, name="Racer", email=f"{prefix}-{n}@example.org", now=now)
        except services.SlotTaken:
            continue
        except Exception as exc:
            outcome = "error: " + repr(exc)
            break
        outcome = "booked"
        break
    results.append(outcome)
    connections.close_all()

workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
for worker in workers:
    worker.start()
ready.wait()
print("ready", flush=True)
for worker in workers:
    worker.join()
print(json.dumps(results), flush=True)
"""


def race(type_id: int, starts: list[dt.datetime], now: dt.datetime, tag: str) -> list[str]:
    env = database_env()
    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        arguments = [str(type_id), str(gate), str(THREADS), "", now.isoformat(),
                     json.dumps([start.isoformat() for start in starts])]  # fmt: skip
        commands = []
        for number in range(PROCESSES):
            arguments[3] = f"{tag}-p{number}"
            commands.append([sys.executable, "-c", CLIENT, *arguments])
        return run_gated(commands, gate, env)


@pytest.mark.django_db(transaction=True)
def test_clients_racing_for_ten_slots_get_exactly_ten_bookings():
    office = make_office()
    now = berlin(MONDAY - dt.timedelta(days=1), 12)
    for round_number, day in enumerate(MONDAY + dt.timedelta(days=n) for n in range(ROUNDS)):
        # Two desks x five starts = ten places.
        starts = [slot.start for slot in free_slots(office.kind, day, day, now=now)][:5]
        assert len(starts) == 5
        outcomes = race(office.kind.pk, starts, now, f"r{round_number}")
        assert len(outcomes) == PROCESSES * THREADS
        assert [o for o in outcomes if o not in ("booked", "taken")] == []
        assert outcomes.count("booked") == 10
        bookings = Booking.objects.filter(start__in=starts)
        assert bookings.count() == 10
        assert {(b.resource_id, b.start) for b in bookings} == {
            (desk, start) for desk in (office.desk_a.pk, office.desk_b.pk) for start in starts
        }
        assert free_slots(office.kind, day, day, now=now)[0].start not in starts
    assert Occupancy.objects.count() == 10 * ROUNDS * 6

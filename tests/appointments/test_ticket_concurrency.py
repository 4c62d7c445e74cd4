"""Clerks at several desks check people in at the same moment: every waiting number once.

Several processes with several threads each (every thread has its own database connection)
wait at a gate, then all draw numbers at once: check-ins of bookings (series without prefix)
and walk-in tickets (series W).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rathaus.appointments import services
from rathaus.appointments.models import Ticket
from tests.support import MONDAY, berlin, make_office, run_clients

PROCESSES = 4
THREADS = 10

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

CLIENT = r"""
import datetime as dt, json, os, sys, threading, time
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()
from django.db import connections
from rathaus.appointments import staff_services
from rathaus.appointments.models import Booking, Location

gate, location_id, now, jobs = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
now = dt.datetime.fromisoformat(now)
ready = threading.Barrier(len(jobs) + 1)
results = []

def client(job):
    try:
        location = Location.objects.select_related("authority").get(pk=location_id)
        booking = Booking.objects.get(pk=job) if job else None
    finally:
        ready.wait()
    while not os.path.exists(gate):
        time.sleep(0.002)
    try:
        if booking is None:
            ticket = staff_services.walk_in(location, None, now=now)
        else:
            ticket = staff_services.check_in(booking, None, now=now)
        results.append(ticket.label)
    except Exception as exc:
        results.append("error: " + repr(exc))
    connections.close_all()

workers = [threading.Thread(target=client, args=(job,)) for job in jobs]
for worker in workers:
    worker.start()
ready.wait()
print("ready", flush=True)
for worker in workers:
    worker.join()
print(json.dumps(results), flush=True)
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_check_ins_and_walk_ins_never_share_a_number():
    office = make_office()
    eve = berlin(MONDAY - dt.timedelta(days=1), 12)
    bookings = []
    for minute in range(0, 100, 10):  # ten starts x two desks of the 10-minute type
        start = berlin(MONDAY, 9) + dt.timedelta(minutes=minute)
        for desk in range(2):
            held = services.book(
                office.short, start, name="P", email=f"p{minute}-{desk}@example.org", now=eve
            )
            bookings.append(services.confirm(held.manage_token, now=eve).pk)
    jobs: list[int | None] = [*bookings, *([None] * (PROCESSES * THREADS - len(bookings)))]
    now = berlin(MONDAY, 8, 45)
    labels = run_clients(
        CLIENT,
        [[str(office.location.pk), now.isoformat(), json.dumps(jobs[number::PROCESSES])]
         for number in range(PROCESSES)],
    )  # fmt: skip
    assert [label for label in labels if label.startswith("error")] == []
    assert sorted(labels) == sorted(
        [str(n) for n in range(1, 21)] + [f"W{n}" for n in range(1, 21)]
    )
    assert Ticket.objects.filter(booking__isnull=False).count() == 20
    assert Ticket.objects.filter(series="W").count() == 20

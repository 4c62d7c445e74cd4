"""200 clients in parallel processes race over HTTP for 10 places against a real server.

The test starts ``rathaus serve`` (gunicorn, several worker processes) on this test run's
database, prepares one solved ALTCHA payload per client, and starts CLIENT_PROCESSES processes
with CLIENT_THREADS threads each. Behind a gate they all POST to the booking API at once; client
n asks for start n % 5, so each of the five starts (two desks each) is wanted by 40 clients.
Exactly ten must get 202, all others 409, none a server error; the database must hold ten
distinct (desk, start) bookings. Repeated for several days.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from altcha.v1 import ChallengeOptions, create_challenge, solve_challenge
from django.utils import timezone

from rathaus.accounts import altcha
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import Booking
from tests.support import ROOT, database_env, make_office, run_gated

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

CLIENT_PROCESSES = 8
CLIENT_THREADS = 25  # 200 clients
ROUNDS = 3
STARTS = 5  # x 2 desks = 10 places

CLIENT = r"""
import http.client, json, os, sys, threading, time
port, gate, jobs = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ready = threading.Barrier(len(jobs) + 1)
results = []

def client(job):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    ready.wait()
    while not os.path.exists(gate):
        time.sleep(0.002)
    try:
        connection.request("POST", "/api/v1/appointments/bookings", body=json.dumps(job),
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        results.append(response.status)
    except Exception as exc:
        results.append(repr(exc))
    finally:
        connection.close()

threads = [threading.Thread(target=client, args=(job,)) for job in jobs]
for thread in threads:
    thread.start()
ready.wait()
print("ready", flush=True)
for thread in threads:
    thread.join()
print(json.dumps(results), flush=True)
"""


def _payload() -> str:
    """A solved ALTCHA payload the server accepts (signed with its key; a small puzzle)."""
    challenge = create_challenge(ChallengeOptions(
        hmac_key=altcha._key(), max_number=20, expires=timezone.now() + dt.timedelta(minutes=5),
    ))  # fmt: skip
    solution = solve_challenge(challenge.challenge, challenge.salt, challenge.algorithm,
                               challenge.max_number, 0)  # fmt: skip
    payload = {"algorithm": challenge.algorithm, "challenge": challenge.challenge,
               "number": solution.number, "salt": challenge.salt,
               "signature": challenge.signature}  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_server(log: Path, authority: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**database_env(), "RATHAUS_WEB_WORKERS": "4", "RATHAUS_DEFAULT_AUTHORITY": authority,
           "RATHAUS_RATE_LIMIT_BOOKING": "100000", "RATHAUS_RATE_LIMIT_AVAILABILITY": "100000",
           "RATHAUS_EMAIL_URL": "outbox"}  # fmt: skip
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "rathaus", "serve", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/version") as response:
                response.read()
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)


def _race(port: int, jobs: list[dict[str, object]], directory: Path) -> list[object]:
    gate = directory / "go"
    gate.unlink(missing_ok=True)
    per_process = len(jobs) // CLIENT_PROCESSES
    commands = [
        [sys.executable, "-c", CLIENT, str(port), str(gate),
         json.dumps(jobs[number * per_process : (number + 1) * per_process])]
        for number in range(CLIENT_PROCESSES)
    ]  # fmt: skip
    return run_gated(commands, gate)


@pytest.mark.django_db(transaction=True)
def test_two_hundred_clients_over_http_get_exactly_ten_bookings():
    office = make_office()
    office.location.min_lead_minutes = 0
    office.location.save()
    days: dict[dt.date, list[dt.datetime]] = {}
    for slot in free_slots(office.kind):
        days.setdefault(slot.start.astimezone(TZ).date(), []).append(slot.start)
    rounds = [starts[:STARTS] for starts in days.values() if len(starts) >= STARTS][:ROUNDS]
    assert len(rounds) == ROUNDS
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        server, port = _start_server(directory / "server.log", office.location.authority.slug)
        try:
            for number, starts in enumerate(rounds):
                jobs = [
                    {"type": office.kind.pk, "location": office.location.slug,
                     "start": starts[n % STARTS].isoformat(), "name": "Racer",
                     "email": f"r{number}-{n}@example.org", "altcha": _payload()}
                    for n in range(CLIENT_PROCESSES * CLIENT_THREADS)
                ]  # fmt: skip
                results = _race(port, jobs, directory)
                assert len(results) == 200
                assert [r for r in results if r not in (202, 409)] == [], (
                    directory / "server.log"
                ).read_text()[-3000:]
                assert results.count(202) == 10
                bookings = Booking.objects.filter(start__in=starts, status=Booking.Status.HELD)
                assert {(b.resource_id, b.start) for b in bookings} == {
                    (desk, start) for desk in (office.desk_a.pk, office.desk_b.pk)
                    for start in starts
                }  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)

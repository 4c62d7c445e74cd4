#!/usr/bin/env python3
"""Appointment booking: free-time latency over 90 days and holds per second in a rush.

Sets up a fresh database with the Barleben demo, starts ``rathaus serve`` (gunicorn) and
``rathaus worker`` in production mode on loopback, then

1. asks the API for the free times of every demo appointment type over 90 days
   (``GET /api/v1/appointments/availability``), with 1 and 8 clients;
2. lets CLIENTS clients (threads in several processes) rush the booking API at once, each with
   its own solved ALTCHA challenge and its own free time, and counts holds per second;
3. runs the same transaction as a hold — quota row, conditional quota UPDATE, booking row, one
   occupancy row per 5-minute cell — as raw SQL in one connection on the same database, which is
   the rate of that write transaction without HTTP, Django or the proof-of-work check.

    .venv/bin/python bench/appointments.py [--clients 500] [--workers 2]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/appointments.py

Only 127.0.0.1 is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from common import add_smoke_option, get, measure, print_table, production_server

TZ = ZoneInfo("Europe/Berlin")
HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
PROCESSES = 5

RUSH_CLIENT = r"""
import http.client, json, os, sys, threading, time
port, gate, jobs = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ready = threading.Barrier(len(jobs) + 1)
results = []

def client(job):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.connect()
    ready.wait()
    while not os.path.exists(gate):
        time.sleep(0.001)
    started = time.perf_counter()
    connection.request("POST", "/api/v1/appointments/bookings", body=json.dumps(job),
                       headers={"Content-Type": "application/json",
                                "X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
    response = connection.getresponse()
    response.read()
    results.append([response.status, time.perf_counter() - started, time.time()])
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


def fetch(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status} {body[:200]!r}")
    return body


def demo_types(port: int) -> list[tuple[str, int]]:
    """(location slug, type id) of every type on the booking start page."""
    page = fetch(port, "/termine/").decode()
    return sorted({(slug, int(pk)) for slug, pk in re.findall(r'href="/termine/([\w-]+)/(\d+)/"',
                                                             page)})  # fmt: skip


def solve(port: int) -> str:
    """Fetch a challenge and solve it, as the browser widget does."""
    challenge = json.loads(fetch(port, "/api/v1/appointments/challenge"))
    salt, target = challenge["salt"], challenge["challenge"]
    for number in range(challenge["maxnumber"] + 1):
        if hashlib.sha256(f"{salt}{number}".encode()).hexdigest() == target:
            break
    else:
        raise RuntimeError("challenge not solvable")
    payload = {"algorithm": challenge["algorithm"], "challenge": target, "number": number,
               "salt": salt, "signature": challenge["signature"]}  # fmt: skip
    return base64.b64encode(json.dumps(payload).encode()).decode()


def rush(port: int, jobs: list[dict[str, object]]) -> tuple[float, float, float, int, int]:
    """All clients POST at once; p50, p95 (ms), holds per second, holds, other answers."""
    with tempfile.TemporaryDirectory() as directory:
        gate = Path(directory) / "go"
        # No process without jobs: it would print its (empty) result before "ready" is read.
        count = min(PROCESSES, len(jobs))
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    RUSH_CLIENT,
                    str(port),
                    str(gate),
                    json.dumps(jobs[n::count]),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(count)
        ]
        for process in processes:
            if process.stdout is None or process.stdout.readline().strip() != "ready":
                raise RuntimeError("a rush client did not start")
        started = time.time()
        gate.touch()
        results = []
        for process in processes:
            out, _err = process.communicate(timeout=600)
            results.extend(json.loads(out.strip().splitlines()[-1]))
    held = [r for r in results if r[0] == 202]
    elapsed = max(r[2] for r in results) - started
    cuts = statistics.quantiles([r[1] for r in results], n=100)
    return (
        cuts[49] * 1000,
        cuts[94] * 1000,
        len(held) / elapsed,
        len(held),
        len(results) - len(held),
    )


# The hold's writes; {p} is the driver's placeholder. Only constants are formatted in.
QUOTA_ROW = (
    "INSERT INTO appointments_personquota (appointment_type_id, email, active) "
    "VALUES ({p}, {p}, 0) ON CONFLICT DO NOTHING"
)
QUOTA_TAKE = (
    "UPDATE appointments_personquota SET active = active + 1 "
    "WHERE appointment_type_id = {p} AND email = {p} AND active < 2"
)
BOOKING_ROW = (
    "INSERT INTO appointments_booking (appointment_type_id, resource_id, location_id, start, "
    '"end", blocked_until, status, hold_expires_at, name, email, phone, token_hash, created_at, '
    "attendance, sequence) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, 'held', {p}, 'Raw', {p}, '', {p}, {p}, '', 0) "
    "RETURNING id"
)
CELL_ROW = (
    "INSERT INTO appointments_occupancy (booking_id, resource_id, start) VALUES ({p}, {p}, {p})"
)
FIRST_TYPE = (
    "SELECT t.id, t.location_id, r.resource_id FROM appointments_appointmenttype t "
    "JOIN appointments_resource_appointment_types r ON r.appointmenttype_id = t.id "
    "ORDER BY t.id LIMIT 1"
)


def _connect(env: dict[str, str]) -> tuple[Any, str, bool]:
    """A DB-API connection to the benchmark's database, its placeholder, SQLite or not."""
    url = env.get("RATHAUS_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        return psycopg.connect(url), "%s", False
    import sqlite3

    path = Path(env["RATHAUS_DATA_DIR"]) / "rathaus.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None, timeout=20)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection, "?", True


def raw_sql_rate(env: dict[str, str], count: int) -> float:
    """Transactions per second of the hold's writes as plain SQL in one connection."""
    connection, placeholder, sqlite = _connect(env)
    quota_row, quota_take, booking_row, cell_row = (
        sql.format(p=placeholder) for sql in (QUOTA_ROW, QUOTA_TAKE, BOOKING_ROW, CELL_ROW)
    )
    cursor = connection.cursor()
    cursor.execute(FIRST_TYPE)
    type_id, location_id, resource_id = cursor.fetchone()
    connection.commit()
    first = dt.datetime(2100, 1, 4, 8, tzinfo=dt.UTC)  # far beyond any real booking
    started = time.perf_counter()
    for n in range(count):
        start = first + dt.timedelta(minutes=30 * n)
        email = f"raw{n}@example.org"
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")  # as Django's SQLite settings do
        cursor.execute(quota_row, (type_id, email))
        cursor.execute(quota_take, (type_id, email))
        times = [(start + dt.timedelta(minutes=minutes)).isoformat() for minutes in (20, 30, 15)]
        cursor.execute(booking_row, (type_id, resource_id, location_id, start.isoformat(), *times,
                                     email, hashlib.sha256(email.encode()).hexdigest(),
                                     start.isoformat()))  # fmt: skip
        booking_id = cursor.fetchone()[0]
        cells = [(start + dt.timedelta(minutes=5 * c)).isoformat() for c in range(6)]
        cursor.executemany(cell_row, [(booking_id, resource_id, cell) for cell in cells])
        if sqlite:
            cursor.execute("COMMIT")
        else:
            connection.commit()
    rate = count / (time.perf_counter() - started)
    connection.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=500, help="clients in the booking rush")
    parser.add_argument("--requests", type=int, default=200, help="availability requests per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.requests, args.workers = 4, 4, 1
    postgres = os.environ.get("RATHAUS_DATABASE_URL", "").startswith("postgres")
    info: dict[str, object] = {}
    limits = {"RATHAUS_RATE_LIMIT_AVAILABILITY": "1000000", "RATHAUS_RATE_LIMIT_BOOKING": "1000000"}
    with production_server([["demo-data"]], args.workers, keep_database_url=postgres,
                           extra_env=limits, info=info) as port:  # fmt: skip
        today = dt.datetime.now(TZ).date()
        last = today + dt.timedelta(days=89)
        types = demo_types(port)
        paths = [f"/api/v1/appointments/availability?type={pk}&location={slug}"
                 f"&from={today}&to={last}" for slug, pk in types]  # fmt: skip
        total = sum(len(json.loads(fetch(port, path))["slots"]) for path in paths)
        rows = []
        for clients in (1, 8):
            print(f"free times over 90 days with {clients} client(s) …", file=sys.stderr)
            rows.append(("free times, 90 days, one type", clients,
                         *measure(port, paths, clients, args.requests)))  # fmt: skip
        # One distinct free time (and desk) per client, across all types.
        places: list[tuple[str, int, str]] = []
        for (slug, pk), path in zip(types, paths, strict=True):
            for slot in json.loads(fetch(port, path))["slots"]:
                places.extend([(slug, pk, slot["start"])] * slot["free"])
        places = places[: args.clients]
        print(f"solving {len(places)} ALTCHA challenges …", file=sys.stderr)
        jobs = [{"type": pk, "location": slug, "start": start, "name": "Eile Rush",
                 "email": f"rush{n}@example.org", "altcha": solve(port)}
                for n, (slug, pk, start) in enumerate(places)]  # fmt: skip
        print(f"rush of {len(jobs)} clients …", file=sys.stderr)
        p50, p95, rate, held, other = rush(port, jobs)
        rows.append((f"booking rush: {held} holds, {other} refused", len(jobs), p50, p95, rate))
        get(port, "/health")
        print("raw SQL transactions …", file=sys.stderr)
        raw = raw_sql_rate(cast(dict[str, str], info["env"]), 20 if args.smoke else 2000)
    print_table(
        "Appointment booking",
        rows,
        f"gunicorn with {args.workers} workers; {total} free times in 90 days over "
        f"{len(types)} types; requests/s of the rush counts holds",
    )
    print(f"Same write transaction as raw SQL, one connection: {raw:.0f} transactions/s.\n")


if __name__ == "__main__":
    main()

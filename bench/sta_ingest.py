#!/usr/bin/env python3
"""Observation ingest: the dataArray extension and ``ingest.store`` against a plain INSERT loop
(ADR 0058).

Sets up a fresh database with one Thing, Datastream and FeatureOfInterest and a staff API key,
starts ``rathaus serve`` in production mode on loopback and measures, with the same generated
rows (one observation a second, results as floats):

1. ``POST /sta/v1.1/CreateObservations`` with BATCH rows per request, one client;
2. ``ingest.store`` called directly with BATCH readings per call (the path every writer uses);
3. a plain ``INSERT`` of one row per ``execute`` in one transaction (the baseline: what a simple
   ORM-free writer does), on the same database.

    .venv/bin/python bench/sta_ingest.py [--rows 200000] [--batch 10000]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/sta_ingest.py

Only 127.0.0.1 is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, add_smoke_option, print_table, production_server

START = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

CREATE = r"""
import json, sys, django
django.setup()
from rathaus.core import api_tokens
from django.contrib.auth.models import User
from rathaus.opendata.models import Datastream, FeatureOfInterest, ObservedProperty, Sensor, Thing
M = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
thing = Thing.objects.create(name="Bench", description="bench")
sensor = Sensor.objects.create(name="S", description="", encoding_type="text/html", metadata="m")
prop = ObservedProperty.objects.create(name="PM10", definition="pm10")
streams = [Datastream.objects.create(name=f"D{n}", description="", observation_type=M,
           unit_of_measurement={}, thing=thing, sensor=sensor, observed_property=prop)
           for n in range(3)]
feature = FeatureOfInterest.objects.create(name="F", description="", encoding_type="geo+json",
                                           feature={"type": "Point", "coordinates": [11.6, 52.2]})
user = User.objects.create(username="bench", is_staff=True, is_superuser=True)
key = api_tokens.create(user, "bench", 30).key
json.dump({"key": key, "streams": [s.pk for s in streams], "feature": feature.pk},
          open(sys.argv[1], "w"))
"""

# Runs in the server's environment: ingest.store and the plain INSERT loop on the same database.
DIRECT = r"""
import datetime, json, sys, time, django
django.setup()
from django.db import connection, transaction
from rathaus.opendata import ingest
setup = json.load(open(sys.argv[1]))
rows, batch = int(sys.argv[2]), int(sys.argv[3])
start = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
stream, feature = setup["streams"][1], setup["feature"]
readings = [ingest.Reading(stream, start + datetime.timedelta(seconds=n), 20.0 + (n % 97) / 10,
                           feature_of_interest_id=feature) for n in range(rows)]
now = start + datetime.timedelta(days=30)
began = time.perf_counter()
for offset in range(0, rows, batch):
    ingest.store(readings[offset:offset + batch], now=now)
store_seconds = time.perf_counter() - began

stream = setup["streams"][2]
ops = connection.ops
params = [(stream, feature, ops.adapt_datetimefield_value(start + datetime.timedelta(seconds=n)),
           20.0 + (n % 97) / 10) for n in range(rows)]
sql = ("INSERT INTO opendata_observation (datastream_id, feature_of_interest_id, "
       "phenomenon_time_start, result_number) VALUES (%s, %s, %s, %s)")
began = time.perf_counter()
for offset in range(0, rows, batch):
    with transaction.atomic(), connection.cursor() as cursor:
        for row in params[offset:offset + batch]:
            cursor.execute(sql, row)
loop_seconds = time.perf_counter() - began
print(json.dumps({"store": store_seconds, "loop": loop_seconds}))
"""


def post(port: int, key: str, body: bytes) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("POST", "/sta/v1.1/CreateObservations", body=body, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json",
        "X-Forwarded-Proto": "https", "Host": "127.0.0.1"})  # fmt: skip
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    if response.status != 201 or "error" in answer:
        raise RuntimeError(f"CreateObservations: HTTP {response.status}")
    return time.perf_counter() - started


def data_array(stream: int, feature: int, first: int, count: int) -> bytes:
    rows = [
        [(START + datetime.timedelta(seconds=n)).isoformat().replace("+00:00", "Z"),
         20.0 + (n % 97) / 10, feature]
        for n in range(first, first + count)
    ]  # fmt: skip
    components = ["phenomenonTime", "result", "FeatureOfInterest/id"]
    block = {"Datastream": {"@iot.id": stream}, "components": components, "dataArray": rows}
    return json.dumps([block]).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows per path (200,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per request (10,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    add_smoke_option(parser)
    args = parser.parse_args()
    rows, batch = (200, 50) if args.smoke else (args.rows, args.batch)
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-sta-") as folder:
        setup_file = Path(folder) / "setup.json"
        info: dict[str, object] = {}

        def prepare(env: dict[str, str]) -> None:
            subprocess.run([sys.executable, "-c", CREATE, str(setup_file)],
                           env={**env, "DJANGO_SETTINGS_MODULE": "rathaus.settings"}, cwd=ROOT,
                           check=True)  # fmt: skip

        with production_server([], args.workers, keep_database_url=True, prepare=prepare,
                               info=info) as port:  # fmt: skip
            setup = json.loads(setup_file.read_text())
            stream, feature = setup["streams"][0], setup["feature"]
            bodies = [data_array(stream, feature, first, min(batch, rows - first))
                      for first in range(0, rows, batch)]  # fmt: skip
            post(port, setup["key"], data_array(stream, feature, rows, 10))  # warm up
            started = time.perf_counter()
            durations = [post(port, setup["key"], body) for body in bodies]
            http_seconds = time.perf_counter() - started
            env = {**info["env"], "DJANGO_SETTINGS_MODULE": "rathaus.settings"}  # type: ignore[dict-item]
            direct = subprocess.run(
                [sys.executable, "-c", DIRECT, str(setup_file), str(rows), str(batch)],
                env=env, cwd=ROOT, check=True, capture_output=True, text=True,
            )  # fmt: skip
            seconds = json.loads(direct.stdout.strip().splitlines()[-1])
    cuts = statistics.quantiles(durations, n=100) if len(durations) > 1 else durations * 100
    print_table(
        "SensorThings ingest",
        [(f"CreateObservations, {batch} rows a request", 1, cuts[49] * 1000, cuts[94] * 1000,
          len(durations) / http_seconds)],
        f"{rows} observations per path, gunicorn with {args.workers} workers",
    )  # fmt: skip
    loop = rows / seconds["loop"]
    print("| path | observations/s | share of the INSERT loop |")
    print("|---|---:|---:|")
    for what, rate in (
        ("dataArray over HTTP (parse, check, store, answer)", rows / http_seconds),
        (f"ingest.store, {batch} readings a call", rows / seconds["store"]),
        ("plain INSERT loop, one row per execute", loop),
    ):
        print(f"| {what} | {rate:,.0f} | {rate / loop:.0%} |")
    print()


if __name__ == "__main__":
    main()

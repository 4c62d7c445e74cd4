#!/usr/bin/env python3
"""Observations through MQTT into the database: messages per second, beside a plain INSERT loop.

Migrates a fresh database (a new SQLite file, or the empty PostgreSQL database named by
RATHAUS_DATABASE_URL, as scripts/with_postgres.py provides), creates ``--datastreams``
datastreams and starts a local mosquitto (the configuration ``rathaus mqtt-broker`` uses).
Then, with the real ``rathaus mqtt-consumer`` process:

- live: the consumer is running and ``--messages`` observations are published (QoS 1);
  measured from the first publish until the last one is committed;
- backlog: the consumer is down while the messages are published (its persistent session keeps
  them at the broker), then it starts; measured from its start-up line until the last commit
  (how fast a consumer catches up: the consumer's own rate).

p50/p95 are the consumer's time per batch (take, check, store, commit). The baseline is a plain
loop of single-row INSERTs of the same rows into the observation table, in one transaction, on
the same database. Prints a Markdown table.

    .venv/bin/python bench/mqtt_ingest.py [--messages 100000] [--datastreams 20]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/mqtt_ingest.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import ROOT, add_smoke_option, cpu_model, database_name, rathaus

BATCH_LINE = re.compile(r"batch: (\d+) stored.* in ([0-9.]+) ms")
T0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--datastreams", type=int, default=20)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.messages, args.datastreams = 600, 3
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-") as data_dir:
        env = {**os.environ, "RATHAUS_DATA_DIR": data_dir, "RATHAUS_LOG_LEVEL": "WARNING"}
        print("setting up a fresh database …", file=sys.stderr)
        rathaus(env, "migrate", "--noinput")
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        run(args, env, Path(data_dir))


def run(args: argparse.Namespace, env: dict[str, str], data_dir: Path) -> None:
    from django.db import connection

    from rathaus.opendata.models import Datastream, Observation, ObservedProperty, Sensor, Thing
    from rathaus.opendata.mqtt.broker import Broker, free_port
    from rathaus.opendata.mqtt.messages import topic_for
    from rathaus.opendata.mqtt.simulator import Publisher

    thing = Thing.objects.create(name="Messstation")
    sensor = Sensor.objects.create(name="Sensor", encoding_type="text/plain", metadata="-")
    prop = ObservedProperty.objects.create(name="PM10", definition="PM10")
    measurement = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"
    streams = [
        Datastream.objects.create(
            name=f"PM10 {n}", thing=thing, sensor=sensor, observed_property=prop,
            observation_type=measurement, unit_of_measurement={"symbol": "µg/m³"},
        ).pk
        for n in range(args.datastreams)
    ]  # fmt: skip

    def items(offset: int) -> list[tuple[str, bytes]]:
        return [
            (topic_for(streams[n % len(streams)]), json.dumps({
                "phenomenonTime": (T0 + datetime.timedelta(seconds=offset + n)).isoformat(),
                "result": round(15 + (n % 97) / 7, 2),
            }).encode())
            for n in range(args.messages)
        ]  # fmt: skip

    def stored() -> int:
        return Observation.objects.count()

    def consumer() -> tuple[subprocess.Popen[str], list[float]]:
        process = subprocess.Popen(
            [sys.executable, "-m", "rathaus", "mqtt-consumer", "--url", broker.url,
             "--verbosity", "2"],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        if process.stdout is None or "Storing" not in process.stdout.readline():
            raise SystemExit("the consumer did not start")
        batches: list[float] = []

        def read() -> None:
            for line in process.stdout:  # type: ignore[union-attr]
                found = BATCH_LINE.search(line)
                if found:
                    batches.append(float(found.group(2)))

        threading.Thread(target=read, daemon=True).start()
        return process, batches

    def wait_until(total: int) -> None:
        deadline = time.monotonic() + 600
        while stored() < total:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {stored()} of {total} stored")
            time.sleep(0.02)

    rows = []
    with Broker(data_dir / "mosquitto", free_port()) as broker:
        # live
        process, batches = consumer()
        time.sleep(0.5)  # subscribed
        live = items(0)
        with Publisher(broker.url) as publisher:
            started = time.perf_counter()
            publisher.publish(live)
            published = time.perf_counter() - started
            wait_until(args.messages)
            elapsed = time.perf_counter() - started
        process.terminate()
        process.wait(30)
        rows.append(("MQTT live: publish → consumer → commit", batches, args.messages / elapsed))
        print(f"(publishing alone: {args.messages / published:.0f} messages/s)", file=sys.stderr)
        # backlog
        with Publisher(broker.url) as publisher:
            publisher.publish(items(args.messages))
        started = time.perf_counter()
        process, batches = consumer()
        started = time.perf_counter()
        wait_until(2 * args.messages)
        elapsed = time.perf_counter() - started
        process.terminate()
        process.wait(30)
        rows.append(("MQTT backlog: consumer catching up", batches, args.messages / elapsed))

    # baseline: the same rows, one INSERT each, one transaction
    values = [
        (streams[n % len(streams)], T0 + datetime.timedelta(seconds=2 * args.messages + n),
         round(15 + (n % 97) / 7, 2))
        for n in range(args.messages)
    ]  # fmt: skip
    sql = (
        "INSERT INTO opendata_observation (datastream_id, phenomenon_time_start, result_number) "
        "VALUES (%s, %s, %s)"
    )
    from django.db import transaction

    durations = []
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for row in values:
            began = time.perf_counter()
            cursor.execute(sql, row)
            durations.append(time.perf_counter() - began)
    baseline = args.messages / (time.perf_counter() - started)

    print(f"MQTT ingest: measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores "
          f"({cpu_model()}), Python {platform.python_version()}, {database_name()}, "
          f"{args.messages} messages over {args.datastreams} datastreams, QoS 1, batches of "
          f"up to 1000 (p50/p95: ms per batch; plain INSERT: ms per row).\n")  # fmt: skip
    print("| what | clients | p50 ms | p95 ms | requests/s |")
    print("|---|---:|---:|---:|---:|")
    for what, times, rate in rows:
        p50, p95 = quantiles(times)
        print(f"| {what} ({rate / baseline:.0%} of plain INSERT) | 1 | {p50:.1f} | {p95:.1f} | "
              f"{rate:.0f} |")  # fmt: skip
    p50, p95 = quantiles([d * 1000 for d in durations])
    print(f"| plain INSERT loop, same rows, one transaction | 1 | {p50:.3f} | {p95:.3f} | "
          f"{baseline:.0f} |")  # fmt: skip
    print()


def quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    cuts = statistics.quantiles(values, n=100)
    return cuts[49], cuts[94]


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Reading sensor data with 10 million observations: latest values, a day, deep pages.

Migrates a fresh database (a new SQLite file, or the empty PostgreSQL database named by
RATHAUS_DATABASE_URL, as scripts/with_postgres.py provides; there the observation table is
partitioned by month and the bench makes the partitions of its range first), creates
``--datastreams`` datastreams and generates ``--observations`` observations, one every five
minutes per datastream up to now, with one INSERT … SELECT in the database (a recursive CTE on
SQLite, ``generate_series`` on PostgreSQL), then the latest value of each datastream. Times, for
random datastreams, in-process through the ORM: the latest value as dashboards read it
(``LatestObservation``), the latest value from the series itself (what
``$orderby=phenomenonTime desc&$top=1`` does), the raw values of one day, and a page of 100
deep in a series by keyset and, for comparison, by OFFSET. Prints a Markdown table.

    .venv/bin/python bench/sta_query.py [--observations 10000000] [--queries 400]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/sta_query.py
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from common import add_smoke_option, fresh_database, print_table

SEED = 20261207
STEP_MINUTES = 5
MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"


def setup_streams(count: int) -> list[int]:
    from rathaus.opendata.models import Datastream, ObservedProperty, Sensor, Thing

    thing = Thing.objects.create(name="Bench station")
    sensor = Sensor.objects.create(name="Bench sensor", encoding_type="text/html", metadata="-")
    prop = ObservedProperty.objects.create(name="PM10", definition="urn:bench:pm10")
    streams = Datastream.objects.bulk_create(
        Datastream(name=f"PM10 {n}", observation_type=MEASUREMENT, thing=thing, sensor=sensor,
                   observed_property=prop, unit_of_measurement={"symbol": "µg/m³"})
        for n in range(count)
    )  # fmt: skip
    return [stream.pk for stream in streams]


def generate(streams: list[int], total: int) -> datetime.datetime:
    """``total`` rows, round robin over the streams, 5 minutes apart per stream, ending now."""
    from django.db import connection, transaction

    from rathaus.opendata import partitions

    per_stream = total // len(streams)
    end = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    start = end - datetime.timedelta(minutes=STEP_MINUTES * (per_stream - 1))
    months = (end.year - start.year) * 12 + end.month - start.month
    made = partitions.ensure_ahead(start, months=months + 1)
    if made["created"]:
        print(f"  partitions made: {len(made['created'])}", file=sys.stderr)
    first, count = streams[0], len(streams)
    if connection.vendor == "postgresql":
        sql = (
            "INSERT INTO opendata_observation (datastream_id, phenomenon_time_start, result_number)"
            " SELECT %s + x %% %s, %s::timestamptz + (x / %s) * interval '5 minutes',"
            " 20 + (x * 7919 %% 400) / 10.0 FROM generate_series(0::bigint, %s::bigint - 1) AS x"
        )
        params = [first, count, start, count, per_stream * count]
    else:
        sql = (
            "WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < %s - 1)"
            " INSERT INTO opendata_observation (datastream_id, phenomenon_time_start,"
            " result_number) SELECT %s + x %% %s,"
            " strftime('%%Y-%%m-%%d %%H:%%M:%%S', %s, '+' || ((x / %s) * 5) || ' minutes'),"
            " 20 + (x * 7919 %% 400) / 10.0 FROM n"
        )
        params = [per_stream * count, first, count, start.strftime("%Y-%m-%d %H:%M:%S"), count]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(
            "INSERT INTO opendata_latestobservation"
            " (datastream_id, observation_id, phenomenon_time, result_number)"
            " SELECT o.datastream_id, o.id, o.phenomenon_time_start, o.result_number"
            " FROM opendata_observation o WHERE o.phenomenon_time_start = %s",
            [connection.ops.adapt_datetimefield_value(end)],
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE opendata_observation")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return end


def timed(run: Callable[[], Any], count: int) -> tuple[float, float, float]:
    run()
    times = []
    for _ in range(count):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    cuts = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    return cuts[49] * 1000, cuts[94] * 1000, count / sum(times)


def measure(streams: list[int], end: datetime.datetime, per_stream: int, count: int) -> list:
    from rathaus.opendata.models import LatestObservation, Observation

    rng = random.Random(SEED)  # noqa: S311 (benchmark choice)
    pick = lambda: rng.choice(streams)  # noqa: E731
    deep = max(per_stream // 2, 1)
    deep_time = end - datetime.timedelta(minutes=STEP_MINUTES * deep)
    series = Observation.objects.filter
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("latest value (`LatestObservation`)",
         lambda: LatestObservation.objects.get(datastream_id=pick()).result_number),
        ("latest value from the series (index, newest first)",
         lambda: series(datastream_id=pick()).order_by("-phenomenon_time_start", "-id")
         .values_list("result_number", flat=True).first()),
        ("one day of raw values (288)",
         lambda: list(series(datastream_id=pick(),
                             phenomenon_time_start__gte=end - datetime.timedelta(days=1))
                      .order_by("phenomenon_time_start", "id")
                      .values_list("phenomenon_time_start", "result_number"))),
        (f"page of 100 by keyset, {deep} values deep",
         lambda: list(series(datastream_id=pick(), phenomenon_time_start__gt=deep_time)
                      .order_by("phenomenon_time_start", "id")
                      .values_list("id", "result_number")[:100])),
        (f"page of 100 by OFFSET {deep}",
         lambda: list(series(datastream_id=pick()).order_by("phenomenon_time_start", "id")
                      .values_list("id", "result_number")[deep : deep + 100])),
    ]  # fmt: skip
    return [(label, 1, *timed(run, count)) for label, run in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--observations", type=int, default=10_000_000)
    parser.add_argument("--datastreams", type=int, default=100)
    parser.add_argument("--queries", type=int, default=400)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.observations, args.datastreams, args.queries = 2_000, 10, 10
    with fresh_database():
        print(f"generating {args.observations} observations …", file=sys.stderr)
        started = time.perf_counter()
        streams = setup_streams(args.datastreams)
        end = generate(streams, args.observations)
        generated = time.perf_counter() - started
        print(f"  done in {generated:.0f} s; querying …", file=sys.stderr)
        per_stream = args.observations // args.datastreams
        rows = measure(streams, end, per_stream, args.queries)
    print_table(
        "Sensor data queries",
        rows,
        f"{per_stream * args.datastreams:,} observations of {args.datastreams} datastreams "
        f"(one every {STEP_MINUTES} minutes each), generated with SQL in {generated:.0f} s; "
        "in-process through the ORM, random datastreams, one query after another",
    )


if __name__ == "__main__":
    main()

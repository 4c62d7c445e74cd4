"""Monthly partitions of the observation table on PostgreSQL (see ADR 0060).

The migration ``0002_partition_observations`` declares the table partitioned by range of
``phenomenon_time_start``; partitions are named ``opendata_observation_pYYYYMM`` and cover one
calendar month in UTC. A DEFAULT partition takes whatever has no month partition. The worker
creates partitions ahead (``ensure_ahead``); it moves no rows: a month for which the DEFAULT
partition already holds rows is left out (PostgreSQL would refuse it) and reported. Retention
drops whole month partitions that lie before the cut-off (``drop_before``). On SQLite the table
is a plain table and every function here does nothing.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass

from django.db import connection

logger = logging.getLogger(__name__)

TABLE = "opendata_observation"
DEFAULT = f"{TABLE}_default"
AHEAD_MONTHS = 3
_NAME = re.compile(rf"^{TABLE}_p(\d{{4}})(\d{{2}})$")


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime.datetime
    end: datetime.datetime


def month_start(moment: datetime.datetime) -> datetime.datetime:
    utc = moment.astimezone(datetime.UTC)
    return datetime.datetime(utc.year, utc.month, 1, tzinfo=datetime.UTC)


def next_month(start: datetime.datetime) -> datetime.datetime:
    return (start + datetime.timedelta(days=32)).replace(day=1)


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)",
            [TABLE],
        )
        return bool(cursor.fetchone()[0])


def partitions() -> list[Partition]:
    """The month partitions, oldest first (the DEFAULT partition is not among them)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            start = datetime.datetime(int(match[1]), int(match[2]), 1, tzinfo=datetime.UTC)
            found.append(Partition(name, start, next_month(start)))
    return sorted(found, key=lambda partition: partition.start)


def _sql_time(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def ensure_ahead(
    now: datetime.datetime | None = None, months: int = AHEAD_MONTHS
) -> dict[str, list[str]]:
    """Create the partitions of this month and the next ``months``; moves no rows.

    Returns ``{"created": [...], "skipped": [...]}``: a month is skipped when the DEFAULT
    partition already holds rows of it (they stay there; retention deletes them in batches).
    """
    result: dict[str, list[str]] = {"created": [], "skipped": []}
    if not is_partitioned():
        return result
    from django.utils import timezone

    existing = {partition.name for partition in partitions()}
    start = month_start(now or timezone.now())
    for _ in range(months + 1):
        end = next_month(start)
        name = f"{TABLE}_p{start:%Y%m}"
        if name not in existing:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT EXISTS (SELECT 1 FROM {DEFAULT}"  # noqa: S608 - fixed names
                    " WHERE phenomenon_time_start >= %s AND phenomenon_time_start < %s)",
                    [start, end],
                )
                if cursor.fetchone()[0]:
                    logger.warning("partition %s not created: rows of it are in %s", name, DEFAULT)
                    result["skipped"].append(name)
                else:
                    cursor.execute(
                        f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF {TABLE}"
                        f" FOR VALUES FROM ('{_sql_time(start)}') TO ('{_sql_time(end)}')"
                    )
                    result["created"].append(name)
        start = end
    return result


def drop_before(cutoff: datetime.datetime) -> list[str]:
    """Drop every month partition that ends on or before ``cutoff``; returns their names."""
    dropped = []
    for partition in partitions():
        if partition.end <= cutoff:
            with connection.cursor() as cursor:
                # Deferred foreign-key checks of rows written in this transaction would block
                # the DROP ("pending trigger events"): run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"DROP TABLE {partition.name}")
            dropped.append(partition.name)
    return dropped

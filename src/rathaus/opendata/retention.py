"""Downsampling and retention of observations, run by the worker (see ADR 0060).

* ``aggregate_recent`` (every 15 minutes) recomputes the hourly ``Aggregate``s of the last
  ``RECENT`` hours from the raw numeric observations and the daily ones from the hourly ones:
  an upsert, so running it twice changes nothing and late values are taken in.
* ``remove_old`` (daily) removes raw observations older than
  ``RATHAUS_OBSERVATION_RETENTION_DAYS`` (0: never). First it stores the hourly aggregates of
  every hour before the cut-off that has none yet (it never replaces one: an hour's aggregate,
  once computed from complete raw data, is not spoiled by a late straggler), then it drops whole
  month partitions on PostgreSQL and deletes what is left in batches.

Hours are UTC hours; days are calendar days in the site's time zone (``TIME_ZONE``). Only
numeric results of datastreams are aggregated; observations of multi-datastreams are removed
without aggregates.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from rathaus.opendata import partitions
from rathaus.opendata.models import Aggregate, Datastream, MultiDatastream, Observation

RECENT = datetime.timedelta(days=2)
DELETE_BATCH = 10_000
_FIELDS = ["count", "minimum", "maximum", "total"]


class UtcHour(TruncHour):
    """The UTC hour of a time. On SQLite with the built-in ``strftime`` (times are stored as UTC
    text there) instead of Django's Python function, which is called once per row."""

    def __init__(self, expression: str) -> None:
        super().__init__(expression, tzinfo=datetime.UTC)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.lhs)
        return f"strftime('%%Y-%%m-%%d %%H:00:00', {sql})", params


def floor_hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


def _local_day_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.datetime(local.year, local.month, local.day))


def aggregate_hours(
    start: datetime.datetime | None, end: datetime.datetime, *, replace: bool = True
) -> tuple[int, datetime.datetime | None]:
    """Hourly aggregates of raw observations in ``[start, end)``; returns (rows, first hour).

    ``replace=False`` only adds hours that have no aggregate yet.
    """
    stream_ids = list(Datastream.objects.values_list("pk", flat=True))
    rows = (
        Observation.objects.filter(
            datastream_id__in=stream_ids,
            phenomenon_time_start__lt=end,
            result_number__isnull=False,
        )
        .annotate(hour=UtcHour("phenomenon_time_start"))
        .values("datastream_id", "hour")
        .annotate(
            n=Count("id"),
            low=Min("result_number"),
            high=Max("result_number"),
            sum=Sum("result_number"),
        )
        .order_by()
    )
    if start is not None:
        rows = rows.filter(phenomenon_time_start__gte=start)
    aggregates = [
        Aggregate(
            datastream_id=row["datastream_id"],
            period=Aggregate.Period.HOUR,
            start=row["hour"],
            count=row["n"],
            minimum=row["low"],
            maximum=row["high"],
            total=row["sum"],
        )
        for row in rows
    ]
    if not aggregates:
        return 0, None
    _upsert(aggregates, replace)
    return len(aggregates), min(aggregate.start for aggregate in aggregates)


def aggregate_days(start: datetime.datetime, end: datetime.datetime) -> int:
    """Daily aggregates (local days) from the hourly ones, for every day touching the range."""
    first = _local_day_start(start)
    last = _local_day_start(end) + datetime.timedelta(days=1)
    tz = timezone.get_current_timezone()
    rows = (
        Aggregate.objects.filter(period=Aggregate.Period.HOUR, start__gte=first, start__lt=last)
        .annotate(day=TruncDay("start", tzinfo=tz))
        .values("datastream_id", "day")
        .annotate(n=Sum("count"), low=Min("minimum"), high=Max("maximum"), sum=Sum("total"))
        .order_by()
    )
    aggregates = [
        Aggregate(
            datastream_id=row["datastream_id"],
            period=Aggregate.Period.DAY,
            start=row["day"],
            count=row["n"],
            minimum=row["low"],
            maximum=row["high"],
            total=row["sum"],
        )
        for row in rows
    ]
    _upsert(aggregates, replace=True)
    return len(aggregates)


def _upsert(aggregates: list[Aggregate], replace: bool) -> None:
    """One multi-row statement per batch (``bulk_create`` spent most of its time in Django)."""
    table = Aggregate._meta.db_table
    action = (
        "UPDATE SET " + ", ".join(f"{name} = excluded.{name}" for name in _FIELDS)
        if replace
        else "NOTHING"
    )
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (a.datastream_id, a.period, adapt(a.start), a.count, a.minimum, a.maximum, a.total)
        for a in aggregates
    ]
    with connection.cursor() as cursor:
        for offset in range(0, len(rows), 500):
            batch = rows[offset : offset + 500]
            cursor.execute(
                f"INSERT INTO {table}"  # noqa: S608 - fixed names
                " (datastream_id, period, start, count, minimum, maximum, total) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(batch))
                + f" ON CONFLICT (datastream_id, period, start) DO {action}",
                [value for row in batch for value in row],
            )


def aggregate_recent(now: datetime.datetime | None = None) -> dict[str, int]:
    """Recompute the aggregates of the last ``RECENT`` (the current hour included)."""
    moment = now or timezone.now()
    start = floor_hour(moment) - RECENT
    end = floor_hour(moment) + datetime.timedelta(hours=1)
    with transaction.atomic():
        hours, _first = aggregate_hours(start, end)
        days = aggregate_days(start, end) if hours else 0
    return {"hours": hours, "days": days}


def cutoff(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Raw observations before this moment are removed; ``None``: they are kept forever."""
    days = settings.RATHAUS_OBSERVATION_RETENTION_DAYS
    if not days:
        return None
    return floor_hour(now or timezone.now()) - datetime.timedelta(days=days)


def remove_old(now: datetime.datetime | None = None) -> dict[str, Any]:
    """Keep the aggregates of old raw data, then remove the raw data; returns what was done."""
    limit = cutoff(now)
    if limit is None:
        return {"kept": "forever"}
    with transaction.atomic():
        hours, first = aggregate_hours(None, limit, replace=False)
        days = aggregate_days(first, limit) if first is not None else 0
    dropped = partitions.drop_before(limit)
    deleted = 0
    for column, model in (("datastream_id", Datastream), ("multi_datastream_id", MultiDatastream)):
        for owner in model.objects.values_list("pk", flat=True):
            deleted += _delete_batched(column, owner, limit)
    return {"hours": hours, "days": days, "partitions_dropped": dropped, "deleted": deleted}


def _delete_batched(column: str, owner: int, limit: datetime.datetime) -> int:
    """Delete one series' rows before ``limit``, ``DELETE_BATCH`` at a time (short locks)."""
    table = Observation._meta.db_table
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table}"  # noqa: S608
                f" WHERE {column} = %s AND phenomenon_time_start < %s LIMIT %s)",
                [owner, limit, DELETE_BATCH],
            )
            removed: int = cursor.rowcount
        total += removed
        if removed < DELETE_BATCH:
            return total

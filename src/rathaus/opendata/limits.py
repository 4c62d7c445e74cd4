"""What a threshold's limit is compared with (ADR 0061, "Limits and what they apply to").

The law words limits for a statistic of the values: the EU limit of PM10 is a daily mean, that
of PM2.5 an annual mean, that of NO₂ an hourly value. A threshold says which
(``Threshold.statistic``); the alerts and the dashboards compare the limit with:

- single value → the newest value (an alert also needs ``minutes`` of values beyond it);
- daily mean → the mean of the values of the current local day so far (provisional until the
  day is over; the pages say so);
- annual mean → the mean of the current local year so far: the daily aggregates of the days
  before today and today's raw values.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone

from rathaus.opendata.models import Aggregate, Observation, Threshold


@dataclass(frozen=True)
class Mean:
    """The mean of a datastream's values since ``since`` (start of the day or the year)."""

    value: float
    count: int
    since: datetime.datetime


def day_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.datetime(local.year, local.month, local.day))


def year_start(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.datetime(local.year, 1, 1))


def _today(datastream_ids: list[int], since: datetime.datetime) -> dict[int, tuple[float, int]]:
    rows = (
        Observation.objects.filter(
            datastream_id__in=datastream_ids,
            phenomenon_time_start__gte=since,
            result_number__isnull=False,
        )
        .values("datastream_id")
        .annotate(total=Sum("result_number"), n=Count("id"))
        .order_by()
    )
    return {row["datastream_id"]: (float(row["total"]), row["n"]) for row in rows}


def means(
    statistic: str, datastream_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, Mean]:
    """The daily or annual mean so far of each datastream that has values in the period."""
    ids = list(datastream_ids)
    if not ids or statistic == Threshold.Statistic.VALUE:
        return {}
    moment = now or timezone.now()
    today = day_start(moment)
    sums = _today(ids, today)
    since = today
    if statistic == Threshold.Statistic.ANNUAL_MEAN:
        since = year_start(moment)
        earlier = (
            Aggregate.objects.filter(
                datastream_id__in=ids,
                period=Aggregate.Period.DAY,
                start__gte=since,
                start__lt=today,
            )
            .values("datastream_id")
            .annotate(total=Sum("total"), n=Sum("count"))
            .order_by()
        )
        for row in earlier:
            total, n = sums.get(row["datastream_id"], (0.0, 0))
            sums[row["datastream_id"]] = (total + float(row["total"] or 0), n + (row["n"] or 0))
    return {stream: Mean(total / n, n, since) for stream, (total, n) in sums.items() if n}


def _own_places(limit: float, least: int) -> int:
    places = least
    while places < 3 and round(limit, places) != limit:
        places += 1
    return places


def limit_decimals(value: float | None, limit: float) -> int:
    """The limit's decimals: its own (50 → 0, 46.4 → 1), or the value's where they must agree."""
    needed = decimals(value, limit)
    return needed if needed > _own_places(limit, 1) else _own_places(limit, 0)


def decimals(value: float | None, limit: float) -> int:
    """Enough decimals (1 to 3) that a value beyond the limit does not read as the limit."""
    places = _own_places(limit, 1)
    if value is None:
        return places
    while places < 3 and value != limit and round(value, places) == round(limit, places):
        places += 1
    return places

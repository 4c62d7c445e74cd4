"""What the dashboards at /daten/ show, read in few queries (ADR 0061).

Current values come from ``LatestObservation`` only (never from the history). Series: a day
from raw observations, a week from hourly aggregates, a year from daily aggregates; the hours or
days after the newest aggregate (the worker has not made them yet, or a series was imported
moments ago) are computed from the raw observations with the same buckets.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncHour
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Authority
from rathaus.opendata import limits
from rathaus.opendata.models import (
    Aggregate,
    Alert,
    Datastream,
    LatestObservation,
    Observation,
    Threshold,
    Topic,
)

# The public address of each dashboard (German, like every address of the portal).
SLUGS: dict[str, str] = {
    "luft": Topic.AIR,
    "grundwasser": Topic.GROUNDWATER,
    "verkehr": Topic.TRAFFIC,
    "bus": Topic.BUS,
}
TOPIC_SLUG = {topic: slug for slug, topic in SLUGS.items()}
INTROS = {
    Topic.AIR: _(
        "Fine dust (PM10, PM2.5) and nitrogen dioxide (NO2) in the air, compared with the "
        "limit values of the European Union: for PM10 the daily mean (above 50 µg/m³ on at "
        "most 35 days a year), for PM2.5 the annual mean, for NO2 each hourly value."
    ),
    Topic.GROUNDWATER: _("Groundwater levels at the gauges, compared with the town's thresholds."),
    Topic.TRAFFIC: _("Vehicles counted on the roads."),
    Topic.BUS: _("Passengers counted on the bus lines."),
}


_VALUE, _DAY, _YEAR = (
    Threshold.Statistic.VALUE,
    Threshold.Statistic.DAILY_MEAN,
    Threshold.Statistic.ANNUAL_MEAN,
)
_ABOVE, _BELOW = Threshold.Direction.ABOVE, Threshold.Direction.BELOW
# How a limit reads, worded as the law words it ("Tagesmittel höchstens 50 µg/m³").
LIMIT_WORDING: dict[tuple[str, str], Any] = {
    (_VALUE, _ABOVE): _("Value at most %(limit)s %(unit)s"),
    (_VALUE, _BELOW): _("Value at least %(limit)s %(unit)s"),
    (_DAY, _ABOVE): _("Daily mean at most %(limit)s %(unit)s"),
    (_DAY, _BELOW): _("Daily mean at least %(limit)s %(unit)s"),
    (_YEAR, _ABOVE): _("Annual mean at most %(limit)s %(unit)s"),
    (_YEAR, _BELOW): _("Annual mean at least %(limit)s %(unit)s"),
}
MEAN_WORDING: dict[str, Any] = {
    _DAY: _("Daily mean today so far: %(value)s %(unit)s"),
    _YEAR: _("Annual mean this year so far: %(value)s %(unit)s"),
}
NO_MEAN: dict[str, Any] = {
    _DAY: _("no daily mean yet today"),
    _YEAR: _("no annual mean yet this year"),
}
STATUS_WORDING: dict[tuple[str, str], Any] = {
    (_VALUE, "above"): _("above the limit"),
    (_VALUE, "below"): _("below the limit"),
    (_VALUE, "within"): _("within the limit"),
    (_DAY, "above"): _("daily mean so far above the limit"),
    (_DAY, "below"): _("daily mean so far below the limit"),
    (_DAY, "within"): _("daily mean so far within the limit"),
    (_YEAR, "above"): _("annual mean so far above the limit"),
    (_YEAR, "below"): _("annual mean so far below the limit"),
    (_YEAR, "within"): _("annual mean so far within the limit"),
}
EXPLANATION: dict[str, Any] = {
    _VALUE: _("The limit applies to each single value."),
    _DAY: _(
        "The limit applies to the mean of a day. Shown is the mean of today's values so far; "
        "it is final at midnight."
    ),
    _YEAR: _(
        "The limit applies to the mean of a calendar year. Shown is the mean of this year's "
        "values so far; it is final at the end of the year."
    ),
}


@dataclass(frozen=True)
class Period:
    slug: str
    label: Any
    span: datetime.timedelta
    source: str  # "raw", "hour" or "day"


PERIODS = {
    "tag": Period("tag", _("Day"), datetime.timedelta(days=1), "raw"),
    "woche": Period("woche", _("Week"), datetime.timedelta(days=7), Aggregate.Period.HOUR),
    "jahr": Period("jahr", _("Year"), datetime.timedelta(days=365), Aggregate.Period.DAY),
}
DEFAULT_PERIOD = "tag"
BUCKET: dict[str, datetime.timedelta] = {
    Aggregate.Period.HOUR: datetime.timedelta(hours=1),
    Aggregate.Period.DAY: datetime.timedelta(days=1),
}


@dataclass(frozen=True)
class Point:
    """One point of a series: a raw value, or the mean (with min and max) of a bucket."""

    time: datetime.datetime
    value: float
    minimum: float | None = None
    maximum: float | None = None
    count: int = 1


@dataclass
class Station:
    """A datastream as a row of a dashboard: its thing, newest value and limit."""

    datastream: Datastream
    latest: LatestObservation | None
    threshold: Threshold | None
    alerts: list[Alert] = field(default_factory=list)
    mean: limits.Mean | None = None  # the daily or annual mean the threshold applies to

    @property
    def unit(self) -> str:
        return str((self.datastream.unit_of_measurement or {}).get("symbol", ""))

    @property
    def value(self) -> float | None:
        return None if self.latest is None else self.latest.result_number

    @property
    def compared(self) -> float | None:
        """The value the limit applies to: the newest value, or the daily or annual mean."""
        if self.threshold is None or self.threshold.statistic == Threshold.Statistic.VALUE:
            return self.value
        return None if self.mean is None else self.mean.value

    @property
    def beyond(self) -> bool:
        compared = self.compared
        if compared is None or self.threshold is None:
            return False
        if self.threshold.direction == Threshold.Direction.BELOW:
            return compared < self.threshold.value
        return compared > self.threshold.value

    @property
    def decimals(self) -> int:
        """Decimals of the value and the limit, so that their comparison is visible."""
        if self.threshold is None:
            return 1
        return limits.decimals(self.compared, self.threshold.value)

    def _number(self, value: float, places: int | None = None) -> str:
        return formats.number_format(
            value, self.decimals if places is None else places, use_l10n=True
        )

    @property
    def limit_text(self) -> str:
        """The limit as the law words it, e.g. "Tagesmittel höchstens 50 µg/m³"."""
        if self.threshold is None:
            return ""
        wording = LIMIT_WORDING[(self.threshold.statistic, self.threshold.direction)]
        places = limits.limit_decimals(self.compared, self.threshold.value)
        limit = self._number(self.threshold.value, places)
        return str(wording % {"limit": limit, "unit": self.unit})

    @property
    def mean_text(self) -> str:
        """The daily or annual mean compared with the limit ("" for single values)."""
        if self.threshold is None or self.threshold.statistic == _VALUE:
            return ""
        if self.mean is None:
            return str(NO_MEAN[self.threshold.statistic])
        wording = MEAN_WORDING[self.threshold.statistic]
        return str(wording % {"value": self._number(self.mean.value), "unit": self.unit})

    @property
    def status_text(self) -> str:
        """Above, below or within the limit, naming the mean it applies to; "" if unknown."""
        if self.threshold is None or self.compared is None:
            return ""
        state = self.threshold.direction if self.beyond else "within"
        return str(STATUS_WORDING[(self.threshold.statistic, state)])

    @property
    def explanation(self) -> str:
        return "" if self.threshold is None else str(EXPLANATION[self.threshold.statistic])

    @property
    def location(self) -> Any:
        locations = list(self.datastream.thing.locations.all())
        return locations[0] if locations else None


def visible_datastreams(authority: Authority | None) -> QuerySet[Datastream]:
    """Datastreams whose thing belongs to every portal or to this authority's."""
    shown = Q(thing__authority__isnull=True)
    if authority is not None:
        shown |= Q(thing__authority=authority)
    return Datastream.objects.filter(shown).exclude(topic=Topic.OTHER)


def stations(
    authority: Authority | None, topic: str | None = None, now: datetime.datetime | None = None
) -> list[Station]:
    """The rows of a dashboard (or of all dashboards), in a fixed number of queries."""
    datastreams = visible_datastreams(authority)
    if topic is not None:
        datastreams = datastreams.filter(topic=topic)
    rows = list(
        datastreams.select_related("thing", "observed_property", "latest")
        .prefetch_related("thing__locations")
        .order_by("thing__name", "observed_property__name", "id")
    )
    ids = [row.pk for row in rows]
    thresholds: dict[int, Threshold] = {}
    for threshold in Threshold.objects.filter(datastream_id__in=ids, active=True).order_by(
        "datastream_id", "id"
    ):
        thresholds.setdefault(threshold.datastream_id, threshold)
    alerts: dict[int, list[Alert]] = {}
    for alert in open_alerts(ids):
        alerts.setdefault(alert.threshold.datastream_id, []).append(alert)
    mean_of: dict[int, limits.Mean] = {}
    for statistic in (Threshold.Statistic.DAILY_MEAN, Threshold.Statistic.ANNUAL_MEAN):
        mean_of |= limits.means(
            statistic,
            [ds for ds, threshold in thresholds.items() if threshold.statistic == statistic],
            now,
        )
    return [
        Station(
            row,
            _latest(row),
            thresholds.get(row.pk),
            alerts.get(row.pk, []),
            mean_of.get(row.pk),
        )
        for row in rows
    ]


def _latest(datastream: Datastream) -> LatestObservation | None:
    try:
        return datastream.latest
    except LatestObservation.DoesNotExist:
        return None


def open_alerts(datastream_ids: Iterable[int]) -> list[Alert]:
    return list(
        Alert.objects.filter(ended_at__isnull=True, threshold__datastream_id__in=datastream_ids)
        .select_related("threshold__datastream__thing", "threshold__datastream__observed_property")
        .order_by("-started_at", "-id")
    )


def series(
    datastream: Datastream, period: Period, now: datetime.datetime | None = None
) -> list[Point]:
    """The values of the period before ``now``, oldest first."""
    end = now or timezone.now()
    start = end - period.span
    if period.source == "raw":
        return _raw(datastream, start, end)
    aggregates = list(
        Aggregate.objects.filter(
            datastream=datastream, period=period.source, start__gte=start, start__lte=end
        ).order_by("start")
    )
    points = [
        Point(row.start, row.total / row.count, row.minimum, row.maximum, row.count)
        for row in aggregates
        if row.count
    ]
    # The newest hours or days may not be aggregated yet: those come from the raw values.
    rest_from = aggregates[-1].start + BUCKET[period.source] if aggregates else start
    return points + _bucketed(datastream, rest_from, end, period.source)


def _raw(datastream: Datastream, start: datetime.datetime, end: datetime.datetime) -> list[Point]:
    rows = (
        Observation.objects.filter(
            datastream=datastream,
            phenomenon_time_start__gte=start,
            phenomenon_time_start__lte=end,
            result_number__isnull=False,
        )
        .order_by("phenomenon_time_start", "id")
        .values_list("phenomenon_time_start", "result_number")
    )
    return [Point(time, value) for time, value in rows if value is not None]


def _bucketed(
    datastream: Datastream, start: datetime.datetime, end: datetime.datetime, source: str
) -> list[Point]:
    trunc = TruncHour if source == Aggregate.Period.HOUR else TruncDay
    rows = (
        Observation.objects.filter(
            datastream=datastream,
            phenomenon_time_start__gte=start,
            phenomenon_time_start__lte=end,
            result_number__isnull=False,
        )
        .annotate(bucket=trunc("phenomenon_time_start"))
        .values("bucket")
        .annotate(
            n=Count("id"),
            low=Min("result_number"),
            high=Max("result_number"),
            total=Sum("result_number"),
        )
        .order_by("bucket")
    )
    return [
        Point(row["bucket"], row["total"] / row["n"], row["low"], row["high"], row["n"])
        for row in rows
    ]

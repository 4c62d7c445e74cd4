"""Live sensor values and current alerts on the screens of the digital notice board
(``core.signage``, ADR 0067).

``opendata.sensors``: per station (thing) of the dashboards its newest values, each named by
the measured quantity (e.g. "Stickstoffdioxid (NO2)") with unit, below the station's name, and
when it was measured ("Gemessen um 10:20 Uhr"), from ``LatestObservation`` (one query) and the
active thresholds on single values (a second query): a value with such a threshold is rated
"über dem Grenzwert" or "im normalen Bereich". A value older than the ``hours`` option
(default 6) is marked as not current. ``opendata.alerts``: the open alerts of the thresholds
(``Alert`` without an end), severity "alert" (one query).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core import signage
from rathaus.core.models import Authority
from rathaus.opendata import dashboard
from rathaus.opendata.models import Alert, Datastream, Threshold, Topic

SENSORS = "opendata.sensors"
ALERTS = "opendata.alerts"
STALE_HOURS = 6
SINGLE_LIMITS = Threshold.objects.filter(active=True, statistic=Threshold.Statistic.VALUE)
HEADINGS: dict[str, Any] = {
    Topic.AIR: gettext_lazy("Air quality"),
    Topic.GROUNDWATER: gettext_lazy("Groundwater"),
    Topic.TRAFFIC: gettext_lazy("Traffic"),
    Topic.BUS: gettext_lazy("Bus"),
}


def stale_after(options: Mapping[str, Any]) -> datetime.timedelta:
    """The ``hours`` option: 1 to 168 hours, else 6."""
    try:
        hours = int(options.get("hours", STALE_HOURS))
    except (TypeError, ValueError):
        hours = STALE_HOURS
    return datetime.timedelta(hours=hours if 1 <= hours <= 168 else STALE_HOURS)


def time_in_words(moment: datetime.datetime, today: datetime.date) -> str:
    local = timezone.localtime(moment)
    time = _("%(time)s o'clock") % {"time": date_format(local, "H:i")}
    if local.date() == today:
        return _("today, %(time)s") % {"time": time}
    return f"{date_format(local, 'j. F')}, {time}"


def measured_at(moment: datetime.datetime, today: datetime.date) -> str:
    """``gemessen um 10:20 Uhr`` today, else ``gemessen am 5. Dezember um 10:20 Uhr``."""
    local = timezone.localtime(moment)
    if local.date() == today:
        return _("measured at %(time)s o'clock") % {"time": date_format(local, "H:i")}
    return _("measured on %(day)s at %(time)s o'clock") % {
        "day": date_format(local, "j. F"), "time": date_format(local, "H:i"),
    }  # fmt: skip


def quantity(datastream: Datastream) -> str:
    """The measured quantity in words, with its short name: "Stickstoffdioxid (NO2)"."""
    prop = datastream.observed_property
    words = " ".join(prop.description.split())
    if words and words != prop.name and len(words) <= 60:
        return f"{words} ({prop.name})"
    return prop.name


def rating(datastream: Datastream, value: float | None) -> str:
    """Against the active thresholds on single values (prefetched as ``single_limits``):
    beyond one of them, else in the normal range; "" without such a threshold."""
    limits = getattr(datastream, "single_limits", [])
    if not limits or value is None:
        return ""
    for threshold in limits:
        if threshold.direction == Threshold.Direction.ABOVE and value > threshold.value:
            return _("above the limit")
        if threshold.direction == Threshold.Direction.BELOW and value < threshold.value:
            return _("below the limit")
    return _("in the normal range")


def _reading(stream: Datastream) -> str:
    value = stream.latest.result_number
    reading = f"{_number(value)} {_unit(stream)}".strip()
    judged = rating(stream, value)
    return f"{reading} – {judged}" if judged else reading


def _unit(datastream: Datastream) -> str:
    return str((datastream.unit_of_measurement or {}).get("symbol", ""))


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    places = 0 if abs(value) >= 100 else 1
    # rounded first: number_format cuts a float's further digits off
    return formats.number_format(round(value, places), places, use_l10n=True)


def sensor_slides(authority: Authority, options: Mapping[str, Any]) -> Sequence[signage.Slide]:
    now = timezone.now()
    today = timezone.localdate()
    limit = stale_after(options)
    rows = (
        dashboard.visible_datastreams(authority)
        .filter(latest__isnull=False)
        .select_related("thing", "observed_property", "latest")
        .prefetch_related(Prefetch("thresholds", queryset=SINGLE_LIMITS, to_attr="single_limits"))
        .order_by("topic", "thing__name", "thing_id", "observed_property__name", "id")
    )
    topic = str(options.get("topic", ""))
    if topic in HEADINGS:
        rows = rows.filter(topic=topic)
    stations: dict[tuple[str, int], list[Datastream]] = {}
    for row in rows[:200]:
        stations.setdefault((row.topic, row.thing_id), []).append(row)
    found = []
    for (topic_key, _thing), streams in list(stations.items())[: SENSORS_SOURCE.limit]:
        newest = max(stream.latest.phenomenon_time for stream in streams)
        oldest = min(stream.latest.phenomenon_time for stream in streams)
        facts = [signage.Fact(quantity(stream), _reading(stream)) for stream in streams[:4]]
        lines = [capfirst(measured_at(newest, today))]
        if now - oldest > limit:
            lines.append(_("Not current: the last value is older than %(hours)s hours.")
                         % {"hours": int(limit.total_seconds() // 3600)})  # fmt: skip
        slug = dashboard.TOPIC_SLUG.get(topic_key, "")
        found.append(
            signage.Slide(
                heading=HEADINGS.get(topic_key, _("Measured values")),
                title=streams[0].thing.name,
                lines=lines,
                facts=facts,
                path=reverse("opendata:topic", args=[slug]) if slug else "",
                updated=newest,
            )
        )
    return found


def _limit(threshold: Threshold, unit: str) -> str:
    word = _("above") if threshold.direction == Threshold.Direction.ABOVE else _("below")
    return f"{word} {_number(threshold.value)} {unit}".strip()


def alert_slides(authority: Authority, options: Mapping[str, Any]) -> Sequence[signage.Slide]:
    today = timezone.localdate()
    visible = dashboard.visible_datastreams(authority)
    alerts = (
        Alert.objects.filter(ended_at__isnull=True, threshold__datastream__in=visible)
        .select_related("threshold__datastream__thing", "threshold__datastream__observed_property")
        .order_by("-started_at", "-id")[: ALERTS_SOURCE.limit]
    )
    found = []
    for alert in alerts:
        threshold = alert.threshold
        stream = threshold.datastream
        unit = _unit(stream)
        found.append(
            signage.Slide(
                heading=_("Alert"),
                title=f"{stream.observed_property.name}: {stream.thing.name}",
                lines=[_("Since %(when)s") % {"when": time_in_words(alert.started_at, today)}],
                facts=[
                    signage.Fact(_("Last value"), f"{_number(alert.last_value)} {unit}".strip()),
                    signage.Fact(_("Limit"), _limit(threshold, unit)),
                ],
                severity="alert",
                path=reverse("opendata:topic", args=[dashboard.TOPIC_SLUG[stream.topic]])
                if stream.topic in dashboard.TOPIC_SLUG
                else "",
                updated=alert.started_at,
            )
        )
    return found


SENSORS_SOURCE = signage.SignageSource(
    key=SENSORS,
    label=gettext_lazy("Measured values: air, groundwater and more"),
    slides=sensor_slides,
    description=gettext_lazy("The newest values of the measuring stations of the dashboards."),
    limit=8,
)
ALERTS_SOURCE = signage.SignageSource(
    key=ALERTS,
    label=gettext_lazy("Alerts: limits exceeded now"),
    slides=alert_slides,
    description=gettext_lazy("Current alerts of the thresholds, e.g. fine dust above the limit."),
    limit=5,
)


def ready() -> None:
    signage.register(SENSORS_SOURCE)
    signage.register(ALERTS_SOURCE)

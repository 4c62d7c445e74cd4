"""The rules of an assembly notice that the form's layout cannot say (ADR 0054).

Registered as the form check ``assemblies.notice`` (``forms.engine.extensions``): the forms
engine runs it with the other rules on every posted step, on the check page and at the API.

- The 48-hour rule of § 12 (1) VersammlG LSA: a public assembly in the open air or a procession
  is notified at least 48 hours before it is announced (Bekanntgabe: the first public call). The
  hours are counted straight through; unlike § 5 (1) NVersG, the law of Sachsen-Anhalt does not
  leave out Saturdays, Sundays or public holidays. An urgent assembly (Eilversammlung: the
  purpose would be lost by waiting) may be notified later, with its reason; a spontaneous one
  (Spontanversammlung: forms at once, without an organiser) needs no notice at all.
- Start not in the past, end after start, announcement not after the start.
- The optional route line (GeoJSON LineString of [longitude, latitude] points in Germany).
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

NOTICE_PERIOD = datetime.timedelta(hours=48)

# Germany's bounding box with a margin (longitude, latitude): a line drawn elsewhere is a mistake.
LONGITUDE = (5.5, 15.5)
LATITUDE = (47.0, 55.2)
MAX_POINTS = 2000


def moment(data: Mapping[str, Any], day: str, time: str) -> datetime.datetime | None:
    """The local date and time of two answers (``YYYY-MM-DD`` and ``HH:MM``), aware; None if
    either is missing or unreadable (the schema reports that)."""
    raw_day, raw_time = data.get(day), data.get(time)
    if not isinstance(raw_day, str) or not isinstance(raw_time, str):
        return None
    try:
        parsed_day = datetime.date.fromisoformat(raw_day)
        # "9:30" passes the form's clock-time check but not time.fromisoformat
        parsed_time = datetime.datetime.strptime(raw_time.strip(), "%H:%M").time()
    except ValueError:
        return None
    naive = datetime.datetime.combine(parsed_day, parsed_time)
    return naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def shown(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return date_format(local, "DATETIME_FORMAT")


def notice_problems(
    data: Mapping[str, Any], now: datetime.datetime | None = None
) -> list[tuple[str, str]]:
    """(path, German message) for every rule of the notice the data breaks."""
    now = now or timezone.now()
    path = data.get("notice_path")
    found: list[tuple[str, str]] = []
    start = moment(data, "start_date", "start_time")
    end = moment(data, "end_date", "end_time")
    announced = moment(data, "announcement_date", "announcement_time")
    if start is not None:
        # A spontaneous assembly may already have begun today; the others lie ahead.
        if path == "spontaneous":
            if start.date() < timezone.localtime(now).date():
                found.append(
                    ("start_date", _("The start lies in the past. Please check the date."))
                )
        elif start <= now:
            found.append(
                ("start_date", _("The start lies in the past. Please check the date and time."))
            )
    if start is not None and end is not None and end <= start:
        found.append(("end_date", _("The end must be after the start.")))
    if path in {"regular", "urgent"} and announced is not None:
        if start is not None and announced > start:
            found.append(
                (
                    "announcement_date",
                    _("The announcement must be before the start of the assembly."),
                )
            )
        elif path == "regular" and announced - now < NOTICE_PERIOD:
            found.append(("announcement_date", short_notice_message(announced, now)))
    found.extend(route_line_problems(data.get("route_line")))
    return found


def short_notice_message(announced: datetime.datetime, now: datetime.datetime) -> str:
    # shown to the minute: rounded up, so that the time shown is allowed
    exact = now + NOTICE_PERIOD
    earliest = exact.replace(second=0, microsecond=0)
    if earliest < exact:
        earliest += datetime.timedelta(minutes=1)
    return _(
        "At least 48 hours must lie between this notice and the announcement of the assembly "
        "(section 12 (1) of the assembly law of Saxony-Anhalt). If you send the notice now, "
        "you may announce the assembly from %(earliest)s. Please move the announcement, or "
        "choose “urgent assembly” on the first page and give the reason why you cannot keep "
        "the period."
    ) % {"earliest": shown(earliest)}


def route_line_problems(raw: Any) -> list[tuple[str, str]]:
    """The route line is optional; if given it is a GeoJSON LineString in Germany."""
    if not isinstance(raw, str) or not raw.strip():
        return []
    problem = _line_problem(raw)
    return [("route_line", problem)] if problem else []


def parse_line(raw: str) -> list[tuple[float, float]] | None:
    """The points of a valid route line, else None."""
    if _line_problem(raw):
        return None
    return [(float(x), float(y)) for x, y in json.loads(raw)["coordinates"]]


def _line_problem(raw: str) -> str:
    try:
        document = json.loads(raw)
    except ValueError:
        return _(
            "The route on the map cannot be read. Please draw it again, or empty the field: "
            "the list of streets is enough."
        )
    if not isinstance(document, dict) or document.get("type") != "LineString":
        return _("The route on the map must be a line (GeoJSON LineString).")
    points = document.get("coordinates")
    if not isinstance(points, list) or len(points) < 2:
        return _("The route on the map needs at least two points.")
    if len(points) > MAX_POINTS:
        return _("The route on the map has too many points (at most %(count)s).") % {
            "count": MAX_POINTS
        }
    for point in points:
        if not (
            isinstance(point, list)
            and len(point) in (2, 3)
            and all(
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
                for value in point
            )
        ):
            return _("Each point of the route must be a pair of numbers [longitude, latitude].")
        longitude, latitude = point[0], point[1]
        if not (
            LONGITUDE[0] <= longitude <= LONGITUDE[1] and LATITUDE[0] <= latitude <= LATITUDE[1]
        ):
            return _(
                "The route on the map lies outside Germany. Points are [longitude, latitude]; "
                "please draw the route again."
            )
    return ""

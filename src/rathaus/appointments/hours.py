"""The weekly hours in which a location takes appointments, as citizens read them.

They are derived from the opening hours of the location's active desks and staff, so the hours
a page publishes are the hours the calendar offers: "Montag 9–12 Uhr", "Dienstag 9–12 und
13–18 Uhr".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rathaus.appointments.locations import OpeningHours


@dataclass(frozen=True)
class DayHours:
    weekday: int
    label: str  # "Monday"
    times: str  # "9–12 and 13–18 o'clock"

    def __str__(self) -> str:
        return f"{self.label} {self.times}"


def _clock(time: dt.time) -> str:
    return f"{time.hour}" if time.minute == 0 else f"{time.hour}:{time.minute:02d}"


def merged(intervals: Iterable[tuple[dt.time, dt.time]]) -> list[tuple[dt.time, dt.time]]:
    """Overlapping or touching intervals joined: two desks 9–12 are one interval 9–12."""
    result: list[tuple[dt.time, dt.time]] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def weekly_hours(hours: Iterable[OpeningHours]) -> list[DayHours]:
    """One entry per weekday with hours, Monday first."""
    by_day: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for entry in hours:
        by_day.setdefault(entry.weekday, []).append((entry.start, entry.end))
    days = []
    for weekday in sorted(by_day):
        spans = [f"{_clock(start)}–{_clock(end)}" for start, end in merged(by_day[weekday])]
        joined = (
            spans[0]
            if len(spans) == 1
            else _("%(list)s and %(last)s")
            % {
                "list": ", ".join(spans[:-1]),
                "last": spans[-1],
            }
        )
        days.append(
            DayHours(
                weekday,
                str(OpeningHours.Weekday(weekday).label),
                _("%(times)s o'clock") % {"times": joined},
            )
        )
    return days


def location_hours(location_id: int) -> list[DayHours]:
    return weekly_hours(
        OpeningHours.objects.filter(resource__location_id=location_id, resource__active=True)
    )

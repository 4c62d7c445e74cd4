"""The month view of one appointment type: which days have free times, which are closed.

Free days come from :func:`rathaus.appointments.availability.free_slots` for the month; the
difference between "closed" and "fully booked" comes from the opening hours, closures and public
holidays (of the Land of the location's authority), so that a citizen learns whether waiting for
a cancellation can help; a day closed for a public holiday names it ("Geschlossen: Ostermontag").
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
import enum
from dataclasses import dataclass

from django.utils import timezone

from rathaus.appointments import availability
from rathaus.appointments.models import AppointmentType, Closure, OpeningHours, Visit


class DayState(enum.StrEnum):
    FREE = "free"
    FULL = "full"
    CLOSED = "closed"
    UNAVAILABLE = "unavailable"  # past, or beyond the booking horizon


@dataclass(frozen=True)
class Day:
    date: dt.date
    state: DayState
    free_count: int = 0
    holiday: str = ""  # the public holiday's name, on a day closed for it


@dataclass(frozen=True)
class Month:
    first: dt.date
    weeks: list[list[Day | None]]
    previous: dt.date | None
    next: dt.date | None
    any_free: bool
    beyond_horizon: bool  # part of the month lies beyond the booking horizon
    horizon_end: dt.date
    next_free: dt.date | None  # first day with free times after this month, if any
    next_release: dt.datetime | None = None  # when the day after horizon_end opens


def parse_month(text: str | None, today: dt.date) -> dt.date:
    """The first day of the month written as YYYY-MM; this month when missing or malformed."""
    if text:
        try:
            year, month = (int(part) for part in text.split("-", 1))
            return dt.date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _closed_days(
    appointment_type: AppointmentType | Visit, first: dt.date, last: dt.date
) -> dict[dt.date, str]:
    """Days on which no resource of the type works: holidays, closures, no opening hours.

    Each with the name of its public holiday, or "" when it is closed for another reason.
    """
    found = list(
        availability.serving(appointment_type).values_list("pk", "location__authority__state")
    )
    resource_ids = [pk for pk, _state in found]
    state = found[0][1] if found else availability.DEFAULT_STATE
    hours: dict[int, set[int]] = {}
    for resource_id, weekday in OpeningHours.objects.filter(
        resource_id__in=resource_ids
    ).values_list("resource_id", "weekday"):
        hours.setdefault(resource_id, set()).add(weekday)
    closed_location: set[dt.date] = set()
    closed_resource: set[tuple[int, dt.date]] = set()
    for resource_id, day in Closure.objects.filter(
        location_id=appointment_type.location_id, date__gte=first, date__lte=last
    ).values_list("resource_id", "date"):
        if resource_id is None:
            closed_location.add(day)
        else:
            closed_resource.add((resource_id, day))
    closed: dict[dt.date, str] = {}
    day = first
    while day <= last:
        working = [
            resource_id
            for resource_id in resource_ids
            if day.weekday() in hours.get(resource_id, set())
            and (resource_id, day) not in closed_resource
        ]
        holiday = availability.holiday_name(day, state)
        if day in closed_location or holiday or not working:
            closed[day] = holiday
        day += dt.timedelta(days=1)
    return closed


def month_view(
    appointment_type: AppointmentType | Visit, first: dt.date, *, now: dt.datetime | None = None
) -> Month:
    """The calendar of the month that starts on `first` (weeks from Monday to Sunday)."""
    now = now or timezone.now()
    today = timezone.localtime(now, availability.TZ).date()
    horizon_end = availability.horizon_end(appointment_type.location, now)
    last = _add_months(first, 1) - dt.timedelta(days=1)
    free_per_day: dict[dt.date, int] = {}
    for slot in availability.free_slots(appointment_type, first, last, now=now):
        day = slot.start.astimezone(availability.TZ).date()
        free_per_day[day] = free_per_day.get(day, 0) + 1
    closed = _closed_days(appointment_type, first, last)
    weeks: list[list[Day | None]] = []
    for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(
        first.year, first.month
    ):
        row: list[Day | None] = []
        for day in week:
            if day.month != first.month:
                row.append(None)
            elif day < today or day > horizon_end:
                row.append(Day(day, DayState.UNAVAILABLE))
            elif day in free_per_day:
                row.append(Day(day, DayState.FREE, free_per_day[day]))
            elif day in closed:
                row.append(Day(day, DayState.CLOSED, holiday=closed[day]))
            else:
                row.append(Day(day, DayState.FULL))
        weeks.append(row)
    this_month = today.replace(day=1)
    following = _add_months(first, 1)
    next_free = None
    if not free_per_day and following <= horizon_end:
        later = availability.free_slots(appointment_type, following, horizon_end, now=now)
        if later:
            next_free = later[0].start.astimezone(availability.TZ).date()
    return Month(
        first=first,
        weeks=weeks,
        previous=_add_months(first, -1) if first > this_month else None,
        next=following if following <= horizon_end else None,
        any_free=bool(free_per_day),
        beyond_horizon=last > horizon_end,
        horizon_end=horizon_end,
        next_free=next_free,
        next_release=availability.next_release(appointment_type.location, now),
    )


def in_range(appointment_type: AppointmentType | Visit, first: dt.date, now: dt.datetime) -> bool:
    """The month may be shown: not before this month, not after the horizon's month."""
    today = timezone.localtime(now, availability.TZ).date()
    horizon_end = availability.horizon_end(appointment_type.location, now)
    return today.replace(day=1) <= first <= horizon_end.replace(day=1)

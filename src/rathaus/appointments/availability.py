"""Free appointment slots, computed in Python from a handful of queries.

For an appointment type the engine takes every active resource of its location that can serve
the type, lays a grid of slot starts over each opening-hours interval (one step is the duration
plus the buffer, and the whole step must fit into the interval), drops days that are closed (for
the location or the resource) or public holidays in the Land of the location's authority
(``Authority.state``), drops starts before the
minimum lead time and days beyond the booking horizon, drops starts that overlap a time staff
blocked (:class:`~rathaus.appointments.models.Block`), and drops starts whose cells are taken by
an active booking. A held booking whose hold has run out counts as free even before the sweep
(:func:`rathaus.appointments.services.expire_holds`) marks it expired.

A combined visit (several appointment types, :class:`~rathaus.appointments.models.Visit`) is
offered only on resources that serve every one of its types, with one step of the grid being
the combined duration plus the largest buffer; whether all its cells are free is checked the
same way. A single type goes the same path with one filter on the resources.

Queries: resources (with their authority's Land, joined), their opening hours, closures, blocks,
bookings in the range — five in total, independent of the length of the range.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import holidays
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from rathaus.appointments.models import (
    CELL_MINUTES,
    AppointmentType,
    Block,
    Booking,
    Closure,
    Location,
    OpeningHours,
    Resource,
    Visit,
)

TZ = ZoneInfo("Europe/Berlin")
DEFAULT_DAYS = 90
_CELL_SECONDS = CELL_MINUTES * 60


class Slot(NamedTuple):
    start: dt.datetime  # aware, Europe/Berlin
    resource_ids: tuple[int, ...]  # resources free at this start


DEFAULT_STATE = "ST"  # Authority.State.ST, the default of the field
_HOLIDAY_LANGUAGES = {"de": "de", "en": "en_US"}


@lru_cache(maxsize=128)
def _holidays(state: str, year: int, language: str) -> dict[dt.date, str]:
    return dict(
        holidays.country_holidays("DE", subdiv=state, years=year, language=language).items()
    )


def is_holiday(day: dt.date, state: str = DEFAULT_STATE) -> bool:
    """A public holiday in the Land `state` (ISO 3166-2:DE code, e.g. ST, BY)."""
    return day in _holidays(state, day.year, "de")


def holiday_name(day: dt.date, state: str = DEFAULT_STATE) -> str:
    """The name of the public holiday on `day` in the language of the request, or ""."""
    language = _HOLIDAY_LANGUAGES.get((translation.get_language() or "de")[:2], "de")
    return _holidays(state, day.year, language).get(day, "")


def horizon_end(location: Location, now: dt.datetime) -> dt.date:
    """The last bookable day: the horizon from today, less one day before the release time.

    With a release time of 07:00 and a horizon of 30 days, the times of the day 30 days ahead
    open at 07:00; before 07:00 the last bookable day is 29 days ahead.
    """
    local = timezone.localtime(now, TZ)
    last = local.date() + dt.timedelta(days=location.booking_horizon_days)
    if location.release_time is not None and local.time() < location.release_time:
        last -= dt.timedelta(days=1)
    return last


def next_release(location: Location, now: dt.datetime) -> dt.datetime | None:
    """When the next day's times open, if the location releases them at a fixed time."""
    if location.release_time is None:
        return None
    local = timezone.localtime(now, TZ)
    day = local.date() if local.time() < location.release_time else local.date() + dt.timedelta(1)
    return dt.datetime.combine(day, location.release_time, tzinfo=TZ)


def cell(moment: dt.datetime) -> int:
    """Number of the occupancy cell that starts at this moment (cells count from the epoch)."""
    return int(moment.timestamp()) // _CELL_SECONDS


def cell_start(number: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(number * _CELL_SECONDS, tz=dt.UTC)


def serving(visit: AppointmentType | Visit) -> QuerySet[Resource]:
    """Active resources of the location that serve every appointment type of the visit."""
    resources = Resource.objects.filter(location_id=visit.location_id, active=True)
    for kind in Visit.of(visit).types:
        resources = resources.filter(appointment_types=kind)  # one join each: all of them
    return resources


class _Schedule:
    """Resources, hours and closures of one visit over a date range (no bookings)."""

    def __init__(
        self,
        appointment_type: AppointmentType | Visit,
        first: dt.date,
        last: dt.date,
        now: dt.datetime,
        resource_ids: Iterable[int] | None = None,
    ) -> None:
        location = appointment_type.location
        self.block = dt.timedelta(minutes=appointment_type.block_minutes)
        self.block_cells = appointment_type.block_minutes // CELL_MINUTES
        self.earliest = now + dt.timedelta(minutes=location.min_lead_minutes)
        today = timezone.localtime(now, TZ).date()
        self.first = max(first, today)
        self.last = min(last, horizon_end(location, now))
        resources = serving(appointment_type)
        if resource_ids is not None:
            resources = resources.filter(pk__in=list(resource_ids))
        found = list(resources.values_list("pk", "location__authority__state"))
        self.resource_ids = sorted(pk for pk, _state in found)
        self.state = found[0][1] if found else DEFAULT_STATE
        self.hours: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = defaultdict(list)
        self.closed_location: set[dt.date] = set()
        self.closed_resource: set[tuple[int, dt.date]] = set()
        if not self.resource_ids or self.first > self.last:
            self.resource_ids = []
            return
        for resource_id, weekday, start, end in OpeningHours.objects.filter(
            resource_id__in=self.resource_ids
        ).values_list("resource_id", "weekday", "start", "end"):
            self.hours[resource_id, weekday].append((start, end))
        for resource_id, day in Closure.objects.filter(
            location=location, date__gte=self.first, date__lte=self.last
        ).values_list("resource_id", "date"):
            if resource_id is None:
                self.closed_location.add(day)
            else:
                self.closed_resource.add((resource_id, day))
        begin = dt.datetime.combine(self.first, dt.time(0), tzinfo=TZ)
        finish = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)
        self.blocks: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        for resource_id, block_start, block_end in Block.objects.filter(
            resource_id__in=self.resource_ids, start__lt=finish, end__gt=begin
        ).values_list("resource_id", "start", "end"):
            self.blocks[resource_id].append((block_start, block_end))

    def _blocked(self, resource_id: int, moment: dt.datetime) -> bool:
        finish = moment + self.block
        return any(start < finish and moment < end for start, end in self.blocks[resource_id])

    def starts(self) -> Iterator[tuple[dt.datetime, int]]:
        """(start, resource id) of every slot by the schedule alone, in date order."""
        day = self.first
        one_day = dt.timedelta(days=1)
        while day <= self.last:
            if day not in self.closed_location and not is_holiday(day, self.state):
                weekday = day.weekday()
                for resource_id in self.resource_ids:
                    if (resource_id, day) in self.closed_resource:
                        continue
                    for opens, closes in self.hours.get((resource_id, weekday), ()):
                        moment = dt.datetime.combine(day, opens, tzinfo=TZ)
                        end = dt.datetime.combine(day, closes, tzinfo=TZ)
                        while moment + self.block <= end:
                            if moment >= self.earliest and not (
                                resource_id in self.blocks and self._blocked(resource_id, moment)
                            ):
                                yield moment, resource_id
                            moment += self.block
            day += one_day


def _busy_cells(
    resource_ids: list[int], first: dt.date, last: dt.date, now: dt.datetime
) -> set[tuple[int, int]]:
    """(resource id, cell) taken by active bookings, expired holds left out; one query."""
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=TZ)
    finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)
    stale_hold = Q(status=Booking.Status.HELD, hold_expires_at__lte=now)
    rows = (
        Booking.objects.filter(
            resource_id__in=resource_ids,
            status__in=Booking.ACTIVE,
            start__lt=finish,
            blocked_until__gt=begin,
        )
        .exclude(stale_hold)
        .values_list("resource_id", "start", "blocked_until")
    )
    busy: set[tuple[int, int]] = set()
    for resource_id, start, blocked_until in rows:
        busy.update((resource_id, number) for number in range(cell(start), cell(blocked_until)))
    return busy


def free_slots(
    appointment_type: AppointmentType | Visit,
    first: dt.date | None = None,
    last: dt.date | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """Free slots of the type from `first` to `last` (inclusive; default: 90 days from today)."""
    now = now or timezone.now()
    first = first or timezone.localtime(now, TZ).date()
    last = last or first + dt.timedelta(days=DEFAULT_DAYS - 1)
    schedule = _Schedule(appointment_type, first, last, now)
    if not schedule.resource_ids:
        return []
    busy = _busy_cells(schedule.resource_ids, schedule.first, schedule.last, now)
    free: dict[dt.datetime, list[int]] = defaultdict(list)
    block_cells = schedule.block_cells
    for moment, resource_id in schedule.starts():
        first_cell = cell(moment)
        if not any(
            (resource_id, number) in busy for number in range(first_cell, first_cell + block_cells)
        ):
            ids = free[moment]
            if resource_id not in ids:  # overlapping opening hours of one resource
                ids.append(resource_id)
    return [Slot(moment, tuple(sorted(ids))) for moment, ids in sorted(free.items())]


def scheduled_resources(
    appointment_type: AppointmentType | Visit, start: dt.datetime, *, now: dt.datetime
) -> list[int]:
    """Resources whose schedule has a slot of this type at `start`, bookings disregarded.

    Empty when `start` is in the past, too soon, beyond the horizon, on a closed day or holiday,
    outside opening hours or off the grid.
    """
    day = timezone.localtime(start, TZ).date()
    schedule = _Schedule(appointment_type, day, day, now)
    return sorted({resource_id for moment, resource_id in schedule.starts() if moment == start})

"""Figures of a location over a period: utilisation, no-shows, lead time and waiting time.

- Offered minutes: the opening hours of the active resources on each day, without closed days,
  public holidays and blocked times.
- Booked minutes: confirmed bookings (with their buffer), whatever happened at the desk later;
  a combined booking counts with its real length (the sum of its services plus its buffer).
- Appointments and services: a combined booking is one appointment with several services.
- No-show rate: of the appointments whose outcome staff recorded, the share marked "did not
  come".
- Lead time: from making the booking to the appointment, over confirmed bookings.
- Waiting time: from check-in (or drawing a walk-in number) to being called.

Six queries, independent of the length of the period (at most 92 days).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from rathaus.appointments.availability import TZ, is_holiday
from rathaus.appointments.models import (
    Block,
    Booking,
    Closure,
    Location,
    OpeningHours,
    Resource,
    Ticket,
)


@dataclass
class DayFigures:
    day: dt.date
    offered: int = 0  # minutes
    booked: int = 0  # minutes

    @property
    def utilisation(self) -> float | None:
        return self.booked / self.offered if self.offered else None


@dataclass
class Figures:
    first: dt.date
    last: dt.date
    days: list[DayFigures] = field(default_factory=list)
    appointments: int = 0
    combined: int = 0  # appointments with several services
    services: int = 0  # services over all appointments
    done: int = 0
    no_shows: int = 0
    lead_time: dt.timedelta | None = None
    waiting_time: dt.timedelta | None = None
    called: int = 0

    @property
    def offered(self) -> int:
        return sum(day.offered for day in self.days)

    @property
    def booked(self) -> int:
        return sum(day.booked for day in self.days)

    @property
    def utilisation(self) -> float | None:
        return self.booked / self.offered if self.offered else None

    @property
    def no_show_rate(self) -> float | None:
        recorded = self.done + self.no_shows
        return self.no_shows / recorded if recorded else None


def _minutes(delta: dt.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _overlap(a: dt.datetime, b: dt.datetime, c: dt.datetime, d: dt.datetime) -> dt.timedelta:
    return max(dt.timedelta(0), min(b, d) - max(a, c))


def _mean(deltas: list[dt.timedelta]) -> dt.timedelta | None:
    return sum(deltas, dt.timedelta(0)) / len(deltas) if deltas else None


def compute(location: Location, first: dt.date, last: dt.date) -> Figures:
    figures = Figures(first, last)
    begin = dt.datetime.combine(first, dt.time(0), tzinfo=TZ)
    finish = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)
    resource_ids = list(
        Resource.objects.filter(location=location, active=True).values_list("pk", flat=True)
    )
    state = location.authority.state
    hours: dict[tuple[int, int], list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for resource_id, weekday, start, end in OpeningHours.objects.filter(
        resource_id__in=resource_ids
    ).values_list("resource_id", "weekday", "start", "end"):
        hours[resource_id, weekday].append((start, end))
    closed: set[tuple[int | None, dt.date]] = set(
        Closure.objects.filter(location=location, date__gte=first, date__lte=last).values_list(
            "resource_id", "date"
        )
    )
    blocks: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
    for resource_id, block_start, block_end in Block.objects.filter(
        resource_id__in=resource_ids, start__lt=finish, end__gt=begin
    ).values_list("resource_id", "start", "end"):
        blocks[resource_id].append((block_start, block_end))

    by_day: dict[dt.date, DayFigures] = {}
    day = first
    while day <= last:
        figure = by_day[day] = DayFigures(day)
        if (None, day) not in closed and not is_holiday(day, state):
            for resource_id in resource_ids:
                if (resource_id, day) in closed:
                    continue
                for opens, closes in hours.get((resource_id, day.weekday()), ()):
                    opening = dt.datetime.combine(day, opens, tzinfo=TZ)
                    closing = dt.datetime.combine(day, closes, tzinfo=TZ)
                    blocked = sum(
                        (_overlap(opening, closing, b_start, b_end) for b_start, b_end in
                         blocks.get(resource_id, ())),
                        dt.timedelta(0),
                    )  # fmt: skip
                    figure.offered += _minutes(closing - opening - blocked)
        day += dt.timedelta(days=1)

    leads: list[dt.timedelta] = []
    for booked_start, blocked_until, created_at, attendance, items in (
        Booking.objects.filter(
            location=location, status=Booking.Status.CONFIRMED, start__gte=begin, start__lt=finish
        )
        .annotate(services=Count("items"))
        .values_list("start", "blocked_until", "created_at", "attendance", "services")
    ):
        figure = by_day[timezone.localtime(booked_start, TZ).date()]
        figure.booked += _minutes(blocked_until - booked_start)
        figures.appointments += 1
        figures.services += max(items, 1)
        figures.combined += items > 1
        leads.append(booked_start - created_at)
        if attendance == Booking.Attendance.DONE:
            figures.done += 1
        elif attendance == Booking.Attendance.NO_SHOW:
            figures.no_shows += 1
    figures.lead_time = _mean(leads)

    waits = [
        called_at - created_at
        for created_at, called_at in Ticket.objects.filter(
            location=location, day__gte=first, day__lte=last, called_at__isnull=False
        ).values_list("created_at", "called_at")
        if called_at is not None
    ]
    figures.waiting_time = _mean(waits)
    figures.called = len(waits)
    figures.days = [by_day[key] for key in sorted(by_day)]
    return figures


@dataclass
class Bar:
    x: float
    y: float
    height: float
    label: str
    value: str
    tick: bool


CHART_HEIGHT = 160
BAR_STEP = 16
BAR_WIDTH = 12
LEFT = 44  # room for the percentages of the axis
TOP = 8


def chart_width(bars: list[Bar]) -> int:
    return LEFT + max(len(bars), 1) * BAR_STEP + 8


def gridlines() -> list[tuple[float, str]]:
    """(y, label) of the 0, 50 and 100 % lines."""
    return [(TOP + CHART_HEIGHT * (1 - share), f"{round(share * 100)} %") for share in (0, 0.5, 1)]


def bars(figures: Figures) -> list[Bar]:
    """Geometry of the utilisation bar chart: one bar per day with opening hours."""
    result = []
    shown = [day for day in figures.days if day.offered]
    for index, day in enumerate(shown):
        share = min(day.utilisation or 0.0, 1.0)
        height = round(share * CHART_HEIGHT, 1)
        result.append(
            Bar(
                x=LEFT + index * BAR_STEP,
                y=TOP + CHART_HEIGHT - height,
                height=height,
                label=f"{day.day:%d.%m.}",
                value=f"{round((day.utilisation or 0) * 100)} %",
                tick=index % 7 == 0,
            )
        )
    return result

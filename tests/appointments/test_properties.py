"""Property test: random schedules, bookings, cancellations and moves never exceed capacity, and
every free slot shown is bookable — for single types and for both types combined in one visit,
with desks that serve one type, the other or both."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rathaus.appointments import services
from rathaus.appointments.availability import free_slots
from rathaus.appointments.models import (
    AppointmentType,
    Booking,
    Closure,
    Location,
    OpeningHours,
    Resource,
    Visit,
)
from tests.support import MONDAY, berlin, make_authority

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

NOW = berlin(MONDAY - dt.timedelta(days=1), 12)
DAYS = [MONDAY + dt.timedelta(days=n) for n in range(3)]

hours = st.tuples(
    st.integers(0, 2),  # day
    st.integers(7 * 4, 16 * 4),  # start in quarter hours
    st.integers(2, 12),  # length in quarter hours
)
resources = st.lists(
    st.tuples(st.lists(hours, min_size=1, max_size=3), st.sets(st.integers(0, 1), min_size=1)),
    min_size=1,
    max_size=3,
)
kinds = st.lists(
    st.tuples(st.sampled_from([10, 15, 20, 30, 45]), st.sampled_from([0, 5, 10])),
    min_size=1,
    max_size=2,
)


class Rollback(Exception):
    pass


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    resource_specs=resources,
    kind_specs=kinds,
    closed=st.sets(st.tuples(st.integers(0, 2), st.integers(-1, 2)), max_size=2),
    # 0 and 1: a single type; 2 and 3: both types in one visit (when there are two).
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6)), min_size=1, max_size=25),
)
def test_capacity_is_never_exceeded_and_free_slots_are_bookable(
    db, resource_specs, kind_specs, closed, picks
):
    try:
        with transaction.atomic():
            _example(resource_specs, kind_specs, closed, picks)
            raise Rollback
    except Rollback:
        pass


long_hours = st.tuples(st.integers(0, 2), st.integers(7 * 4, 14 * 4), st.integers(6, 16))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    both=st.lists(long_hours, min_size=1, max_size=3),  # a desk that serves both types
    resource_specs=st.lists(
        st.tuples(
            st.lists(long_hours, min_size=1, max_size=2), st.sets(st.integers(0, 1), min_size=1)
        ),
        max_size=2,
    ),
    kind_specs=st.lists(
        st.tuples(st.sampled_from([10, 15, 20, 30]), st.sampled_from([0, 5, 10])),
        min_size=2,
        max_size=2,
    ),
    picks=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**6)), min_size=1, max_size=20),
)
def test_combined_visits_never_exceed_capacity_on_desks_with_different_skills(
    db, both, resource_specs, kind_specs, picks
):
    try:
        with transaction.atomic():
            _example([(both, {0, 1}), *resource_specs], kind_specs, set(), picks)
            raise Rollback
    except Rollback:
        pass


def _example(resource_specs, kind_specs, closed, picks) -> None:
    location = Location.objects.create(
        authority=make_authority(), slug="ort", name="Ort", min_lead_minutes=0
    )
    kinds = [
        AppointmentType.objects.create(
            location=location,
            slug=f"t{n}",
            name=f"T{n}",
            duration_minutes=duration,
            buffer_minutes=buffer,
            max_active_per_person=100,
            combinable=True,
        )
        for n, (duration, buffer) in enumerate(kind_specs)
    ]
    desks = []
    for n, (intervals, skills) in enumerate(resource_specs):
        desk = Resource.objects.create(location=location, name=f"R{n}")
        desk.appointment_types.add(*(kinds[s] for s in skills if s < len(kinds)))
        for day, start, length in intervals:
            end = min(start + length, 24 * 4 - 1)
            OpeningHours.objects.create(
                resource=desk, weekday=DAYS[day].weekday(),
                start=dt.time(start // 4, start % 4 * 15), end=dt.time(end // 4, end % 4 * 15),
            )  # fmt: skip
        desks.append(desk)
    for day, desk_number in closed:
        desk = desks[desk_number] if 0 <= desk_number < len(desks) else None
        Closure.objects.create(location=location, resource=desk, date=DAYS[day])
    visits = [Visit([kind]) for kind in kinds] + ([Visit(kinds)] if len(kinds) > 1 else [])
    skills = {desk.pk: set(desk.appointment_types.values_list("pk", flat=True)) for desk in desks}

    for number, (kind_number, choice) in enumerate(picks):
        kind = visits[min(kind_number, len(visits) - 1)]
        slots = free_slots(kind, DAYS[0], DAYS[-1], now=NOW)
        if not slots:
            continue
        slot = slots[choice % len(slots)]
        booking = services.book(kind, slot.start, name="P", email=f"{number}@example.org", now=NOW)
        assert booking.resource_id in slot.resource_ids
        assert set(kind.ids) <= skills[booking.resource_id]  # the desk serves every service
        token = booking.manage_token  # type: ignore[attr-defined]
        if choice % 7 == 0:  # some people cancel again
            services.cancel(token, now=NOW)
        elif choice % 5 == 0:  # some move to another time that is shown as free
            others = [
                s for s in free_slots(kind, DAYS[0], DAYS[-1], now=NOW) if s.start != slot.start
            ]
            if others:
                target = others[choice % len(others)]
                moved = services.reschedule(token, target.start, now=NOW)
                # the booking's own desk may take the new time too: it looked busy then only
                # because of the booking itself, whose cells a move hands over (reschedule)
                assert moved.resource_id in (*target.resource_ids, booking.resource_id)
                assert set(kind.ids) <= skills[moved.resource_id]
        _assert_no_overlap()
        for other in visits:  # every slot still shown has a free resource by the schedule
            for shown in free_slots(other, DAYS[0], DAYS[-1], now=NOW):
                assert shown.resource_ids
                assert all(set(other.ids) <= skills[r] for r in shown.resource_ids)

    # Every slot still shown can really be booked, by as many people as it has resources.
    for kind in visits:
        for slot in free_slots(kind, DAYS[0], DAYS[-1], now=NOW)[:3]:
            current = {s.start: s for s in free_slots(kind, DAYS[0], DAYS[-1], now=NOW)}
            if slot.start not in current:
                continue  # taken by the previous iteration's overlapping booking
            for n in range(len(current[slot.start].resource_ids)):
                services.book(kind, slot.start, name="Q", email=f"q{n}@example.org", now=NOW)
            _assert_no_overlap()


def _assert_no_overlap() -> None:
    by_resource = defaultdict(list)
    for booking in Booking.objects.filter(status__in=Booking.ACTIVE):
        by_resource[booking.resource_id].append((booking.start, booking.blocked_until))
    for intervals in by_resource.values():
        intervals.sort()
        for (_start, end), (next_start, _end) in itertools.pairwise(intervals):
            assert end <= next_start

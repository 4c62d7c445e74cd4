from __future__ import annotations

import datetime as dt

import pytest

from rathaus.appointments import availability, services
from rathaus.appointments.availability import free_slots, is_holiday
from rathaus.appointments.models import Booking, Closure, Occupancy
from tests.support import MONDAY, Office, berlin

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

SUNDAY_NOON = berlin(MONDAY - dt.timedelta(days=1), 12)


def starts(slots: list[availability.Slot]) -> list[dt.datetime]:
    return [slot.start for slot in slots]


def book(office: Office, start: dt.datetime, email: str = "a@example.org", **kwargs) -> Booking:
    kwargs.setdefault("now", SUNDAY_NOON)
    return services.book(office.kind, start, name="Erika Muster", email=email, **kwargs)


def test_slots_follow_opening_hours_on_a_grid_of_duration_plus_buffer(office):
    slots = free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON)
    assert starts(slots) == [berlin(MONDAY, 9) + dt.timedelta(minutes=30 * n) for n in range(6)]
    assert all(slot.resource_ids == (office.desk_a.pk, office.desk_b.pk) for slot in slots)
    assert slots[0].start.tzinfo == availability.TZ
    tuesday = free_slots(office.kind, MONDAY + dt.timedelta(days=1), now=SUNDAY_NOON)
    afternoon = [slot for slot in tuesday if slot.start.date() == MONDAY + dt.timedelta(days=1)
                 and slot.start.hour >= 13]  # fmt: skip
    assert [s.start.strftime("%H:%M") for s in afternoon] == ["13:00", "13:30", "14:00", "14:30"]
    assert all(slot.resource_ids == (office.desk_a.pk,) for slot in afternoon)
    saturday = MONDAY + dt.timedelta(days=5)
    assert free_slots(office.kind, saturday, saturday, now=SUNDAY_NOON) == []


def test_reformationstag_is_a_holiday_in_sachsen_anhalt_and_closed(office):
    friday = MONDAY + dt.timedelta(days=4)
    assert friday == dt.date(2025, 10, 31)
    assert is_holiday(friday)
    assert is_holiday(dt.date(2026, 10, 31))
    assert free_slots(office.kind, friday, friday, now=SUNDAY_NOON) == []
    assert free_slots(office.kind, friday - dt.timedelta(days=1), friday, now=SUNDAY_NOON)
    with pytest.raises(services.InvalidSlot):
        book(office, berlin(friday, 9))


def test_closures_of_the_location_and_of_one_resource(office):
    tuesday, wednesday = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)
    Closure.objects.create(location=office.location, date=tuesday, reason="Betriebsausflug")
    Closure.objects.create(location=office.location, resource=office.desk_b, date=wednesday)
    assert free_slots(office.kind, tuesday, tuesday, now=SUNDAY_NOON) == []
    wednesday_slots = free_slots(office.kind, wednesday, wednesday, now=SUNDAY_NOON)
    assert len(wednesday_slots) == 6
    assert {slot.resource_ids for slot in wednesday_slots} == {(office.desk_a.pk,)}


def test_lead_time_and_horizon(office):
    now = berlin(MONDAY, 9, 10)  # lead time 60 minutes: 10:10 at the earliest
    today = free_slots(office.kind, MONDAY, MONDAY, now=now)
    assert [s.start.strftime("%H:%M") for s in today] == ["10:30", "11:00", "11:30"]
    with pytest.raises(services.InvalidSlot):
        book(office, berlin(MONDAY, 10), now=now)
    everything = free_slots(office.kind, now=now)  # 90 days asked, horizon is 30
    assert max(s.start.date() for s in everything) <= MONDAY + dt.timedelta(days=30)
    assert max(s.start.date() for s in everything) >= MONDAY + dt.timedelta(days=28)
    with pytest.raises(services.InvalidSlot):
        book(office, berlin(MONDAY + dt.timedelta(days=35), 9), now=now)


def test_off_grid_past_and_naive_starts_are_invalid(office):
    for start in (berlin(MONDAY, 9, 10), berlin(MONDAY, 12), berlin(MONDAY, 7)):
        with pytest.raises(services.InvalidSlot):
            book(office, start)
    with pytest.raises(services.InvalidSlot):
        book(office, dt.datetime(2025, 10, 27, 9))
    with pytest.raises(services.InvalidSlot):
        book(office, berlin(MONDAY, 9), now=berlin(MONDAY, 10))
    assert not Booking.objects.exists()


def test_bookings_take_resources_then_the_slot(office):
    nine = berlin(MONDAY, 9)
    first = book(office, nine, "a@example.org")
    assert first.status == Booking.Status.HELD
    assert first.end == berlin(MONDAY, 9, 20)
    assert first.blocked_until == berlin(MONDAY, 9, 30)
    assert Occupancy.objects.filter(booking=first).count() == 6
    slots = free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON)
    assert len(slots[0].resource_ids) == 1
    assert slots[0].start == nine
    book(office, nine, "b@example.org")
    assert starts(free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON))[0] == berlin(
        MONDAY, 9, 30
    )
    with pytest.raises(services.SlotTaken):
        book(office, nine, "c@example.org")
    assert Booking.objects.count() == 2  # the refused booking wrote nothing


def test_a_shorter_type_on_the_same_desk_blocks_overlapping_slots(office):
    # 10-minute appointments on both desks at 9:40 collide with the 9:30–10:00 block.
    for email in ("a@example.org", "b@example.org"):
        services.book(office.short, berlin(MONDAY, 9, 40), name="X", email=email, now=SUNDAY_NOON)
    slots = starts(free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON))
    assert berlin(MONDAY, 9, 30) not in slots
    assert berlin(MONDAY, 9) in slots
    assert berlin(MONDAY, 10) in slots
    with pytest.raises(services.SlotTaken):
        book(office, berlin(MONDAY, 9, 30))


def test_expired_holds_count_as_free_before_and_after_the_sweep(office):
    nine = berlin(MONDAY, 9)
    held = [book(office, nine, f"{n}@example.org", hold_minutes=15) for n in "ab"]
    later = SUNDAY_NOON + dt.timedelta(minutes=20)
    assert nine not in starts(free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON))
    assert free_slots(office.kind, MONDAY, MONDAY, now=later)[0].resource_ids == (
        office.desk_a.pk, office.desk_b.pk,
    )  # fmt: skip
    other = book(office, berlin(MONDAY, 10), "d@example.org", hold_minutes=15)
    # Booking over stale holds expires them in the same transaction.
    again = book(office, nine, "c@example.org", now=later)
    for booking in held:
        booking.refresh_from_db()
        assert booking.status == Booking.Status.EXPIRED
        assert not Occupancy.objects.filter(booking=booking).exists()
    # The sweep expires the rest and frees their slots.
    assert services.expire_holds(later) == 1
    assert services.expire_holds(later) == 0
    other.refresh_from_db()
    assert other.status == Booking.Status.EXPIRED
    slots = free_slots(office.kind, MONDAY, MONDAY, now=later)
    assert slots[0].start == nine
    assert len(slots[0].resource_ids) == 1
    assert slots[2].start == berlin(MONDAY, 10)
    assert len(slots[2].resource_ids) == 2
    assert again.status == Booking.Status.HELD
    with pytest.raises(services.HoldExpired):
        services.confirm(_token(held[1]), now=later)


def _token(booking: Booking) -> str:
    return booking.manage_token  # type: ignore[attr-defined]


def test_confirm_and_cancel_by_token(office):
    booking = book(office, berlin(MONDAY, 9))
    token = _token(booking)
    assert booking.token_hash == services.token_hash(token)
    assert token not in booking.token_hash
    confirmed = services.confirm(token, now=SUNDAY_NOON + dt.timedelta(minutes=5))
    assert confirmed.status == Booking.Status.CONFIRMED
    assert confirmed.hold_expires_at is None
    assert services.confirm(token).status == Booking.Status.CONFIRMED  # idempotent
    # Confirmed bookings do not expire.
    assert services.expire_holds(SUNDAY_NOON + dt.timedelta(days=1)) == 0
    cancelled = services.cancel(token, now=SUNDAY_NOON + dt.timedelta(hours=1))
    assert cancelled.status == Booking.Status.CANCELLED
    assert cancelled.cancelled_at
    assert not Occupancy.objects.filter(booking=booking).exists()
    with pytest.raises(services.AlreadyCancelled):
        services.cancel(token)
    with pytest.raises(services.AlreadyCancelled):
        services.confirm(token)
    with pytest.raises(services.UnknownBooking):
        services.cancel("forged-token")
    slots = free_slots(office.kind, MONDAY, MONDAY, now=SUNDAY_NOON)
    assert slots[0].resource_ids == (office.desk_a.pk, office.desk_b.pk)


def test_cancelling_an_expired_hold_is_refused(office):
    booking = book(office, berlin(MONDAY, 9), hold_minutes=10)
    with pytest.raises(services.HoldExpired):
        services.cancel(_token(booking), now=SUNDAY_NOON + dt.timedelta(minutes=11))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EXPIRED


def test_too_many_active_bookings_per_email_and_type(office):
    book(office, berlin(MONDAY, 9), "Max@Example.org")
    second = book(office, berlin(MONDAY, 9, 30), "max@example.org")
    with pytest.raises(services.TooManyBookings):
        book(office, berlin(MONDAY, 10), " MAX@example.org ")
    assert Booking.objects.count() == 2
    # Another type has its own limit.
    services.book(office.short, berlin(MONDAY, 11), name="M", email="max@example.org",
                  now=SUNDAY_NOON)  # fmt: skip
    # Cancelling gives the place back.
    services.cancel(_token(second), now=SUNDAY_NOON)
    book(office, berlin(MONDAY, 10), "max@example.org")
    with pytest.raises(services.TooManyBookings):
        book(office, berlin(MONDAY, 10, 30), "max@example.org")
    # An expired hold gives it back too, even before the sweep.
    later = SUNDAY_NOON + dt.timedelta(hours=1)
    book(office, berlin(MONDAY, 10, 30), "max@example.org", now=later)

"""Moving a booking, limits per e-mail and phone number, release times and the waiting list."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.appointments import services, waitlist
from rathaus.appointments.availability import free_slots, horizon_end
from rathaus.appointments.models import Booking, Occupancy, OpeningHours, WaitingListEntry
from rathaus.core.models import OutgoingEmail
from tests.support import MONDAY, berlin

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

SUNDAY_NOON = berlin(MONDAY - dt.timedelta(days=1), 12)


def book(office, start, email="a@example.org", now=SUNDAY_NOON, **kwargs) -> Booking:
    return services.book(office.kind, start, name="Erika", email=email, now=now, **kwargs)


def starts(office, day=MONDAY, now=SUNDAY_NOON):
    return {slot.start: slot.resource_ids for slot in free_slots(office.kind, day, day, now=now)}


# --- moving -------------------------------------------------------------------------------------


def test_moving_takes_the_new_slot_and_frees_the_old_one(office):
    booking = book(office, berlin(MONDAY, 9))
    token = booking.manage_token
    services.confirm(token, now=SUNDAY_NOON)
    moved = services.reschedule(token, berlin(MONDAY, 11), now=SUNDAY_NOON)
    assert moved.pk != booking.pk
    assert moved.status == Booking.Status.CONFIRMED
    assert moved.start == berlin(MONDAY, 11)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.rescheduled_to_id == moved.pk
    assert not Occupancy.objects.filter(booking=booking).exists()
    assert Occupancy.objects.filter(booking=moved).count() == 6
    # The link now leads to the new booking; the quota did not change.
    assert services.cancel(token, now=SUNDAY_NOON).pk == moved.pk
    assert len(starts(office)[berlin(MONDAY, 9)]) == 2
    book(office, berlin(MONDAY, 10))
    book(office, berlin(MONDAY, 10, 30))
    with pytest.raises(services.TooManyBookings):
        book(office, berlin(MONDAY, 11, 30))


def test_moving_to_an_overlapping_time_on_the_same_desk_hands_the_cells_over(office):
    # A second interval on desk A puts slots on a 9:15 grid; 9:00 -> 9:15 shares three cells.
    OpeningHours.objects.create(resource=office.desk_a, weekday=0, start=dt.time(9, 15),
                                end=dt.time(10, 15))  # fmt: skip
    booking = book(office, berlin(MONDAY, 9))
    assert booking.resource_id == office.desk_a.pk
    moved = services.reschedule(booking.manage_token, berlin(MONDAY, 9, 15), now=SUNDAY_NOON)
    assert moved.resource_id == office.desk_a.pk
    cells = sorted(Occupancy.objects.filter(booking=moved).values_list("start", flat=True))
    assert cells == [berlin(MONDAY, 9, 15) + dt.timedelta(minutes=5 * n) for n in range(6)]
    assert not Occupancy.objects.filter(booking=booking).exists()
    assert starts(office)[berlin(MONDAY, 10)] == (office.desk_a.pk, office.desk_b.pk)
    assert starts(office)[berlin(MONDAY, 9)] == (office.desk_b.pk,)  # 9:15-9:45 blocks A


def test_moving_into_a_full_slot_changes_nothing(office):
    booking = book(office, berlin(MONDAY, 9))
    book(office, berlin(MONDAY, 10), "b@example.org")
    book(office, berlin(MONDAY, 10), "c@example.org")
    with pytest.raises(services.SlotTaken):
        services.reschedule(booking.manage_token, berlin(MONDAY, 10), now=SUNDAY_NOON)
    with pytest.raises(services.InvalidSlot):
        services.reschedule(booking.manage_token, berlin(MONDAY, 9, 10), now=SUNDAY_NOON)
    with pytest.raises(services.SameTime):
        services.reschedule(booking.manage_token, berlin(MONDAY, 9), now=SUNDAY_NOON)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD
    assert Booking.objects.count() == 3
    assert Occupancy.objects.filter(booking=booking).count() == 6
    services.cancel(booking.manage_token, now=SUNDAY_NOON)
    with pytest.raises(services.AlreadyCancelled):
        services.reschedule(booking.manage_token, berlin(MONDAY, 11), now=SUNDAY_NOON)


# --- limits per e-mail address and phone number -------------------------------------------------


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("039203 565-0", "+49392035650"),
        ("+49 (0) 39203 5650", "+49392035650"),
        ("0049 39203/5650", "+49392035650"),
        ("(039203) 56 50", "+49392035650"),
        ("+43 1 234567", "+431234567"),
        ("", ""),
    ],
)
def test_phone_numbers_are_normalised(written, normal):
    assert services.normal_phone(written) == normal


@pytest.mark.parametrize("bad", ["12345", "0", "+49 abc", "call me", "+0049 123456"])
def test_what_is_not_a_phone_number_is_refused(bad):
    with pytest.raises(ValueError, match="phone number"):
        services.normal_phone(bad)


def test_the_limit_counts_per_phone_number_in_any_spelling(office):
    book(office, berlin(MONDAY, 9), "a@example.org", phone="039203 5650")
    second = book(office, berlin(MONDAY, 9, 30), "b@example.org", phone="+49 39203 5650")
    with pytest.raises(services.TooManyForPhone):
        book(office, berlin(MONDAY, 10), "c@example.org", phone="0049392035650")
    assert Booking.objects.count() == 2
    assert Booking.objects.filter(email="c@example.org").count() == 0
    # The refused booking took no unit of c's e-mail quota either (one transaction).
    book(office, berlin(MONDAY, 10), "c@example.org")
    book(office, berlin(MONDAY, 10, 30), "c@example.org")
    services.cancel(second.manage_token, now=SUNDAY_NOON)
    book(office, berlin(MONDAY, 11), "d@example.org", phone="039203-5650")


def test_the_booking_page_explains_a_wrong_phone_number(client, barleben):
    from rathaus.appointments.models import AppointmentType
    from tests.support import details_url, person_check

    passport = AppointmentType.objects.get(location__slug="buergerbuero", slug="reisepass")
    url = details_url(passport, free_slots(passport)[0].start)
    page = client.get(url)
    data = {"name": "Erika", "email": "e@example.org", "phone": "12", **person_check(page.text)}
    response = client.post(url, data)
    assert 'href="#id_phone"' in response.text
    assert not Booking.objects.exists()


# --- release time -------------------------------------------------------------------------------


def test_new_days_open_at_the_release_time(office):
    office.location.release_time = dt.time(7)
    office.location.save()
    horizon = office.location.booking_horizon_days
    last_day = MONDAY + dt.timedelta(days=horizon)
    while last_day.weekday() > 4:  # a working day at the end of the horizon
        horizon += 1
        office.location.booking_horizon_days = horizon
        office.location.save()
        last_day = MONDAY + dt.timedelta(days=horizon)
    early, late = berlin(MONDAY, 6, 59), berlin(MONDAY, 7)
    assert horizon_end(office.location, early) == last_day - dt.timedelta(days=1)
    assert horizon_end(office.location, late) == last_day
    assert starts(office, last_day, now=early) == {}
    with pytest.raises(services.InvalidSlot):
        book(office, berlin(last_day, 9), now=early)
    assert berlin(last_day, 9) in starts(office, last_day, now=late)
    book(office, berlin(last_day, 9), now=late)


def test_the_calendar_says_when_new_times_open(client, barleben):
    from django.urls import reverse

    from rathaus.appointments.models import AppointmentType

    passport = AppointmentType.objects.get(location__slug="buergerbuero", slug="reisepass")
    passport.location.release_time = dt.time(7)
    passport.location.save()
    page = client.get(reverse("appointments:month", args=["buergerbuero", passport.pk]))
    assert "Neue Termine werden jeden Tag um 07:00 freigegeben" in page.text


# --- waiting list -------------------------------------------------------------------------------


def _join(office, email, confirm=True, now=SUNDAY_NOON):
    entry, token = waitlist.join(office.kind, name="W", email=email, portal_url="https://x.test",
                                 language="de")  # fmt: skip
    if confirm:
        waitlist.confirm(token, now=now)
    return entry, token


def test_a_freed_slot_is_held_for_the_longest_waiting_person(office, settings):
    settings.RATHAUS_APPOINTMENT_OFFER_MINUTES = 60
    booking = book(office, berlin(MONDAY, 9))
    first, _ = _join(office, "first@example.org", now=SUNDAY_NOON)
    unconfirmed, _ = _join(office, "late@example.org", confirm=False)
    second, _ = _join(office, "second@example.org", now=SUNDAY_NOON + dt.timedelta(minutes=1))
    assert OutgoingEmail.objects.filter(to="first@example.org").count() == 1  # confirm link
    with pytest.raises(waitlist.AlreadyWaiting):
        _join(office, "FIRST@example.org")

    services.cancel(booking.manage_token, now=SUNDAY_NOON)
    first.refresh_from_db()
    assert first.status == WaitingListEntry.Status.OFFERED
    offer = first.offer
    assert offer.status == Booking.Status.HELD
    assert offer.start == berlin(MONDAY, 9)
    assert offer.hold_expires_at == SUNDAY_NOON + dt.timedelta(minutes=60)
    assert berlin(MONDAY, 9) in starts(office)  # the other desk is still free
    mail = OutgoingEmail.objects.filter(to="first@example.org").latest("id")
    assert "https://x.test/termine/" in mail.text_body
    # The offer is a hold like any other: the link confirms it.
    token = mail.text_body.split("https://x.test/termine/")[1].split("/")[0]
    services.confirm(token, now=SUNDAY_NOON + dt.timedelta(minutes=30))
    first.refresh_from_db()
    assert first.status == WaitingListEntry.Status.BOOKED
    second.refresh_from_db()
    assert second.status == WaitingListEntry.Status.WAITING
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == WaitingListEntry.Status.UNCONFIRMED


def test_an_offer_that_runs_out_goes_to_the_next_person(office, settings):
    settings.RATHAUS_APPOINTMENT_OFFER_MINUTES = 30
    booking = book(office, berlin(MONDAY, 9))
    first, _ = _join(office, "first@example.org", now=SUNDAY_NOON)
    second, _ = _join(office, "second@example.org", now=SUNDAY_NOON + dt.timedelta(minutes=1))
    services.cancel(booking.manage_token, now=SUNDAY_NOON)
    first.refresh_from_db()
    assert first.status == WaitingListEntry.Status.OFFERED
    later = SUNDAY_NOON + dt.timedelta(minutes=31)
    assert services.expire_holds(later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == WaitingListEntry.Status.EXPIRED
    assert second.status == WaitingListEntry.Status.OFFERED
    assert second.offer.start == berlin(MONDAY, 9)
    assert second.offer.hold_expires_at == later + dt.timedelta(minutes=30)
    assert Booking.objects.filter(status__in=Booking.ACTIVE, start=berlin(MONDAY, 9)).count() == 1


def test_an_expired_hold_is_offered_and_leaving_the_list_works(office):
    held = book(office, berlin(MONDAY, 9), hold_minutes=10)
    leaver, leaver_token = _join(office, "leaver@example.org")
    stayer, _ = _join(office, "stayer@example.org", now=SUNDAY_NOON + dt.timedelta(seconds=1))
    waitlist.leave(leaver_token)
    leaver.refresh_from_db()
    assert leaver.status == WaitingListEntry.Status.LEFT
    services.expire_holds(SUNDAY_NOON + dt.timedelta(minutes=11))
    held.refresh_from_db()
    assert held.status == Booking.Status.EXPIRED
    stayer.refresh_from_db()
    assert stayer.status == WaitingListEntry.Status.OFFERED
    # Somebody who has reached the limit of the type keeps waiting; the next one gets the slot.
    _join(office, "x@example.org", now=SUNDAY_NOON + dt.timedelta(minutes=12))


def test_moving_offers_the_old_time_to_the_waiting_list(office):
    booking = book(office, berlin(MONDAY, 9))
    book(office, berlin(MONDAY, 9), "b@example.org")
    waiting, _ = _join(office, "w@example.org")
    services.reschedule(booking.manage_token, berlin(MONDAY, 11), now=SUNDAY_NOON)
    waiting.refresh_from_db()
    assert waiting.status == WaitingListEntry.Status.OFFERED
    assert waiting.offer.start == berlin(MONDAY, 9)

"""The appointment in the citizen's calendar: one event (UID) for its whole life, its revisions
counted (SEQUENCE), iTIP methods that match their MIME type, and no secret link in the event."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from icalendar import Calendar

from rathaus.appointments import mail, services, staff_services
from rathaus.appointments.availability import free_slots
from rathaus.core.models import OutgoingEmail
from tests.support import MONDAY, berlin

SUNDAY_NOON = berlin(MONDAY - dt.timedelta(days=1), 12)
EMAIL = "erika@example.org"


def _calendar_of(email: OutgoingEmail) -> tuple[str, Calendar]:
    attachment = email.attachments.get()
    assert attachment.filename == "termin.ics"
    calendar = Calendar.from_ical(attachment.file.read_bytes())  # parses, or raises
    return attachment.content_type, calendar


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def _latest() -> OutgoingEmail:
    return OutgoingEmail.objects.filter(to=EMAIL).latest("id")


def _confirmed(office, start):
    booking = services.book(office.kind, start, name="Erika", email=EMAIL, now=SUNDAY_NOON)
    token = booking.manage_token
    booking = services.confirm(token, now=SUNDAY_NOON)
    mail.send_confirmed(booking, token)
    return booking, token


def test_a_move_keeps_the_uid_and_raises_the_sequence_and_a_cancel_follows(office):
    booking, token = _confirmed(office, berlin(MONDAY, 9))
    content_type, calendar = _calendar_of(_latest())
    assert content_type == "text/calendar; method=REQUEST"
    assert str(calendar["method"]) == "REQUEST"
    first = _event(calendar)
    uid = str(first["uid"])
    assert int(first["sequence"]) == 0
    assert str(first["status"]) == "CONFIRMED"
    assert str(first["organizer"]).startswith("mailto:")
    assert str(first["attendee"]) == f"mailto:{EMAIL}"
    assert first.decoded("dtstart") == berlin(MONDAY, 9)

    moved = services.reschedule(token, berlin(MONDAY, 10), now=SUNDAY_NOON)
    mail.send_moved(booking, moved, token)
    content_type, calendar = _calendar_of(_latest())
    assert content_type == "text/calendar; method=REQUEST"
    assert str(calendar["method"]) == "REQUEST"
    second = _event(calendar)
    assert str(second["uid"]) == uid
    assert int(second["sequence"]) == 1
    assert second.decoded("dtstart") == berlin(MONDAY, 10)

    moved_again = services.reschedule(token, berlin(MONDAY, 11), now=SUNDAY_NOON)
    mail.send_moved(moved, moved_again, token)
    assert int(_event(_calendar_of(_latest())[1])["sequence"]) == 2

    cancelled = services.cancel(token, now=SUNDAY_NOON)
    mail.send_cancelled(cancelled, token)
    cancellation = _latest()
    content_type, calendar = _calendar_of(cancellation)
    assert content_type == "text/calendar; method=CANCEL"
    assert str(calendar["method"]) == "CANCEL"
    last = _event(calendar)
    assert str(last["uid"]) == uid
    assert int(last["sequence"]) == 3
    assert str(last["status"]) == "CANCELLED"
    assert last.decoded("dtstart") == berlin(MONDAY, 11)
    assert "termin.ics" in cancellation.text_body


def test_no_event_carries_the_manage_link(client, passport):
    booking = services.book(passport, free_slots(passport)[0].start, name="Erika", email=EMAIL)
    token = booking.manage_token
    mail.send_confirmed(services.confirm(token), token)
    secret_path = reverse("appointments:manage", args=[token])
    confirmation = _latest()
    assert secret_path in confirmation.text_body  # the e-mail keeps the link
    description = str(_event(_calendar_of(confirmation)[1])["description"])
    assert token not in description
    assert "http" not in description
    assert "Bestätigungs-E-Mail" in description
    download = client.get(reverse("appointments:ics", args=[token]))
    assert download.status_code == 200
    calendar = Calendar.from_ical(download.content)
    assert str(calendar["method"]) == "PUBLISH"
    assert token.encode() not in download.content
    assert "http" not in str(_event(calendar)["description"])


def test_an_unconfirmed_booking_gets_no_cancel_file(office):
    booking = services.book(
        office.kind, berlin(MONDAY, 9), name="Erika", email=EMAIL, now=SUNDAY_NOON
    )
    cancelled = services.cancel(booking.manage_token, now=SUNDAY_NOON)
    mail.send_cancelled(cancelled, booking.manage_token)
    email = _latest()
    assert not email.attachments.exists()  # its calendar never got the event
    assert "termin.ics" not in email.text_body


def test_a_day_cancelled_by_the_office_sends_cancel_files(office):
    _booking, _token = _confirmed(office, berlin(MONDAY, 9))
    uid = str(_event(_calendar_of(_latest())[1])["uid"])
    staff_services.cancel_day(
        office.location, MONDAY, "Stromausfall", None, portal_url="http://x/termine/",
        now=SUNDAY_NOON,
    )  # fmt: skip
    content_type, calendar = _calendar_of(_latest())
    assert content_type == "text/calendar; method=CANCEL"
    event = _event(calendar)
    assert (str(event["uid"]), int(event["sequence"])) == (uid, 1)
    assert str(event["status"]) == "CANCELLED"

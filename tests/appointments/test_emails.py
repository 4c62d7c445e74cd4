"""The confirmation carries the appointment as an .ics file; reminders go out once, the day before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail as django_mail
from icalendar import Calendar

from rathaus.appointments import services
from rathaus.appointments.availability import free_slots
from rathaus.core import housekeeping
from rathaus.core.mail import deliver
from rathaus.core.models import OutgoingEmail
from tests.support import APPOINTMENT_EMAIL as EMAIL
from tests.support import MONDAY, berlin, link, reserve, run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

SUNDAY_NOON = berlin(MONDAY - dt.timedelta(days=1), 12)


def test_the_confirmation_email_has_the_appointment_as_ics_attachment(client, passport):
    start = free_slots(passport)[0].start
    reserve(client, passport, start)
    confirm_url = link(OutgoingEmail.objects.get(to=EMAIL), "bestaetigen/")
    client.post(confirm_url)
    confirmation = OutgoingEmail.objects.filter(to=EMAIL).latest("id")
    assert "termin.ics" in confirmation.text_body
    attachment = confirmation.attachments.get()
    assert attachment.filename == "termin.ics"
    assert attachment.content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(attachment.file.read_bytes())
    assert str(calendar["version"]) == "2.0"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert "Reisepass beantragen" in str(event["summary"])
    manage_path = confirm_url.removesuffix("bestaetigen/")
    assert manage_path in confirmation.text_body
    assert manage_path not in str(event["description"])  # calendars sync it to third parties
    # The e-mail backend sends it as a real attachment.
    assert deliver(confirmation.pk) == "sent"
    (sent,) = [m for m in django_mail.outbox if m.subject == confirmation.subject]
    (name, content, mimetype) = sent.attachments[0]
    assert name == "termin.ics"
    assert mimetype.startswith("text/calendar")
    assert Calendar.from_ical(content).walk("VEVENT")[0].decoded("dtstart") == start


def _confirmed(office, start, email, now=SUNDAY_NOON):
    booking = services.book(office.kind, start, name="Erika", email=email, now=now)
    services.confirm(booking.manage_token, now=now)
    return booking


def test_reminders_go_out_the_day_before_once_per_booking(office):
    tomorrow = _confirmed(office, berlin(MONDAY, 9), "a@example.org")
    _confirmed(office, berlin(MONDAY + dt.timedelta(days=1), 9), "b@example.org")  # day after
    held = services.book(office.kind, berlin(MONDAY, 10), name="H", email="h@example.org",
                         now=SUNDAY_NOON, hold_minutes=60 * 24)  # fmt: skip
    cancelled = _confirmed(office, berlin(MONDAY, 11), "c@example.org")
    services.cancel(cancelled.manage_token, now=SUNDAY_NOON)
    early = berlin(MONDAY - dt.timedelta(days=1), 6)  # before the reminder hour
    assert services.send_reminders(early) == 0
    assert services.send_reminders(SUNDAY_NOON) == 1
    assert services.send_reminders(SUNDAY_NOON + dt.timedelta(hours=1)) == 0
    reminder = OutgoingEmail.objects.get()  # the services send no other e-mail
    assert reminder.subject == "Erinnerung: Ihr Termin morgen"
    assert reminder.to == "a@example.org"
    assert "Montag, 27. Oktober 2025" in reminder.text_body
    assert "09:00" in reminder.text_body
    tomorrow.refresh_from_db()
    assert tomorrow.reminder_sent_at == SUNDAY_NOON
    held.refresh_from_db()
    assert held.reminder_sent_at is None  # not confirmed: no reminder


@pytest.mark.django_db(transaction=True)
def test_several_workers_send_each_reminder_exactly_once():
    from tests.support import make_office

    office = make_office()
    for n, start in enumerate(slot.start for slot in free_slots(office.kind, MONDAY, MONDAY,
                                                                  now=SUNDAY_NOON)):  # fmt: skip
        _confirmed(office, start, f"p{n}@example.org")
    total = []

    def worker() -> None:
        total.append(services.send_reminders(SUNDAY_NOON))

    assert run_in_threads(*[worker] * 4, together=True) == []
    assert sum(total) == 6
    assert OutgoingEmail.objects.count() == 6
    assert sorted(OutgoingEmail.objects.values_list("to", flat=True)) == sorted(
        f"p{n}@example.org" for n in range(6)
    )


def test_the_reminder_job_is_registered_with_the_worker():
    names = [job.name for job in housekeeping.registered()]
    assert "appointments.reminders" in names
    assert "appointments.expire-holds" in names

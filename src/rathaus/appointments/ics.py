"""The appointment as an iCalendar file (RFC 5545, methods of iTIP RFC 5546).

One booking is one calendar event for its whole life: the UID stays when the appointment is
moved (the manage hash, and with it the UID, moves to the new booking row) and ``SEQUENCE``
counts the revisions (``Booking.sequence``: raised by each move and by the cancellation), so a
calendar replaces the event instead of adding a second one.

The e-mails carry iTIP messages: ``REQUEST`` for the confirmation and a move, ``CANCEL`` for a
cancellation, and the MIME type names the same method as the file. The download on the manage
page is a ``PUBLISH`` file. The description holds no link: calendars sync descriptions to
third parties, and the manage link is a secret; it points to the confirmation e-mail instead.
"""

from __future__ import annotations

from email.utils import parseaddr
from typing import Literal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import Booking

PRODID = "-//rathaus//Terminbuchung//DE"

Method = Literal["PUBLISH", "REQUEST", "CANCEL"]


def location_text(booking: Booking) -> str:
    location = booking.location
    place = ", ".join(
        part
        for part in (
            location.name,
            location.room,
            location.street,
            f"{location.postal_code} {location.city}".strip(),
        )
        if part
    )
    return place


def uid(booking: Booking) -> str:
    """The event's UID: kept by a move, because the manage hash moves to the new row."""
    return f"{booking.token_hash[:32]}@rathaus"


def _organizer(booking: Booking) -> vCalAddress:
    authority = booking.location.authority
    address = authority.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(authority.name)
    return organizer


def _attendee(booking: Booking) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{booking.email}")
    attendee.params["cn"] = vText(booking.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")  # the citizen booked it
    attendee.params["rsvp"] = vText("FALSE")
    return attendee


def booking_ics(booking: Booking, *, method: Method = "PUBLISH") -> bytes:
    """One VEVENT in Europe/Berlin time with a VTIMEZONE; cancelled bookings say so.

    ``CANCEL`` is for the e-mail that cancels the appointment: status ``CANCELLED`` with the
    sequence of the cancelled booking (one more than the last confirmation or move).
    """
    appointment_type = booking.visit
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(booking))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start.astimezone(TZ))
    event.add("dtend", booking.end.astimezone(TZ))
    event.add("summary", f"{appointment_type.name} – {booking.location.name}")
    event.add("location", location_text(booking))
    if method != "PUBLISH":  # iTIP messages name who schedules and who attends
        event.add("organizer", _organizer(booking))
        event.add("attendee", _attendee(booking))
    lines = list(appointment_type.names)
    if appointment_type.documents:
        lines += ["", _("Please bring:"), appointment_type.documents]
    if booking.location.accessibility:
        lines += ["", booking.location.accessibility]
    lines += ["", _("To move or cancel the appointment, use the link in the confirmation e-mail.")]
    event.add("description", "\n".join(lines))
    cancelled = method == "CANCEL" or booking.status in (
        Booking.Status.CANCELLED,
        Booking.Status.EXPIRED,
    )
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()  # icalendar leaves Component.to_ical unannotated
    return ical

"""The appointment as an iCalendar file (RFC 5545) for the citizen's calendar."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import Booking

PRODID = "-//rathaus//Terminbuchung//DE"


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


def booking_ics(booking: Booking, *, manage_url: str = "") -> bytes:
    """One VEVENT in Europe/Berlin time with a VTIMEZONE; cancelled bookings say so."""
    appointment_type = booking.visit
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.token_hash[:32]}@rathaus")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", booking.start.astimezone(TZ))
    event.add("dtend", booking.end.astimezone(TZ))
    event.add("summary", f"{appointment_type.name} – {booking.location.name}")
    event.add("location", location_text(booking))
    lines = list(appointment_type.names)
    if appointment_type.documents:
        lines += ["", _("Please bring:"), appointment_type.documents]
    if booking.location.accessibility:
        lines += ["", booking.location.accessibility]
    if manage_url:
        lines += ["", _("View or cancel the appointment:"), manage_url]
    event.add("description", "\n".join(lines))
    cancelled = booking.status in (Booking.Status.CANCELLED, Booking.Status.EXPIRED)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()

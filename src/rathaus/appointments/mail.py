"""Booking e-mails: the confirmation link (double opt-in), the confirmation, the cancellation
by the citizen and the cancellation by the office (a closed day)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.appointments.models import Booking
from rathaus.core.mail import send_mail


def _context(request: HttpRequest, booking: Booking, token: str) -> dict[str, object]:
    return {
        "booking": booking,
        "appointment_type": booking.appointment_type,
        "location": booking.location,
        "confirm_url": request.build_absolute_uri(reverse("appointments:confirm", args=[token])),
        "manage_url": request.build_absolute_uri(reverse("appointments:manage", args=[token])),
    }


def send_held(request: HttpRequest, booking: Booking, token: str) -> None:
    send_mail(
        to=booking.email,
        subject=_("Please confirm your appointment"),
        template="appointments/email/held",
        context=_context(request, booking, token),
        authority=booking.location.authority,
    )


def send_confirmed(request: HttpRequest, booking: Booking, token: str) -> None:
    send_mail(
        to=booking.email,
        subject=_("Your appointment is confirmed"),
        template="appointments/email/confirmed",
        context=_context(request, booking, token),
        authority=booking.location.authority,
    )


def send_cancelled(request: HttpRequest, booking: Booking, token: str) -> None:
    send_mail(
        to=booking.email,
        subject=_("Your appointment is cancelled"),
        template="appointments/email/cancelled",
        context=_context(request, booking, token),
        authority=booking.location.authority,
    )


def send_cancelled_by_office(booking: Booking, reason: str, book_url: str) -> None:
    """The office cancelled the appointment (a closed day); there is no manage link to give."""
    send_mail(
        to=booking.email,
        subject=_("Your appointment is cancelled by the office"),
        template="appointments/email/cancelled_by_office",
        context={
            "booking": booking,
            "appointment_type": booking.appointment_type,
            "location": booking.location,
            "reason": reason,
            "book_url": book_url,
        },
        authority=booking.location.authority,
    )

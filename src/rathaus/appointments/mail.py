"""Booking e-mails: confirmation link (double opt-in), confirmation with the appointment as an
.ics attachment, reminder, cancellation (by the citizen or by the office), move, and the
waiting list's e-mails.

Links lead to the portal of the location's authority (:func:`rathaus.core.tenancy.portal_url`);
only the waiting list's offer uses the address stored with the entry when the person joined.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.appointments import ics
from rathaus.appointments.models import Booking, WaitingListEntry
from rathaus.core import tenancy
from rathaus.core.mail import Attachment, send_mail


def _portal(booking: Booking) -> str:
    return tenancy.portal_url(booking.location.authority)


def _context(booking: Booking, token: str, portal_url: str = "") -> dict[str, object]:
    context: dict[str, object] = {
        "booking": booking,
        "appointment_type": booking.visit,
        "location": booking.location,
    }
    if token:
        portal_url = portal_url or _portal(booking)
        context["confirm_url"] = portal_url + reverse("appointments:confirm", args=[token])
        context["manage_url"] = portal_url + reverse("appointments:manage", args=[token])
    return context


def _send(
    booking: Booking,
    subject: str,
    template: str,
    context: dict[str, object],
    *,
    language: str | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    send_mail(
        to=booking.email,
        subject=subject,
        template=template,
        context=context,
        authority=booking.location.authority,
        language=language,
        attachments=attachments,
    )


def send_held(booking: Booking, token: str) -> None:
    _send(booking, _("Please confirm your appointment"), "appointments/email/held",
          _context(booking, token))  # fmt: skip


def _calendar_file(booking: Booking, method: ics.Method = "REQUEST") -> Attachment:
    """The iTIP message for the citizen's calendar; its MIME type names the file's method."""
    return Attachment("termin.ics", ics.booking_ics(booking, method=method),
                      f"text/calendar; method={method}")  # fmt: skip


def _cancellation_file(booking: Booking) -> tuple[Attachment, ...]:
    """``METHOD:CANCEL`` for a booking that was confirmed (only then did a calendar get it)."""
    if booking.confirmed_at is None:
        return ()
    return (_calendar_file(booking, "CANCEL"),)


def send_confirmed(booking: Booking, token: str) -> None:
    _send(booking, _("Your appointment is confirmed"), "appointments/email/confirmed",
          _context(booking, token),
          attachments=(_calendar_file(booking),))  # fmt: skip


def send_moved(old: Booking, booking: Booking, token: str) -> None:
    context = {**_context(booking, token), "old": old}
    _send(booking, _("Your appointment has a new time"), "appointments/email/moved", context,
          attachments=(_calendar_file(booking),))  # fmt: skip


def send_cancelled(booking: Booking, token: str) -> None:
    _send(booking, _("Your appointment is cancelled"), "appointments/email/cancelled",
          {**_context(booking, token), "calendar_file": booking.confirmed_at is not None},
          attachments=_cancellation_file(booking))  # fmt: skip


def send_reminder(booking: Booking) -> None:
    """The day before; no link, because only the citizen's e-mails know the manage token."""
    _send(booking, _("Reminder: your appointment tomorrow"), "appointments/email/reminder",
          _context(booking, ""))  # fmt: skip


def _entry_context(entry: WaitingListEntry, token: str) -> dict[str, object]:
    context: dict[str, object] = {
        "entry": entry,
        "appointment_type": entry.appointment_type,
        "location": entry.appointment_type.location,
    }
    if token:
        context["entry_url"] = entry.portal_url + reverse("appointments:waiting", args=[token])
    return context


def send_waiting_confirm(entry: WaitingListEntry, token: str) -> None:
    send_mail(
        to=entry.email,
        subject=_("Please confirm your place on the waiting list"),
        template="appointments/email/waiting_confirm",
        context=_entry_context(entry, token),
        authority=entry.appointment_type.location.authority,
        language=entry.language,
    )


def send_offer(entry: WaitingListEntry, booking: Booking, token: str) -> None:
    """A freed time is held for the next person on the waiting list; the link confirms it."""
    _send(booking, _("An appointment has become free for you"), "appointments/email/offer",
          {**_entry_context(entry, ""), **_context(booking, token, entry.portal_url)},
          language=entry.language)  # fmt: skip


def send_cancelled_by_office(booking: Booking, reason: str, book_url: str) -> None:
    """The office cancelled the appointment (a closed day); there is no manage link to give."""
    _send(booking, _("Your appointment is cancelled by the office"),
          "appointments/email/cancelled_by_office",
          {**_context(booking, ""), "reason": reason, "book_url": book_url,
           "calendar_file": booking.confirmed_at is not None},
          attachments=_cancellation_file(booking))  # fmt: skip

"""The waiting list: who gets a time that becomes free when every time is taken.

A citizen joins for one appointment type (e-mail confirmation, like a booking). When a booking
of that type leaves the active states — cancelled, hold expired, moved to another time — its
slot is held for the longest-waiting confirmed entry, in the same transaction that freed it: an
ordinary held booking with a hold of ``RATHAUS_APPOINTMENT_OFFER_MINUTES``, and an e-mail with
the link that confirms it. If the person lets the hold run out, the slot is freed again and the
next person is offered it the same way. Entries are claimed with conditional UPDATEs, so two
freed slots never go to the same person.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.appointments import mail, services
from rathaus.appointments.models import AppointmentType, Booking, WaitingListEntry
from rathaus.core import tenancy

TRIES = 5  # entries tried for one freed slot (someone may have reached their limit meanwhile)


class AlreadyWaiting(services.BookingError):
    """This e-mail address is already on the waiting list of this type."""


class UnknownEntry(services.BookingError):
    """No waiting list entry has this link."""


def join(
    appointment_type: AppointmentType,
    *,
    name: str,
    email: str,
    phone: str = "",
    portal_url: str = "",
    language: str,
) -> tuple[WaitingListEntry, str]:
    """Put the person on the waiting list (unconfirmed) and e-mail the confirmation link.

    The links lead to the portal of the location's authority unless ``portal_url`` names
    another address; it is stored with the entry for the offer e-mail the worker sends later.
    """
    portal_url = portal_url or tenancy.portal_url(appointment_type.location.authority)
    services.normal_phone(phone)  # ValueError for what is not a phone number
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                appointment_type=appointment_type,
                name=name,
                email=email.strip().lower(),
                phone=phone.strip(),
                token_hash=services.token_hash(token),
                portal_url=portal_url,
                language=language,
            )
            mail.send_waiting_confirm(entry, token)
    except IntegrityError:
        raise AlreadyWaiting(email) from None
    return entry, token


def by_token(token: str) -> WaitingListEntry:
    entry = (
        WaitingListEntry.objects.select_related("appointment_type__location", "offer")
        .filter(token_hash=services.token_hash(token))
        .first()
    )
    if entry is None:
        raise UnknownEntry
    return entry


def confirm(token: str, *, now: dt.datetime | None = None) -> WaitingListEntry:
    """Double opt-in: the entry starts waiting (its place is the time of confirmation)."""
    now = now or timezone.now()
    entry = by_token(token)
    WaitingListEntry.objects.filter(pk=entry.pk, status=WaitingListEntry.Status.UNCONFIRMED).update(
        status=WaitingListEntry.Status.WAITING, confirmed_at=now
    )
    entry.refresh_from_db()
    return entry


def leave(token: str) -> WaitingListEntry:
    """Leave the waiting list; an offered time that is still held is released too."""
    entry = by_token(token)
    with transaction.atomic():
        left = WaitingListEntry.objects.filter(
            pk=entry.pk, status__in=[WaitingListEntry.Status.UNCONFIRMED,
                                     WaitingListEntry.Status.WAITING]
        ).update(status=WaitingListEntry.Status.LEFT)  # fmt: skip
    entry.refresh_from_db()
    if not left and entry.status == WaitingListEntry.Status.OFFERED:
        raise services.BookingError("an offer is pending; decline it with the booking link")
    return entry


def offer_slot(type_id: int, start: dt.datetime, *, now: dt.datetime) -> WaitingListEntry | None:
    """Hold the freed slot for the next waiting person; called inside the freeing transaction."""
    waiting = WaitingListEntry.objects.filter(
        appointment_type_id=type_id, status=WaitingListEntry.Status.WAITING
    ).order_by("confirmed_at", "pk")[:TRIES]
    entries = list(waiting)
    if not entries:
        return None
    appointment_type = AppointmentType.objects.select_related("location__authority").get(pk=type_id)
    for entry in entries:
        try:
            with transaction.atomic():
                claimed = WaitingListEntry.objects.filter(
                    pk=entry.pk, status=WaitingListEntry.Status.WAITING
                ).update(status=WaitingListEntry.Status.OFFERED, offered_at=now)
                if not claimed:
                    continue
                booking = services.book(
                    appointment_type,
                    start,
                    name=entry.name,
                    email=entry.email,
                    phone=entry.phone,
                    hold_minutes=settings.RATHAUS_APPOINTMENT_OFFER_MINUTES,
                    now=now,
                )
                WaitingListEntry.objects.filter(pk=entry.pk).update(offer=booking)
                entry.appointment_type = appointment_type
                mail.send_offer(entry, booking, booking.manage_token)  # type: ignore[attr-defined]
        except services.InvalidSlot:
            return None  # too soon or closed by now: nobody can have it
        except services.SlotTaken:
            return None  # not wholly free (a move handed part of it over)
        except services.TooManyBookings:
            continue  # this person has enough appointments of the type; they keep waiting
        return entry
    return None


def booking_ended(booking: Booking) -> None:
    """An offered booking expired or was cancelled: that entry's turn is over."""
    WaitingListEntry.objects.filter(
        offer_id=booking.pk, status=WaitingListEntry.Status.OFFERED
    ).update(status=WaitingListEntry.Status.EXPIRED)


def offer_withdrawn(booking: Booking) -> None:
    """The office cancelled an offered time (a closed day): the person waits again, in turn."""
    WaitingListEntry.objects.filter(
        offer_id=booking.pk, status=WaitingListEntry.Status.OFFERED
    ).update(status=WaitingListEntry.Status.WAITING, offer=None, offered_at=None)


def offer_taken(booking: Booking) -> None:
    """The offered booking was confirmed."""
    WaitingListEntry.objects.filter(
        offer_id=booking.pk, status=WaitingListEntry.Status.OFFERED
    ).update(status=WaitingListEntry.Status.BOOKED)

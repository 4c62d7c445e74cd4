"""Booking, confirming, cancelling and expiring appointments.

Correctness under concurrency rests on the database (see the docstring of
:mod:`rathaus.appointments.models`): a booking inserts one occupancy row per cell of its resource
inside a savepoint, and the unique constraint on (resource, cell) makes the loser of any race
fail there. The per-person limit is an atomic conditional UPDATE of a counter. Every function
runs in one transaction, so a refused booking writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from rathaus.appointments import availability
from rathaus.appointments.models import AppointmentType, Booking, Occupancy, PersonQuota

DEFAULT_HOLD_MINUTES = 15


class BookingError(Exception):
    """A booking request that cannot be fulfilled; nothing was written."""


class SlotTaken(BookingError):
    """No resource is free at the requested start any more."""


class InvalidSlot(BookingError):
    """The start is not a slot of the type: past, too soon, too far, closed or off the grid."""


class TooManyBookings(BookingError):
    """The e-mail address already has the maximum of active bookings for this type."""


class UnknownBooking(BookingError):
    """No booking has this manage token."""


class AlreadyCancelled(BookingError):
    """The booking was cancelled before."""


class HoldExpired(BookingError):
    """The hold ran out before it was confirmed; the slot may be gone."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normal_email(email: str) -> str:
    return email.strip().lower()


def _free(booking: Booking) -> None:
    """Free the cells of a booking that just left the active states, and its quota unit."""
    Occupancy.objects.filter(booking_id=booking.pk).delete()
    PersonQuota.objects.filter(
        appointment_type_id=booking.appointment_type_id,
        email=_normal_email(booking.email),
        active__gt=0,
    ).update(active=F("active") - 1)


def _expire_if_stale(booking: Booking, now: dt.datetime) -> bool:
    """Expire a hold that ran out; False if it was confirmed, cancelled or expired meanwhile.

    The conditional UPDATE decides: of two concurrent callers only one changes the row, and
    only that one frees the cells and gives back the quota.
    """
    updated = Booking.objects.filter(
        pk=booking.pk, status=Booking.Status.HELD, hold_expires_at__lte=now
    ).update(status=Booking.Status.EXPIRED)
    if updated:
        _free(booking)
    return bool(updated)


def expire_holds(now: dt.datetime | None = None) -> int:
    """Expire every hold that ran out; returns how many. Run by the worker's housekeeping."""
    now = now or timezone.now()
    count = 0
    stale = Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
    for booking in stale.only("pk", "appointment_type_id", "email"):
        with transaction.atomic():
            count += _expire_if_stale(booking, now)
    return count


def book(
    appointment_type: AppointmentType,
    start: dt.datetime,
    *,
    name: str,
    email: str,
    phone: str = "",
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
    now: dt.datetime | None = None,
) -> Booking:
    """Hold the slot at `start` on a free resource; the new booking has `manage_token` set.

    Raises InvalidSlot, TooManyBookings or SlotTaken; then nothing was written.
    """
    now = now or timezone.now()
    if timezone.is_naive(start):
        raise InvalidSlot("start must be an aware datetime")
    candidates = availability.scheduled_resources(appointment_type, start, now=now)
    if not candidates:
        raise InvalidSlot(f"{start.isoformat()} is not a slot of {appointment_type}")
    blocked_until = start + dt.timedelta(minutes=appointment_type.block_minutes)
    cells = range(availability.cell(start), availability.cell(blocked_until))
    address = _normal_email(email)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        # Holds that ran out count as free: expire those in the way first (same transaction).
        for stale in Booking.objects.filter(
            resource_id__in=candidates,
            status=Booking.Status.HELD,
            hold_expires_at__lte=now,
            start__lt=blocked_until,
            blocked_until__gt=start,
        ).only("pk", "appointment_type_id", "email"):
            _expire_if_stale(stale, now)
        for stale in Booking.objects.filter(
            appointment_type=appointment_type,
            email__iexact=address,
            status=Booking.Status.HELD,
            hold_expires_at__lte=now,
        ).only("pk", "appointment_type_id", "email"):
            _expire_if_stale(stale, now)

        quota, _created = PersonQuota.objects.get_or_create(
            appointment_type=appointment_type, email=address
        )
        granted = PersonQuota.objects.filter(
            pk=quota.pk, active__lt=appointment_type.max_active_per_person
        ).update(active=F("active") + 1)
        if not granted:
            raise TooManyBookings(address)

        for resource_id in candidates:
            try:
                with transaction.atomic():
                    booking = Booking.objects.create(
                        appointment_type=appointment_type,
                        resource_id=resource_id,
                        location_id=appointment_type.location_id,
                        start=start,
                        end=start + dt.timedelta(minutes=appointment_type.duration_minutes),
                        blocked_until=blocked_until,
                        status=Booking.Status.HELD,
                        hold_expires_at=now + dt.timedelta(minutes=hold_minutes),
                        name=name,
                        email=email.strip(),
                        phone=phone.strip(),
                        token_hash=token_hash(token),
                    )
                    Occupancy.objects.bulk_create(
                        Occupancy(
                            booking=booking,
                            resource_id=resource_id,
                            start=availability.cell_start(number),
                        )
                        for number in cells
                    )
            except IntegrityError:
                continue
            booking.manage_token = token  # type: ignore[attr-defined]
            return booking
        raise SlotTaken(start.isoformat())


def _by_token(token: str) -> Booking:
    booking = Booking.objects.filter(token_hash=token_hash(token)).first()
    if booking is None:
        raise UnknownBooking
    return booking


def confirm(token: str, *, now: dt.datetime | None = None) -> Booking:
    """Confirm a held booking (double opt-in); confirming again changes nothing.

    Raises UnknownBooking, AlreadyCancelled, or HoldExpired (the hold ran out first).
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _by_token(token)
        updated = Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.HELD, hold_expires_at__gt=now
        ).update(status=Booking.Status.CONFIRMED, confirmed_at=now, hold_expires_at=None)
        if not updated:
            _expire_if_stale(booking, now)
        booking.refresh_from_db()
    if booking.status == Booking.Status.CONFIRMED:
        return booking
    if booking.status == Booking.Status.CANCELLED:
        raise AlreadyCancelled
    raise HoldExpired


def cancel(token: str, *, now: dt.datetime | None = None) -> Booking:
    """Cancel a held or confirmed booking and free its slot.

    Raises UnknownBooking, AlreadyCancelled (also on the second cancel) or HoldExpired.
    """
    now = now or timezone.now()
    with transaction.atomic():
        booking = _by_token(token)
        updated = (
            Booking.objects.filter(pk=booking.pk, status__in=list(Booking.ACTIVE))
            .exclude(status=Booking.Status.HELD, hold_expires_at__lte=now)
            .update(status=Booking.Status.CANCELLED, cancelled_at=now)
        )
        if updated:
            _free(booking)
        else:
            _expire_if_stale(booking, now)
        booking.refresh_from_db()
    if updated:
        return booking
    if booking.status == Booking.Status.CANCELLED:
        raise AlreadyCancelled
    raise HoldExpired

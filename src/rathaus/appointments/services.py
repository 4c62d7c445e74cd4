"""Booking, confirming, cancelling and expiring appointments.

Correctness under concurrency rests on the database (see the docstring of
:mod:`rathaus.appointments.models`): a booking inserts one occupancy row per cell of its resource
inside a savepoint, and the unique constraint on (resource, cell) makes the loser of any race
fail there. The per-person limits (per e-mail address and per phone number) are atomic
conditional UPDATEs of counters. Every function runs in one transaction, so a refused booking
writes nothing.

A combined booking (several appointment types in one visit, see
:class:`~rathaus.appointments.models.Visit`) takes one quota unit per type and per person, and
gives each back when it ends.

A slot that is freed (cancelled, hold expired, moved away from) is offered to the next person on
the waiting list of its type in the same transaction (:mod:`rathaus.appointments.waitlist`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from rathaus.appointments import availability
from rathaus.appointments.models import (
    AppointmentType,
    Booking,
    BookingItem,
    BookingQuota,
    Occupancy,
    PersonQuota,
    PhoneQuota,
    Visit,
)

DEFAULT_HOLD_MINUTES = 15


class BookingError(Exception):
    """A booking request that cannot be fulfilled; nothing was written."""


class SlotTaken(BookingError):
    """No resource is free at the requested start any more."""


class InvalidSlot(BookingError):
    """The start is not a slot of the type: past, too soon, too far, closed or off the grid."""


class NotCombinable(InvalidSlot):
    """The chosen appointment types cannot be booked together."""


class TooManyBookings(BookingError):
    """The e-mail address already has the maximum of active bookings for this type."""


class TooManyForPhone(TooManyBookings):
    """The phone number already has the maximum of active bookings for this type."""


class SameTime(BookingError):
    """A booking was to be moved to the time it already has."""


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


_PHONE_NOISE = re.compile(r"[\s\-/().]")


def normal_phone(text: str) -> str:
    """A phone number in international form (+4939203…), so that spellings count as one.

    German numbers may be written national (0392 03-1234), with 0049 or +49, with "(0)"
    after the country code, spaces, dashes, slashes or parentheses. Empty stays empty;
    ValueError for anything that is not a phone number.
    """
    value = text.strip().replace("(0)", "")
    if not value:
        return ""
    value = _PHONE_NOISE.sub("", value)
    if value.startswith("00"):
        value = "+" + value[2:]
    elif value.startswith("0"):
        value = "+49" + value[1:]
    elif not value.startswith("+"):
        raise ValueError("a phone number starts with 0 or +")
    digits = value[1:]
    if not digits.isdigit() or not 6 <= len(digits) <= 15 or digits.startswith("0"):
        raise ValueError("not a phone number")
    return value


def _quota_phone(phone: str) -> str:
    try:
        return normal_phone(phone)
    except ValueError:
        return ""  # stored before numbers were checked; counted by e-mail address only


def type_ids(booking: Booking) -> list[int]:
    """The appointment types of a booking: its items in order, or its one type."""
    items = list(
        BookingItem.objects.filter(booking_id=booking.pk)
        .order_by("position")
        .values_list("appointment_type_id", flat=True)
    )
    return items or [booking.appointment_type_id]


def _free(booking: Booking, *, quota: bool = True) -> None:
    """Free the cells of a booking that just left the active states, and its quota units."""
    Occupancy.objects.filter(booking_id=booking.pk).delete()
    if not quota:
        return
    kinds = type_ids(booking)
    for model, key in _quota_keys(_normal_email(booking.email), _quota_phone(booking.phone)):
        model._default_manager.filter(
            appointment_type_id__in=kinds, active__gt=0, **{model.KEY: key}
        ).update(active=F("active") - 1)


def _quota_keys(address: str, phone: str) -> list[tuple[type[BookingQuota], str]]:
    """The quotas a booking counts against: always its e-mail address, its phone if given."""
    keys: list[tuple[type[BookingQuota], str]] = [(PersonQuota, address)]
    if phone:
        keys.append((PhoneQuota, phone))
    return keys


def _released(booking: Booking, now: dt.datetime) -> None:
    """The slot of a booking that left the active states goes to the waiting list, if any.

    A combined booking's time is offered to the waiting list of each of its types in turn;
    the first offer that fits takes it.
    """
    from rathaus.appointments import waitlist

    waitlist.booking_ended(booking)
    for type_id in type_ids(booking):
        if waitlist.offer_slot(type_id, booking.start, now=now) is not None:
            break


def _expire_if_stale(booking: Booking, now: dt.datetime, *, offer: bool = True) -> bool:
    """Expire a hold that ran out; False if it was confirmed, cancelled or expired meanwhile.

    The conditional UPDATE decides: of two concurrent callers only one changes the row, and
    only that one frees the cells and gives back the quota. With `offer`, the freed slot goes
    to the waiting list; a booking that expires holds in its own way does not offer them.
    """
    updated = Booking.objects.filter(
        pk=booking.pk, status=Booking.Status.HELD, hold_expires_at__lte=now
    ).update(status=Booking.Status.EXPIRED)
    if updated:
        _free(booking)
        if offer:
            _released(booking, now)
        else:
            from rathaus.appointments import waitlist

            waitlist.booking_ended(booking)
    return bool(updated)


_STALE_FIELDS = ("pk", "appointment_type_id", "email", "phone", "start")


def expire_holds(now: dt.datetime | None = None) -> int:
    """Expire every hold that ran out; returns how many. Run by the worker's housekeeping."""
    now = now or timezone.now()
    count = 0
    stale = Booking.objects.filter(status=Booking.Status.HELD, hold_expires_at__lte=now)
    for booking in stale.only(*_STALE_FIELDS):
        with transaction.atomic():
            count += _expire_if_stale(booking, now)
    return count


def _expire_in_the_way(
    candidates: list[int],
    start: dt.datetime,
    blocked_until: dt.datetime,
    now: dt.datetime,
) -> None:
    """Holds that ran out count as free: expire those in the way first (same transaction)."""
    for stale in Booking.objects.filter(
        resource_id__in=candidates,
        status=Booking.Status.HELD,
        hold_expires_at__lte=now,
        start__lt=blocked_until,
        blocked_until__gt=start,
    ).only(*_STALE_FIELDS):
        _expire_if_stale(stale, now, offer=False)


def _take_quota(visit: Visit, address: str, phone: str) -> None:
    """Count one more active booking per type of the visit, or refuse (nothing is kept then,
    because the caller's transaction rolls back)."""
    for appointment_type in visit.types:
        _take_quota_of(appointment_type, address, phone)


def _take_quota_of(appointment_type: AppointmentType, address: str, phone: str) -> None:
    """Count one more active booking for the address and the phone number, or refuse."""
    limit = appointment_type.max_active_per_person
    for model, key in _quota_keys(address, phone):
        lookup: dict[str, Any] = {"appointment_type": appointment_type, model.KEY: key}
        quota, _created = model._default_manager.get_or_create(defaults=None, **lookup)
        if not model._default_manager.filter(pk=quota.pk, active__lt=limit).update(
            active=F("active") + 1
        ):
            raise TooManyBookings(address) if model is PersonQuota else TooManyForPhone(phone)


def book(
    appointment_type: AppointmentType | Visit,
    start: dt.datetime,
    *,
    name: str,
    email: str,
    phone: str = "",
    hold_minutes: int = DEFAULT_HOLD_MINUTES,
    now: dt.datetime | None = None,
) -> Booking:
    """Hold the slot at `start` on a free resource; the new booking has `manage_token` set.

    `appointment_type` may be a :class:`Visit` of several combinable types of one location.
    Raises NotCombinable, InvalidSlot, TooManyBookings (TooManyForPhone) or SlotTaken; then
    nothing was written. A phone number that is not one raises ValueError (forms check it).
    """
    now = now or timezone.now()
    visit = Visit.of(appointment_type)
    problem = visit.problem()
    if problem:
        raise NotCombinable(problem)
    if timezone.is_naive(start):
        raise InvalidSlot("start must be an aware datetime")
    phone_key = normal_phone(phone)
    candidates = availability.scheduled_resources(visit, start, now=now)
    if not candidates:
        raise InvalidSlot(f"{start.isoformat()} is not a slot of {visit}")
    blocked_until = start + dt.timedelta(minutes=visit.block_minutes)
    address = _normal_email(email)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        _expire_in_the_way(candidates, start, blocked_until, now)
        for stale in (
            Booking.objects.filter(
                Q(appointment_type_id__in=visit.ids) | Q(items__appointment_type_id__in=visit.ids),
                email__iexact=address,
                status=Booking.Status.HELD,
                hold_expires_at__lte=now,
            )
            .distinct()
            .only(*_STALE_FIELDS)
        ):
            _expire_if_stale(stale, now)
        _take_quota(visit, address, phone_key)
        booking = _insert(
            visit,
            candidates,
            start,
            Booking(
                name=name,
                email=email.strip(),
                phone=phone.strip(),
                status=Booking.Status.HELD,
                hold_expires_at=now + dt.timedelta(minutes=hold_minutes),
                token_hash=token_hash(token),
            ),
        )
        if booking is None:
            raise SlotTaken(start.isoformat())
    booking.manage_token = token  # type: ignore[attr-defined]
    return booking


def _insert(
    visit: Visit,
    candidates: list[int],
    start: dt.datetime,
    booking: Booking,
    *,
    own_cells: dict[int, set[dt.datetime]] | None = None,
) -> Booking | None:
    """Save `booking` at `start` on the first candidate whose cells are free, or None.

    Each try runs in a savepoint: the unique constraint on (resource, cell) refuses a taken
    cell. `own_cells` are cells per resource that the caller already holds (a booking being
    moved); they are not inserted again, the caller hands them over.
    """
    blocked_until = start + dt.timedelta(minutes=visit.block_minutes)
    cells = [
        availability.cell_start(number)
        for number in range(availability.cell(start), availability.cell(blocked_until))
    ]
    booking.appointment_type = visit.first
    booking.location_id = visit.location_id
    booking.start = start
    booking.end = start + dt.timedelta(minutes=visit.duration_minutes)
    booking.blocked_until = blocked_until
    for resource_id in candidates:
        mine = (own_cells or {}).get(resource_id, set())
        try:
            with transaction.atomic():
                booking.pk = None
                booking.resource_id = resource_id
                booking.save(force_insert=True)
                Occupancy.objects.bulk_create(
                    Occupancy(booking=booking, resource_id=resource_id, start=moment)
                    for moment in cells
                    if moment not in mine
                )
        except IntegrityError:
            continue
        if visit.combined:
            BookingItem.objects.bulk_create(
                BookingItem(booking=booking, appointment_type=kind, position=position)
                for position, kind in enumerate(visit.types)
            )
        booking.__dict__["visit"] = visit
        return booking
    return None


def reschedule(token: str, start: dt.datetime, *, now: dt.datetime | None = None) -> Booking:
    """Move an active booking to `start`: the new slot is taken before the old one is freed.

    One transaction: a new booking row takes the new cells (cells the old booking already has
    on the same resource are handed over), then the old row is cancelled with a pointer to the
    new one and its remaining cells are freed; the manage link moves to the new row. The
    quota is unchanged, and so are the services of a combined booking. Raises UnknownBooking,
    AlreadyCancelled, HoldExpired, SameTime, InvalidSlot or SlotTaken; then nothing changed.
    """
    now = now or timezone.now()
    if timezone.is_naive(start):
        raise InvalidSlot("start must be an aware datetime")
    with transaction.atomic():
        old = _by_token(token)
        _check_active(old, now)
        if old.start == start:
            raise SameTime(start.isoformat())
        visit = old.visit
        candidates = availability.scheduled_resources(visit, start, now=now)
        if not candidates:
            raise InvalidSlot(f"{start.isoformat()} is not a slot of {visit}")
        blocked_until = start + dt.timedelta(minutes=visit.block_minutes)
        _expire_in_the_way(candidates, start, blocked_until, now)
        own: dict[int, set[dt.datetime]] = {}
        for resource_id, moment in Occupancy.objects.filter(booking_id=old.pk).values_list(
            "resource_id", "start"
        ):
            own.setdefault(resource_id, set()).add(moment)
        # The old row keeps its manage hash until it is cancelled; the new one waits with a
        # placeholder, because the hash is unique.
        new = _insert(
            visit,
            [old.resource_id, *(c for c in candidates if c != old.resource_id)]
            if old.resource_id in candidates
            else candidates,
            start,
            Booking(
                name=old.name,
                email=old.email,
                phone=old.phone,
                status=old.status,
                hold_expires_at=old.hold_expires_at,
                confirmed_at=old.confirmed_at,
                token_hash=token_hash(secrets.token_urlsafe(32)),
                sequence=old.sequence + 1,  # the same calendar event (UID), one revision on
            ),
            own_cells=own,
        )
        if new is None:
            raise SlotTaken(start.isoformat())
        moved = Booking.objects.filter(pk=old.pk, status=old.status).update(
            status=Booking.Status.CANCELLED,
            cancelled_at=now,
            rescheduled_to=new,
            token_hash=token_hash(secrets.token_urlsafe(32)),
        )
        if not moved:  # cancelled or moved by a concurrent request: undo everything
            raise AlreadyCancelled
        from rathaus.appointments.models import WaitingListEntry

        WaitingListEntry.objects.filter(offer_id=old.pk).update(offer=new)
        new_cells = {
            availability.cell_start(number)
            for number in range(availability.cell(new.start), availability.cell(new.blocked_until))
        }
        handed_over = own.get(new.resource_id, set()) & new_cells
        Occupancy.objects.filter(
            booking_id=old.pk, resource_id=new.resource_id, start__in=handed_over
        ).update(booking=new)
        _free(old, quota=False)
        Booking.objects.filter(pk=new.pk).update(token_hash=old.token_hash)
        new.token_hash = old.token_hash
        _released(old, now)
    return new


def _check_active(booking: Booking, now: dt.datetime) -> None:
    if booking.status == Booking.Status.CANCELLED:
        raise AlreadyCancelled
    if booking.status == Booking.Status.EXPIRED or (
        booking.status == Booking.Status.HELD
        and booking.hold_expires_at is not None
        and booking.hold_expires_at <= now
    ):
        raise HoldExpired


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
        if updated:
            from rathaus.appointments import waitlist

            waitlist.offer_taken(booking)
        else:
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
            .update(status=Booking.Status.CANCELLED, cancelled_at=now, sequence=F("sequence") + 1)
        )
        if updated:
            _free(booking)
            _released(booking, now)
        else:
            _expire_if_stale(booking, now)
        booking.refresh_from_db()
    if updated:
        return booking
    if booking.status == Booking.Status.CANCELLED:
        raise AlreadyCancelled
    raise HoldExpired


def send_reminders(now: dt.datetime | None = None) -> int:
    """E-mail a reminder for every confirmed appointment tomorrow, once per booking.

    Run by the worker's housekeeping from ``RATHAUS_APPOINTMENT_REMINDER_HOUR``. Each booking is
    claimed with a conditional UPDATE of ``reminder_sent_at`` in the transaction that queues its
    e-mail, so several workers never send one twice and a failure to queue sends none.
    """
    from django.conf import settings

    from rathaus.appointments import mail

    now = now or timezone.now()
    local = timezone.localtime(now, availability.TZ)
    if local.hour < settings.RATHAUS_APPOINTMENT_REMINDER_HOUR:
        return 0
    tomorrow = local.date() + dt.timedelta(days=1)
    begin = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=availability.TZ)
    end = begin + dt.timedelta(days=1)
    due = Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gte=begin,
        start__lt=end,
    ).select_related("appointment_type", "location__authority")
    sent = 0
    for booking in due:
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking.pk, status=Booking.Status.CONFIRMED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                mail.send_reminder(booking)
                sent += 1
    return sent

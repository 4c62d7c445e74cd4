"""What staff do with appointments: check-in, waiting numbers, call-up, outcome, blocks, closures.

Like :mod:`rathaus.appointments.services`, every function runs in one transaction, changes rows
only through conditional updates or under a row lock, and writes an audit entry. E-mails are
written with the change and delivered by the worker after the commit
(:func:`rathaus.core.mail.send_mail`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.appointments import availability, mail, waitlist
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import (
    CELL_MINUTES,
    AppointmentType,
    Block,
    Booking,
    Closure,
    Location,
    NoShowCount,
    Occupancy,
    Resource,
    Ticket,
)
from rathaus.appointments.services import _expire_if_stale, _free, _normal_email
from rathaus.core import audit, sequences, tenancy

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_BLOCK_DAYS = 31


class DeskActionRefused(Exception):
    """A staff action that is not possible now; the message is for the member of staff."""


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, TZ).date()


def day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end (exclusive) of a local calendar day as aware datetimes."""
    begin = dt.datetime.combine(day, dt.time(0), tzinfo=TZ)
    return begin, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=TZ)


def _next_number(location: Location, day: dt.date, series: str) -> int:
    """Draw the next waiting number: the sequence row's lock serialises concurrent check-ins."""
    return sequences.next_value(sequences.scope("ticket", location.pk, day.isoformat(), series))


def _new_ticket(location: Location, series: str, now: dt.datetime, **fields: Any) -> Ticket:
    today = local_day(now)
    return Ticket.objects.create(
        location=location,
        day=today,
        series=series,
        number=_next_number(location, today, series),
        created_at=now,
        **fields,
    )


def _audit(
    action: str, user: User | None, location: Location, obj: models.Model, **details: Any
) -> None:
    audit.record(action, actor=user, authority=location.authority, obj=obj, details=details or None)


def check_in(booking: Booking, user: User | None, *, now: dt.datetime | None = None) -> Ticket:
    """Give a confirmed booking of today its waiting number; checking in twice returns the same.

    Raises DeskActionRefused for bookings that are not confirmed, not today or already closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=booking.pk)
        )
        existing = Ticket.objects.filter(booking=locked).first()
        if existing is not None:
            return existing
        if locked.status != Booking.Status.CONFIRMED:
            raise DeskActionRefused(_("Only confirmed appointments can be checked in."))
        if locked.attendance:
            raise DeskActionRefused(_("This appointment is already closed."))
        today = local_day(now)
        if local_day(locked.start) != today:
            raise DeskActionRefused(_("Only appointments of today can be checked in."))
        location = locked.location
        ticket = _new_ticket(
            location,
            Ticket.BOOKED,
            now,
            booking=locked,
            appointment_type_id=locked.appointment_type_id,
        )
        _audit("appointments.checked_in", user, location, locked, ticket=ticket.label)
    return ticket


def walk_in(
    location: Location,
    user: User | None,
    appointment_type: AppointmentType | None = None,
    *,
    now: dt.datetime | None = None,
) -> Ticket:
    """A waiting number for someone without an appointment (series W)."""
    now = now or timezone.now()
    if appointment_type is not None and appointment_type.location_id != location.pk:
        raise DeskActionRefused(_("This appointment type is not offered at this location."))
    with transaction.atomic():
        ticket = _new_ticket(location, Ticket.WALK_IN, now, appointment_type=appointment_type)
        _audit("appointments.walk_in", user, location, ticket, ticket=ticket.label)
    return ticket


def waiting_queue(location: Location, day: dt.date) -> QuerySet[Ticket]:
    """Waiting tickets of the day in the order they are called.

    Booked people are due at their appointment time, walk-ins when they drew their number; the
    earlier of the two goes first, so early arrivals do not push ahead of people already
    waiting.
    """
    return (
        Ticket.objects.filter(location=location, day=day, status=Ticket.Status.WAITING)
        .annotate(due=Coalesce("booking__start", "created_at"))
        .order_by("due", "pk")
    )


def _check_desk(location: Location, desk: Resource) -> None:
    if desk.location_id != location.pk:
        raise DeskActionRefused(_("This desk does not belong to the location."))


def call(
    ticket: Ticket, desk: Resource, user: User | None, *, now: dt.datetime | None = None
) -> Ticket:
    """Call a waiting number to a desk; calling a called number again shows it again."""
    now = now or timezone.now()
    _check_desk(ticket.location, desk)
    with transaction.atomic():
        updated = Ticket.objects.filter(
            pk=ticket.pk,
            day=local_day(now),
            status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED],
        ).update(status=Ticket.Status.CALLED, called_at=now, desk=desk)
        if not updated:
            raise DeskActionRefused(_("This number cannot be called any more."))
        ticket.refresh_from_db()
        _audit("appointments.called", user, ticket.location, ticket, desk=desk.name)
    return ticket


def call_next(
    location: Location, desk: Resource, user: User | None, *, now: dt.datetime | None = None
) -> Ticket | None:
    """Call the next waiting number to the desk; None when nobody is waiting.

    The conditional update makes two clerks pressing at once call two different numbers.
    """
    now = now or timezone.now()
    _check_desk(location, desk)
    with transaction.atomic():
        for ticket in waiting_queue(location, local_day(now))[:20]:
            updated = Ticket.objects.filter(pk=ticket.pk, status=Ticket.Status.WAITING).update(
                status=Ticket.Status.CALLED, called_at=now, desk=desk
            )
            if updated:
                ticket.refresh_from_db()
                _audit("appointments.called", user, location, ticket, desk=desk.name)
                return ticket
    return None


def _count_no_show(booking: Booking, now: dt.datetime) -> None:
    authority_id = booking.location.authority_id
    address = _normal_email(booking.email)
    NoShowCount.objects.bulk_create(
        [NoShowCount(authority_id=authority_id, email=address)], ignore_conflicts=True
    )
    NoShowCount.objects.filter(authority_id=authority_id, email=address).update(
        count=F("count") + 1, last_at=now
    )


def _close_booking(booking: Booking, attendance: str, now: dt.datetime) -> bool:
    return bool(
        Booking.objects.filter(
            pk=booking.pk, status=Booking.Status.CONFIRMED, attendance=""
        ).update(attendance=attendance, attendance_at=now)
    )


def _close_ticket(ticket: Ticket, status: str, now: dt.datetime) -> None:
    """Close a waiting or called number; refused when it is closed already."""
    updated = Ticket.objects.filter(
        pk=ticket.pk, status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED]
    ).update(status=status, finished_at=now)
    if not updated:
        raise DeskActionRefused(_("This number is already closed."))


def finish(ticket: Ticket, user: User | None, *, now: dt.datetime | None = None) -> Ticket:
    """The person was served: the ticket (and its booking) is done."""
    now = now or timezone.now()
    with transaction.atomic():
        _close_ticket(ticket, Ticket.Status.DONE, now)
        if ticket.booking_id is not None:
            _close_booking(Booking(pk=ticket.booking_id), Booking.Attendance.DONE, now)
        ticket.refresh_from_db()
        _audit("appointments.done", user, ticket.location, ticket, ticket=ticket.label)
    return ticket


def mark_done(booking: Booking, user: User | None, *, now: dt.datetime | None = None) -> None:
    """Done without a waiting number (the person went straight to the desk)."""
    now = now or timezone.now()
    ticket = Ticket.objects.filter(booking=booking).select_related("location").first()
    if ticket is not None and ticket.status in (Ticket.Status.WAITING, Ticket.Status.CALLED):
        finish(ticket, user, now=now)
        return
    with transaction.atomic():
        if booking.start > now + dt.timedelta(hours=1):
            raise DeskActionRefused(_("An appointment in the future cannot be marked as done."))
        if not _close_booking(booking, Booking.Attendance.DONE, now):
            raise DeskActionRefused(_("This appointment is already closed."))
        _audit("appointments.done", user, booking.location, booking)


def mark_no_show(
    booking: Booking, user: User | None, *, now: dt.datetime | None = None, called: bool = False
) -> None:
    """The person did not come (or did not answer the call); counted for their e-mail address."""
    now = now or timezone.now()
    with transaction.atomic():
        if booking.start > now and not called:
            raise DeskActionRefused(_("You can mark a no-show only after the appointment began."))
        if not _close_booking(booking, Booking.Attendance.NO_SHOW, now):
            raise DeskActionRefused(_("This appointment is already closed."))
        Ticket.objects.filter(
            booking=booking, status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED]
        ).update(status=Ticket.Status.NO_SHOW, finished_at=now)
        _count_no_show(booking, now)
        _audit("appointments.no_show", user, booking.location, booking)


def ticket_no_show(ticket: Ticket, user: User | None, *, now: dt.datetime | None = None) -> None:
    """A called number nobody answered; for a booking this is a no-show of the booking."""
    now = now or timezone.now()
    if ticket.booking_id is not None:
        booking = Booking.objects.select_related("location").get(pk=ticket.booking_id)
        mark_no_show(booking, user, now=now, called=ticket.status == Ticket.Status.CALLED)
        return
    with transaction.atomic():
        _close_ticket(ticket, Ticket.Status.NO_SHOW, now)
        _audit("appointments.no_show", user, ticket.location, ticket, ticket=ticket.label)


def _active(query: QuerySet[Booking], now: dt.datetime) -> QuerySet[Booking]:
    """Held or confirmed, with holds that ran out left out (they are free already)."""
    return query.filter(status__in=Booking.ACTIVE).exclude(
        status=Booking.Status.HELD, hold_expires_at__lte=now
    )


def _expire_stale(query: QuerySet[Booking], now: dt.datetime) -> None:
    for stale in query.filter(status=Booking.Status.HELD, hold_expires_at__lte=now).only(
        "pk", "appointment_type_id", "email"
    ):
        _expire_if_stale(stale, now)


def block(
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    reason: str,
    user: User | None,
    *,
    now: dt.datetime | None = None,
) -> tuple[Block, list[Booking]]:
    """Take the resource out of booking from start to end; returns the block and the bookings
    that already lie in the period (they are kept, the member of staff decides about them)."""
    now = now or timezone.now()
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise DeskActionRefused(_("Please give a reason."))
    if end <= start:
        raise DeskActionRefused(_("The end must be after the start."))
    if end - start > dt.timedelta(days=MAX_BLOCK_DAYS):
        raise DeskActionRefused(
            _("A block can be at most %(days)s days long; close whole days instead.")
            % {"days": MAX_BLOCK_DAYS}
        )
    if end <= now:
        raise DeskActionRefused(_("The period is over already."))
    first_cell = availability.cell(start)
    last_cell = -(-int(end.timestamp()) // (CELL_MINUTES * 60))
    overlapping = Booking.objects.filter(resource=resource, start__lt=end, blocked_until__gt=start)
    with transaction.atomic():
        _expire_stale(overlapping, now)
        created = Block.objects.create(
            resource=resource,
            start=availability.cell_start(first_cell),
            end=availability.cell_start(last_cell),
            reason=reason,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # Cells of bookings that exist stay theirs; every other cell is now the block's.
        Occupancy.objects.bulk_create(
            (
                Occupancy(block=created, resource=resource, start=availability.cell_start(n))
                for n in range(first_cell, last_cell)
            ),
            ignore_conflicts=True,
        )
        kept = list(
            _active(overlapping, now)
            .select_related("appointment_type")
            .prefetch_related("items__appointment_type")
            .order_by("start")
        )
        _audit(
            "appointments.blocked",
            user,
            resource.location,
            created,
            resource=resource.name,
            start=created.start.isoformat(),
            end=created.end.isoformat(),
            bookings_in_period=[booking.pk for booking in kept],
        )
    return created, kept


def unblock(blocked: Block, user: User | None) -> None:
    """Give the blocked time back to booking."""
    with transaction.atomic():
        location = blocked.resource.location
        _audit(
            "appointments.unblocked",
            user,
            location,
            blocked,
            resource=blocked.resource.name,
            start=blocked.start.isoformat(),
            end=blocked.end.isoformat(),
        )
        blocked.delete()


def _rest_of_day(
    location: Location, day: dt.date, resource: Resource | None, now: dt.datetime
) -> QuerySet[Booking]:
    begin, end = day_range(day)
    query = Booking.objects.filter(location=location, start__gte=max(begin, now), start__lt=end)
    return query if resource is None else query.filter(resource=resource)


def bookings_of_day(
    location: Location,
    day: dt.date,
    resource: Resource | None = None,
    *,
    now: dt.datetime | None = None,
) -> QuerySet[Booking]:
    """Active bookings a day cancellation would cancel: those of the day not begun yet."""
    now = now or timezone.now()
    return _active(_rest_of_day(location, day, resource, now), now)


@dataclass
class DayCancelled:
    cancelled: int
    closure: Closure


def cancel_day(
    location: Location,
    day: dt.date,
    reason: str,
    user: User | None,
    *,
    portal_url: str = "",
    resource: Resource | None = None,
    now: dt.datetime | None = None,
) -> DayCancelled:
    """Close a day for the location (or one resource) and cancel every booking on it.

    In one transaction: the closure is added (the day is no longer offered), each held or
    confirmed booking that has not begun is cancelled and its cells and quota are freed, and an
    e-mail to each person is written; the worker sends the e-mails after the commit. The
    e-mail links to the booking pages of the authority's portal, or to ``portal_url`` if given.
    """
    now = now or timezone.now()
    reason = " ".join(reason.split())[:200]
    if not reason:
        raise DeskActionRefused(_("Please give a reason; it is in the e-mail to everyone."))
    if day < local_day(now):
        raise DeskActionRefused(_("A day in the past cannot be cancelled."))
    if resource is not None and resource.location_id != location.pk:
        raise DeskActionRefused(_("This desk does not belong to the location."))
    book_url = portal_url or tenancy.portal_url(location.authority, reverse("appointments:index"))
    with transaction.atomic():
        closure = Closure.objects.filter(location=location, resource=resource, date=day).first()
        if closure is None:
            closure = Closure.objects.create(
                location=location, resource=resource, date=day, reason=reason
            )
        day_query = _rest_of_day(location, day, resource, now)
        _expire_stale(day_query, now)
        affected = list(
            _active(day_query, now)
            .select_for_update(of=("self",))
            .select_related("appointment_type", "location__authority")
        )
        cancelled: list[int] = []
        for booking in affected:
            updated = Booking.objects.filter(pk=booking.pk, status__in=list(Booking.ACTIVE)).update(
                status=Booking.Status.CANCELLED, cancelled_at=now, sequence=F("sequence") + 1
            )
            if not updated:
                continue
            booking.status, booking.sequence = Booking.Status.CANCELLED, booking.sequence + 1
            _free(booking)
            waitlist.offer_withdrawn(booking)
            cancelled.append(booking.pk)
            mail.send_cancelled_by_office(booking, reason, book_url)
        _audit(
            "appointments.day_cancelled",
            user,
            location,
            location,
            date=day.isoformat(),
            resource=resource.name if resource else None,
            reason=reason,
            cancelled=cancelled,
        )
    return DayCancelled(len(cancelled), closure)

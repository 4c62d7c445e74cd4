"""Registering for events, confirming, cancelling, the waiting list and the worker's jobs.

The only writer of a registration's status (staff changes of events are in
:mod:`rathaus.events.staff_services`). Correctness under concurrency rests on one lock: every
step that changes who holds a place — confirming, cancelling, cancelling the event — runs in one
transaction that first locks the event's row (``select_for_update``; on SQLite the write lock
of ``BEGIN IMMEDIATE`` serialises writers, see the settings), then counts the registered places
and decides. Two confirmations at the same moment therefore see each other's result; the
capacity is never exceeded.

The waiting list moves up in the order people confirmed: after a cancellation, the first
waiting registrations whose places fit become registered, in the same transaction, and each
gets an e-mail. The e-mails are queued in the transaction (:func:`rathaus.core.mail.send_mail`),
so a rolled-back step sends nothing.

Links: the confirmation link carries a random token whose SHA-256 is stored; the cancellation
link in every e-mail is signed with the secret key (it names the registration), so it works
without a login, and cancelling twice only says that it was cancelled before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.tenancy import portal_url
from rathaus.events.models import Event, Registration

CONFIRM_HOURS = 48
"""How long a confirmation link is valid (and an unconfirmed registration is kept)."""
RETENTION_DAYS = 90
"""Registrations are deleted this many days after their event ended (the privacy notice)."""
CANCEL_SALT = "rathaus.events.cancel"
WORKER = "worker"

Status = Registration.Status


class RegistrationRefused(Exception):
    """The registration cannot be taken; ``message`` says why, for the page."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def registered_places(event: Event) -> int:
    total = event.registrations.filter(status=Status.REGISTERED).aggregate(n=Sum("places"))["n"]
    return int(total or 0)


def waiting_count(event: Event) -> int:
    return event.registrations.filter(status=Status.WAITING).count()


@dataclass(frozen=True)
class Availability:
    """What the event page says about registering."""

    open: bool  # registration is possible now
    free: int | None  # free places (None: no limit)
    waiting: int  # registrations on the waiting list
    reason: str  # why registration is not possible ("" when it is)


def availability(event: Event, now: dt.datetime | None = None) -> Availability:
    now = now or timezone.now()
    free = None
    if event.capacity is not None:
        free = max(0, event.capacity - registered_places(event))
    waiting = waiting_count(event) if event.capacity is not None else 0
    reason = refusal(event, now)
    return Availability(open=not reason, free=free, waiting=waiting, reason=str(reason))


def refusal(event: Event, now: dt.datetime | None = None) -> Any:
    """Why nobody can register for ``event`` now ("" if they can)."""
    now = now or timezone.now()
    if event.state == Event.State.CANCELLED:
        return _("This event has been cancelled.")
    if event.state != Event.State.PUBLISHED:
        return _("This event is not published.")
    if not event.registration_required:
        return _("No registration is needed: just come.")
    if now >= event.deadline:
        return _("The registration deadline has passed.")
    return ""


def cancel_code(registration: Registration) -> str:
    return signing.dumps([registration.pk, registration.event_id], salt=CANCEL_SALT)


def links(registration: Registration, token: str = "") -> dict[str, str]:
    base = portal_url(registration.event.authority)
    found = {
        "event_url": base + reverse("events:event", args=[registration.event.uid]),
        "cancel_url": base + reverse("events:cancel", args=[cancel_code(registration)]),
        "ics_url": base + reverse("events:event_ics", args=[registration.event.uid]),
    }
    if token:
        found["confirm_url"] = base + reverse("events:confirm", args=[token])
    return found


def _mail(registration: Registration, subject: Any, template: str, token: str = "") -> None:
    event = registration.event
    send_mail(
        to=registration.email,
        subject=subject,
        template=f"events/mail/{template}",
        context={
            "registration": registration,
            "event": event,
            "place": ", ".join(event.address_lines()),
            "hours": CONFIRM_HOURS,
            **links(registration, token),
        },
        authority=event.authority,
    )


def register(
    event: Event,
    *,
    name: str,
    email: str,
    places: int,
    consent_text: str,
    account: Any = None,
    now: dt.datetime | None = None,
) -> Registration:
    """Take a registration (pending) and e-mail the confirmation link. Raises
    :class:`RegistrationRefused` when registration is closed or ``places`` is out of bounds;
    ValueError for an address that is not one (the forms check it first)."""
    now = now or timezone.now()
    if not 1 <= places <= event.max_places:
        raise RegistrationRefused(
            _("Please choose between 1 and %(max)s places.") % {"max": event.max_places}
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        current = Event.objects.select_related("authority").get(pk=event.pk)
        reason = refusal(current, now)
        if reason:
            raise RegistrationRefused(reason)
        registration = Registration.objects.create(
            event=current, account=account, name=name.strip()[:200], email=email.strip(),
            places=places, consent_text=consent_text, token_hash=token_hash(token),
        )  # fmt: skip
        _mail(registration, _("Please confirm your registration"), "confirm", token)
    registration.token = token  # type: ignore[attr-defined]
    return registration


@dataclass(frozen=True)
class Confirmation:
    registration: Registration | None  # None: the link is unknown or expired
    before: bool  # it was confirmed before (the link was opened again)


def confirm(token: str, now: dt.datetime | None = None) -> Confirmation:
    """Confirm the registration of the link: registered if its places fit, else on the waiting
    list. A link opened again changes nothing; an expired or unknown one confirms nothing."""
    now = now or timezone.now()
    found = Registration.objects.filter(token_hash=token_hash(token)).values_list(
        "pk", "event_id"
    ).first()  # fmt: skip
    if found is None:
        return Confirmation(None, before=False)
    pk, event_id = found
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("authority")
            .get(pk=event_id)
        )
        registration = Registration.objects.select_related("event__authority").get(pk=pk)
        if registration.status != Status.PENDING:
            expired = registration.status == Status.EXPIRED
            return Confirmation(None if expired else registration, before=not expired)
        if registration.created_at < now - dt.timedelta(hours=CONFIRM_HOURS) or refusal(event, now):
            registration.status = Status.EXPIRED
            registration.save(update_fields=["status"])
            return Confirmation(None, before=False)
        fits = event.capacity is None or (
            registered_places(event) + registration.places <= event.capacity
        )
        registration.status = Status.REGISTERED if fits else Status.WAITING
        registration.confirmed_at = now
        registration.save(update_fields=["status", "confirmed_at"])
        if fits:
            _mail(registration, _("Your registration is confirmed"), "registered")
        else:
            _mail(registration, _("You are on the waiting list"), "waiting")
    return Confirmation(registration, before=False)


def registration_of(code: str) -> Registration | None:
    """The registration the cancellation link names (None if the link is not valid)."""
    try:
        pk, event_id = signing.loads(code, salt=CANCEL_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return (
        Registration.objects.select_related("event__authority")
        .filter(pk=pk, event_id=event_id)
        .first()
    )


@dataclass(frozen=True)
class Cancellation:
    registration: Registration
    before: bool  # it was cancelled (or expired) before
    moved_up: list[Registration]


def cancel(registration: Registration, now: dt.datetime | None = None) -> Cancellation:
    """Cancel a registration (any state but cancelled); the waiting list moves up."""
    now = now or timezone.now()
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(of=("self",))
            .select_related("authority")
            .get(pk=registration.event_id)
        )
        locked = Registration.objects.select_related("event__authority").get(pk=registration.pk)
        if locked.status in (Status.CANCELLED, Status.EXPIRED):
            return Cancellation(locked, before=True, moved_up=[])
        held = locked.status == Status.REGISTERED
        locked.status = Status.CANCELLED
        locked.cancelled_at = now
        locked.save(update_fields=["status", "cancelled_at"])
        _mail(locked, _("Your registration is cancelled"), "cancelled")
        moved = move_up(event, now) if held else []
    return Cancellation(locked, before=False, moved_up=moved)


def move_up(event: Event, now: dt.datetime) -> list[Registration]:
    """In the caller's transaction, with ``event`` locked: the first waiting registrations whose
    places fit become registered, in the order they were confirmed; each gets an e-mail."""
    if event.capacity is None or event.state != Event.State.PUBLISHED or now >= event.starts_at:
        return []
    free = event.capacity - registered_places(event)
    moved = []
    for waiting in event.registrations.filter(status=Status.WAITING).order_by("confirmed_at", "pk"):
        if waiting.places > free:
            break  # first come, first served: nobody jumps the queue
        waiting.status = Status.REGISTERED
        waiting.moved_up_at = now
        waiting.save(update_fields=["status", "moved_up_at"])
        waiting.event = event
        _mail(waiting, _("A place is free for you"), "moved_up")
        free -= waiting.places
        moved.append(waiting)
    return moved


def expire_unconfirmed(now: dt.datetime | None = None) -> int:
    """Registrations not confirmed within :data:`CONFIRM_HOURS` expire (worker housekeeping)."""
    now = now or timezone.now()
    return Registration.objects.filter(
        status=Status.PENDING, created_at__lt=now - dt.timedelta(hours=CONFIRM_HOURS)
    ).update(status=Status.EXPIRED)


def send_reminders(now: dt.datetime | None = None) -> int:
    """E-mail every registered person whose event starts within the next day, once: each
    registration is claimed with a conditional UPDATE in the transaction that queues its
    e-mail, so two workers never send one twice."""
    now = now or timezone.now()
    due = Registration.objects.filter(
        status=Status.REGISTERED,
        reminder_sent_at__isnull=True,
        event__state=Event.State.PUBLISHED,
        event__starts_at__gt=now,
        event__starts_at__lte=now + dt.timedelta(days=1),
    ).select_related("event__authority")
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, status=Status.REGISTERED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed:
                _mail(registration, _("Reminder: %(title)s tomorrow") % {
                    "title": registration.event.title[:120]}, "reminder")  # fmt: skip
                sent += 1
    return sent


def delete_old(now: dt.datetime | None = None) -> int:
    """Delete the registrations of events that ended :data:`RETENTION_DAYS` ago (daily)."""
    now = now or timezone.now()
    deleted, _details = Registration.objects.filter(
        event__ends_at__lt=now - dt.timedelta(days=RETENTION_DAYS)
    ).delete()
    return deleted


def mark_attendance(registration: Registration, attended: bool | None, user: Any) -> None:
    with transaction.atomic():
        locked = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event__authority")
            .get(pk=registration.pk)
        )
        if locked.status != Status.REGISTERED:
            raise RegistrationRefused(_("Only registered people can be marked as present."))
        locked.attended = attended
        locked.attendance_at = timezone.now() if attended is not None else None
        locked.save(update_fields=["attended", "attendance_at"])
        audit.record(
            "events.registration.attendance", actor=user, authority=locked.event.authority,
            obj=locked, details={"attended": attended},
        )  # fmt: skip

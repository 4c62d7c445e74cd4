"""Staff changes of events and series: creating, editing, publishing and cancelling events,
generating the dates of a series and cancelling single dates. Every change is audited
(``events.*``); a change of a published event raises its ``sequence`` so calendar apps update it.
Cancelling an event e-mails everyone registered or waiting (in the same transaction)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.events.models import Event, Registration, Series, SeriesException
from rathaus.events.services import _mail, move_up

TZ = ZoneInfo("Europe/Berlin")
OFFER_FIELDS = (
    "title", "description", "kind", "audience", "place_name", "street", "postal_code", "city",
    "room", "registration_required", "capacity", "max_places", "appointment_type",
)  # fmt: skip
WHEN_AND_WHERE = {"starts_at", "ends_at", "place_name", "room", "street", "postal_code", "city"}
"""A change of these is e-mailed to everyone registered or waiting."""
MAX_SERIES_DAYS = 400
"""A series generates dates for at most this many days (about a year)."""


class Refused(Exception):
    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message


def _changes(instance: Any, data: dict[str, Any]) -> dict[str, str]:
    changed = {}
    for name, value in data.items():
        if getattr(instance, name) != value:
            changed[name] = str(value)[:200]
            setattr(instance, name, value)
    return changed


def create_event(authority: Authority, data: dict[str, Any], user: Any) -> Event:
    with transaction.atomic():
        event = Event(authority=authority, created_by=user if user.is_authenticated else None)
        _changes(event, data)
        event.save()
        audit.record("events.event.created", actor=user, authority=authority, obj=event)
    return event


def update_event(event: Event, data: dict[str, Any], user: Any) -> Event:
    with transaction.atomic():
        locked = (
            Event.objects.select_for_update(of=("self",))
            .select_related("authority")
            .get(pk=event.pk)
        )
        if locked.state == Event.State.CANCELLED:
            raise Refused(_("A cancelled event cannot be changed."))
        changed = _changes(locked, data)
        if not changed:
            return locked
        locked.sequence += 1
        locked.save()
        told = 0
        if locked.state == Event.State.PUBLISHED and WHEN_AND_WHERE & set(changed):
            told = _tell(locked, _("Changed: %(title)s"), "event_changed")
        audit.record("events.event.changed", actor=user, authority=locked.authority, obj=locked,
                     details={"changed": sorted(changed), "told": told})  # fmt: skip
        # more places may let the waiting list move up
        move_up(locked, timezone.now())
    return locked


def _tell(event: Event, subject: Any, template: str) -> int:
    """E-mail everyone registered or waiting for ``event`` (locked by the caller)."""
    told = 0
    for registration in event.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.WAITING]
    ):
        registration.event = event
        _mail(registration, subject % {"title": event.title[:150]}, template)
        told += 1
    return told


def publish(event: Event, user: Any) -> Event:
    with transaction.atomic():
        locked = (
            Event.objects.select_for_update(of=("self",))
            .select_related("authority")
            .get(pk=event.pk)
        )
        if locked.state != Event.State.DRAFT:
            raise Refused(_("Only a draft can be published."))
        if locked.ends_at <= timezone.now():
            raise Refused(_("The event is over; it cannot be published any more."))
        locked.state = Event.State.PUBLISHED
        locked.sequence += 1
        locked.save(update_fields=["state", "sequence", "updated_at"])
        audit.record("events.event.published", actor=user, authority=locked.authority,
                     obj=locked)  # fmt: skip
    return locked


def cancel_event(event: Event, reason: str, user: Any) -> int:
    """Cancel the event and e-mail everyone registered or waiting; returns how many e-mails."""
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise Refused(_("Please give the reason; it is sent to the people registered."))
    with transaction.atomic():
        locked = (
            Event.objects.select_for_update(of=("self",))
            .select_related("authority")
            .get(pk=event.pk)
        )
        if locked.state == Event.State.CANCELLED:
            raise Refused(_("The event was cancelled before."))
        locked.state = Event.State.CANCELLED
        locked.cancel_reason = reason
        locked.sequence += 1
        locked.save(update_fields=["state", "cancel_reason", "sequence", "updated_at"])
        told = _tell(locked, _("Cancelled: %(title)s"), "event_cancelled")
        audit.record("events.event.cancelled", actor=user, authority=locked.authority,
                     obj=locked, details={"reason": reason, "told": told})  # fmt: skip
    return told


# --- series ----------------------------------------------------------------------------------


def save_series(series: Series, data: dict[str, Any], user: Any) -> Series:
    with transaction.atomic():
        created = series.pk is None
        changed = _changes(series, data)
        series.save()
        audit.record(
            "events.series.created" if created else "events.series.changed", actor=user,
            authority=series.authority, obj=series, details={"changed": sorted(changed)},
        )  # fmt: skip
    return series


def days_of(series: Series) -> list[dt.date]:
    """The days of the series' period on its weekdays (at most :data:`MAX_SERIES_DAYS`)."""
    last = min(series.last_day, series.first_day + dt.timedelta(days=MAX_SERIES_DAYS))
    weekdays = {int(day) for day in series.weekdays}
    found = []
    day = series.first_day
    while day <= last:
        if day.weekday() in weekdays:
            found.append(day)
        day += dt.timedelta(days=1)
    return found


def generate(series: Series, user: Any, now: dt.datetime | None = None) -> int:
    """Create the missing future dates of the series (not the exceptions); returns how many.
    Dates that exist are left as they are, so generating again adds nothing twice."""
    now = now or timezone.now()
    skipped = set(series.exceptions.values_list("day", flat=True))
    existing = set(series.occurrences.values_list("series_day", flat=True))
    created = 0
    with transaction.atomic():
        for day in days_of(series):
            if day in skipped or day in existing:
                continue
            starts = dt.datetime.combine(day, series.start_time, tzinfo=TZ)
            if starts <= now:
                continue
            event = Event(
                authority=series.authority, series=series, series_day=day, starts_at=starts,
                ends_at=dt.datetime.combine(day, series.end_time, tzinfo=TZ),
                state=Event.State.PUBLISHED if series.publish else Event.State.DRAFT,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )  # fmt: skip
            for name in OFFER_FIELDS:
                setattr(event, name, getattr(series, name))
            event.save()
            created += 1
        if created:
            audit.record("events.series.generated", actor=user, authority=series.authority,
                         obj=series, details={"dates": created})  # fmt: skip
    return created


def add_exception(series: Series, day: dt.date, reason: str, user: Any) -> SeriesException:
    """No date of the series on ``day``: an existing date there is cancelled (with e-mails)."""
    with transaction.atomic():
        exception, _created = SeriesException.objects.get_or_create(
            series=series, day=day, defaults={"reason": reason[:300]}
        )
        details = {"day": day.isoformat(), "reason": reason[:300]}
        audit.record("events.series.exception", actor=user, authority=series.authority,
                     obj=series, details=details)  # fmt: skip
        occurrence = series.occurrences.filter(series_day=day).first()
        if occurrence is not None and occurrence.state != Event.State.CANCELLED:
            cancel_event(occurrence, reason or str(_("The date does not take place.")), user)
    return exception

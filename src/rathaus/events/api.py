"""Read-only API of the published events (``/api/v1/events``): what the public pages show, for
apps and other portals. Registering stays on the pages (double opt-in and the person check)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from rathaus.core.bounds import Slug
from rathaus.core.models import Authority
from rathaus.core.problems import ProblemOut
from rathaus.core.tenancy import current_authority, portal_url
from rathaus.events import public, services
from rathaus.events.models import Event

router = Router(tags=["events"])
MAX_EVENTS = 200
# as in rathaus.events.models.Kind and Audience (written out: the schema names them itself)
EventKind = Literal["course", "workshop", "open_hours"]
TargetGroup = Literal["all", "seniors", "young", "adults", "working_groups"]


class TownEventQuery(Schema):
    authority: Slug | None = Field(
        None, description="Short name of the authority; default: the authority of the host"
    )
    kind: EventKind | None = Field(None, description="Only events of this kind")
    audience: TargetGroup | None = Field(None, description="Only events for this target group")


class TownEventOut(Schema):
    uid: uuid.UUID
    title: str
    description: str
    kind: EventKind
    audience: TargetGroup
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: list[str] = Field(..., description="Name, room, street, postal code and city")
    state: str = Field(..., description="`published` or `cancelled`")
    registration_required: bool
    registration_open: bool
    capacity: int | None
    free_places: int | None = Field(..., description="None: no limit")
    waiting: int = Field(..., description="Registrations on the waiting list")
    url: str
    ics: str


def _authority(request: HttpRequest, slug: str | None) -> Authority:
    found = Authority.objects.filter(slug=slug).first() if slug else current_authority(request)
    if found is None:
        raise HttpError(404, "No such authority.")
    return found


def _out(event: Event, now: dt.datetime, base: str) -> dict[str, object]:
    """One event; ``event`` carries the counts of :func:`public.with_counts`, ``base`` is the
    address of its authority's portal."""
    taken: int = event.taken  # type: ignore[attr-defined]
    free = None if event.capacity is None else max(0, event.capacity - taken)
    return {
        "uid": event.uid, "title": event.title, "description": event.description,
        "kind": event.kind, "audience": event.audience, "starts_at": event.starts_at,
        "ends_at": event.ends_at, "place": event.address_lines(), "state": event.state,
        "registration_required": event.registration_required,
        "registration_open": not services.refusal(event, now), "capacity": event.capacity,
        "free_places": free, "waiting": event.waiting_count,  # type: ignore[attr-defined]
        "url": base + reverse("events:event", args=[event.uid]),
        "ics": base + reverse("events:event_ics", args=[event.uid]),
    }  # fmt: skip


@router.get(
    "",
    response={200: list[TownEventOut], 404: ProblemOut},
    summary="Upcoming published events",
)
def list_events(request: HttpRequest, query: Query[TownEventQuery]) -> list[dict[str, object]]:
    """The authority's published (and cancelled) events that have not ended, by start, with
    their free places; at most 200. 404 for an unknown `authority`."""
    now = timezone.now()
    authority = _authority(request, query.authority)
    base = portal_url(authority)
    found = public.with_counts(public.upcoming(authority, now))
    if query.kind:
        found = found.filter(kind=query.kind)
    if query.audience:
        found = found.filter(audience=query.audience)
    return [_out(event, now, base) for event in found[:MAX_EVENTS]]


@router.get("/{uid}", response={200: TownEventOut, 404: ProblemOut}, summary="One published event")
def get_event(request: HttpRequest, uid: uuid.UUID) -> dict[str, object]:
    """A published or cancelled event; 404 for drafts and unknown ids."""
    event = public.with_counts(Event.objects.filter(
        uid=uid, state__in=[Event.State.PUBLISHED, Event.State.CANCELLED]
    ).select_related("authority")).first()  # fmt: skip
    if event is None:
        raise HttpError(404, "No such published event.")
    return _out(event, timezone.now(), portal_url(event.authority))

"""Events as iCalendar (RFC 5545): ``/veranstaltungen/kalender.ics`` with every published event
of the request's authority (upcoming and of the last 90 days; cancelled ones stay with
STATUS:CANCELLED so calendar apps remove them), and one event's ``termin.ics``.

UID ``event-<uid>@<authority slug>.rathaus`` is stable; SEQUENCE is the event's version, so
calendar apps update an event that changed instead of adding it twice."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.models import Authority
from rathaus.core.tenancy import portal_url
from rathaus.events import public
from rathaus.events.models import Event

PAST = dt.timedelta(days=90)


def uid_of(event: Event) -> str:
    return f"event-{event.uid}@{event.authority.slug}.rathaus"


def ical(authority: Authority, events: Iterable[Event], name: str) -> bytes:
    from icalendar import Calendar
    from icalendar import Event as Entry

    calendar = Calendar()
    calendar.add("prodid", "-//rathaus//Veranstaltungen//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_default_timezone_name())
    base = portal_url(authority)
    for event in events:
        entry = Entry()
        entry.add("uid", uid_of(event))
        entry.add("dtstamp", event.updated_at)
        entry.add("last-modified", event.updated_at)
        entry.add("sequence", event.sequence)
        cancelled = event.state == Event.State.CANCELLED
        entry.add("summary", _("Cancelled: %(title)s") % {"title": event.title} if cancelled
                  else event.title)  # fmt: skip
        entry.add("dtstart", timezone.localtime(event.starts_at))
        entry.add("dtend", timezone.localtime(event.ends_at))
        entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        entry.add("location", ", ".join(event.address_lines()))
        if event.description:
            entry.add("description", event.description)
        entry.add("categories", [event.get_kind_display()])
        entry.add("url", base + reverse("events:event", args=[event.uid]))
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    authority = public.authority_or_404(request)
    events = (
        public.visible(authority)
        .filter(ends_at__gt=timezone.now() - PAST)
        .order_by("starts_at", "pk")
    )
    name = _("Events – %(name)s") % {"name": authority.name}
    response = HttpResponse(
        ical(authority, events, name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="veranstaltungen.ics"'
    return response


@require_safe
def event_ics(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    authority = public.authority_or_404(request)
    event = public.visible(authority).filter(uid=uid).first()
    if event is None:
        raise Http404("no such public event")
    response = HttpResponse(ical(authority, [event], event.title),
                            content_type="text/calendar; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="veranstaltung-{event.uid}.ics"'
    return response

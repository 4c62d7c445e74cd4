"""The council's meetings as iCalendar: ``/rat/sitzungen.ics`` (all meetings of the request's
council, or of one committee with ``?gremium=<id>``) and one meeting's ``termin.ics`` for "add
to my calendar".

Every meeting with a start is one VEVENT: UID ``council-meeting-<id>@<authority slug>`` (stable,
so calendar apps update the event instead of adding a second one), DTSTAMP and LAST-MODIFIED =
when the meeting last changed, SEQUENCE grows with every change, times in Europe/Berlin with the
VTIMEZONE, a cancelled meeting stays with STATUS:CANCELLED (so apps remove it from people's
calendars), deleted meetings are left out. A meeting without an end gets two hours.
The feed has an ETag from the newest change, so polling apps get a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.problems import problem
from rathaus.core.tenancy import portal_url
from rathaus.council import public
from rathaus.council.models import Body, Meeting
from rathaus.council.public_views import committees

DEFAULT_LENGTH = dt.timedelta(hours=2)


def uid_of(body: Body, meeting: Meeting) -> str:
    return f"council-meeting-{meeting.pk}@{body.authority.slug}.rathaus"


def _calendar(body: Body, meetings: Iterable[Meeting], name: str) -> bytes:
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//rathaus//Ratsinformation//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone.get_default_timezone_name())
    base = portal_url(body.authority)
    for meeting in meetings:
        if meeting.start is None:
            continue
        start = timezone.localtime(meeting.start)
        end = timezone.localtime(meeting.end) if meeting.end else start + DEFAULT_LENGTH
        event = Event()
        event.add("uid", uid_of(body, meeting))
        event.add("dtstamp", meeting.modified)
        event.add("last-modified", meeting.modified)
        event.add("sequence", (int(meeting.modified.timestamp()) // 60) % 2_000_000_000)
        summary = meeting.name
        if meeting.cancelled:
            summary = _("Cancelled: %(name)s") % {"name": meeting.name}
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        address = public.address_of(meeting.location)
        if address:
            event.add("location", ", ".join(address))
        organizations = ", ".join(o.name for o in meeting.shown_organizations)  # type: ignore[attr-defined]
        if organizations:
            event.add("description", organizations)
        event.add("url", base + reverse("council:meeting", args=[meeting.pk]))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    body_bytes: bytes = calendar.to_ical()
    return body_bytes


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    found = public.meetings_of(body)
    name = _("Meetings – %(name)s") % {"name": body.name}
    raw = request.GET.get("gremium", "")
    if raw:
        committee = committees(body).filter(pk=raw).first() if raw.isdigit() else None
        if committee is None:
            return problem(request, 400, "Bad committee", "gremium: the id of a committee")
        found = found.filter(organizations=committee)
        name = _("Meetings – %(name)s") % {"name": committee.name}
    state = found.aggregate(newest=Max("modified"), count=Count("id"))
    key = hashlib.sha256(f"{body.pk}|{raw}|{state}|{get_language()}".encode()).hexdigest()
    etag = f'"{key[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"] = etag
        return not_modified
    response = HttpResponse(
        _calendar(body, found.order_by("start", "id"), name),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="sitzungen.ics"'
    response["ETag"] = etag
    return response


@require_safe
def meeting_event(request: HttpRequest, pk: int) -> HttpResponse:
    body = public.body_of(request)
    if body is None:
        raise Http404("no council")
    meeting = public.meetings_of(body).filter(pk=pk, start__isnull=False).first()
    if meeting is None:
        raise Http404("no such meeting")
    response = HttpResponse(
        _calendar(body, [meeting], meeting.name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="sitzung-{meeting.pk}.ics"'
    return response

"""What every public council page shares: the request's council, the rules of what the public
sees (nothing deleted, nothing of a non-public agenda item) and the words for dates and states.

Which council: the ``Body`` of the request's authority (``core.tenancy.current_authority``, the
same rule as the construction pages). An authority without a body gets a friendly empty page,
a host without an authority a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.council.models import Body, File, Meeting, Organization


def authority_or_404(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    return authority


def body_of(request: HttpRequest) -> Body | None:
    """The council of the request's authority, or None when it has none (yet)."""
    authority = authority_or_404(request)
    found = Body.objects.select_related("authority").filter(authority=authority, deleted=False)
    return found.first()


def no_council(request: HttpRequest, title: str) -> HttpResponse:
    """The empty state: the authority keeps no council information here (yet)."""
    return render(request, "council/no_council.html", {"page_title": title})


def file_url(file: File) -> str:
    """The address of a council file's content: for a file imported without its content the
    address at its source, else the OParl access address (``oparl:file-access``: a PDF opens in
    the browser, which on a phone is what people expect; saving it is the browser's choice),
    else ""."""
    external = file.external_access_url or file.external_download_url
    if file.stored_id is None:
        return external
    try:
        return reverse("oparl:file-access", args=[file.pk])
    except NoReverseMatch:
        return external


def file_entry(file: File | None, label: str = "") -> dict[str, Any] | None:
    if file is None or file.deleted:
        return None
    return {
        "name": file.name or file.file_name,
        "label": label,
        "url": file_url(file),
        "size": file.size,
        "kind": _kind_of(file),
    }


def _kind_of(file: File) -> str:
    media = (file.mime_type or "").lower()
    if media == "application/pdf":
        return "PDF"
    name = file.file_name.rsplit(".", 1)
    return name[1].upper()[:5] if len(name) == 2 else ""


def live_organizations() -> Prefetch[Any]:
    live = Organization.objects.filter(deleted=False)
    return Prefetch("organizations", queryset=live, to_attr="shown_organizations")


def meetings_of(body: Body) -> QuerySet[Meeting]:
    """The body's meetings the public sees, with their organisations and place in two queries."""
    return (
        Meeting.objects.filter(body=body, deleted=False)
        .select_related("location")
        .prefetch_related(live_organizations())
    )


def local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def day_in_words(day: dt.date | dt.datetime, weekday: bool = False) -> str:
    """ "13 December 2026" in English, "13. Dezember 2026" in German (a format per language)."""
    if weekday:
        return formats.date_format(day, pgettext("date format with weekday", "l j F Y"))
    return formats.date_format(day, pgettext("date format", "j F Y"))


def when_in_words(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """ "Dienstag, 15. Dezember 2026, 18:00 bis 21:00 Uhr" – or the days of a longer meeting;
    "Tuesday 15 December 2026, 18:00 to 21:00" in English."""
    if start is None:
        return _("Date not yet fixed")
    start = timezone.localtime(start)
    words = {"day": day_in_words(start, weekday=True), "start": formats.time_format(start, "H:i")}
    if end is None:
        return pgettext("meeting time", "%(day)s, %(start)s") % words
    end = timezone.localtime(end)
    words["end"] = formats.time_format(end, "H:i")
    if end.date() == start.date():
        return pgettext("meeting time", "%(day)s, %(start)s to %(end)s") % words
    words["end_day"] = day_in_words(end, weekday=True)
    return pgettext("meeting time", "%(day)s, %(start)s to %(end_day)s, %(end)s") % words


def state_of(meeting: Meeting) -> dict[str, str]:
    """The meeting's state for people: label and the badge's colour."""
    if meeting.cancelled:
        return {"label": _("Cancelled"), "badge": "danger", "key": "cancelled"}
    if meeting.meeting_state == Meeting.State.HELD:
        return {"label": _("Held"), "badge": "success", "key": "held"}
    if meeting.meeting_state == Meeting.State.INVITED:
        return {"label": _("Invitations sent"), "badge": "info", "key": "invited"}
    return {"label": _("Scheduled"), "badge": "info", "key": "scheduled"}


def describe(meeting: Meeting) -> Meeting:
    """Adds what the templates show: ``when``, ``public_state`` and the shown organisations."""
    meeting.when = when_in_words(meeting.start, meeting.end)  # type: ignore[attr-defined]
    meeting.public_state = state_of(meeting)  # type: ignore[attr-defined]
    if not hasattr(meeting, "shown_organizations"):
        meeting.shown_organizations = [  # type: ignore[attr-defined]
            organization for organization in meeting.organizations.all() if not organization.deleted
        ]
    return meeting


def period_in_words(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": day_in_words(start), "end": day_in_words(end)}
    if start:
        return _("since %(start)s") % {"start": day_in_words(start)}
    if end:
        return _("until %(end)s") % {"end": day_in_words(end)}
    return ""


def is_current(start: dt.date | None, end: dt.date | None, today: dt.date) -> bool:
    return (start is None or start <= today) and (end is None or end >= today)


def address_of(location: Any) -> list[str]:
    """The lines of a location's address, as one would write them on an envelope."""
    if location is None or location.deleted:
        return []
    town = " ".join(part for part in (location.postal_code, location.locality) if part)
    if location.sub_locality and location.sub_locality not in town:
        town = f"{town} ({location.sub_locality})" if town else location.sub_locality
    lines = [location.description, location.room if location.room not in location.description
             else "", location.street_address, town]  # fmt: skip
    return [line for line in lines if line]

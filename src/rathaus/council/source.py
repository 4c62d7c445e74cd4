"""The council information as a dataset of the open data catalogue (``core.datasets``).

It applies to an authority whose council (``Body``) is kept here. Its distributions are the
OParl 1.1 interface (an API, not a download) and the calendar of meetings; its change date is
the newest change of any of the council's objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Max, Min
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from rathaus.core import datasets
from rathaus.core.datasets import DatasetSource, SourceDistribution
from rathaus.core.models import Authority
from rathaus.council import models

KEY = "council.oparl"
TRACKED = (
    models.LegislativeTerm, models.Location, models.File, models.Organization,
    models.Person, models.Membership, models.Meeting, models.AgendaItem, models.Paper,
    models.Consultation,
)  # fmt: skip


def _path(url_name: str, fixed: str) -> str:
    """The address of a page; the fixed one while the page's app part is not installed."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return fixed


def _body(authority: Authority) -> models.Body | None:
    return models.Body.objects.filter(authority=authority, deleted=False).first()


def distributions(authority: Authority) -> Sequence[SourceDistribution]:
    return (
        SourceDistribution(
            title=_("Council information system interface (OParl 1.1)"),
            path=reverse("oparl:system"),
            media_type="application/json",
            format="JSON",
            description=_(
                "Meetings with their agenda, papers with their consultations and files, "
                "persons, committees and memberships over the OParl 1.1 standard, which "
                "council portals and apps read. Start at this address and follow the links."
            ),
            download=False,
        ),
        SourceDistribution(
            title=_("Council meetings as a calendar (iCalendar)"),
            path=_path("council:ics", "/rat/sitzungen.ics"),
            media_type="text/calendar",
            format="ICS",
            description=_("Subscribe in your calendar app to see the council's meetings."),
        ),
    )


def modified(authority: Authority) -> datetime | None:
    body = _body(authority)
    if body is None:
        return None
    newest: list[datetime | None] = [body.modified] + [
        model.objects.filter(body=body).aggregate(newest=Max("modified"))["newest"]
        for model in TRACKED
    ]
    found: datetime = max(value for value in newest if value is not None)
    return found


def applies(authority: Authority) -> bool:
    return _body(authority) is not None


def temporal_start(authority: Authority) -> date | None:
    body = _body(authority)
    if body is None:
        return None
    first: datetime | None = models.Meeting.objects.filter(body=body, deleted=False).aggregate(
        first=Min("start")
    )["first"]
    return first.date() if first else None


SOURCE = DatasetSource(
    key=KEY,
    slug="ratsinformationen",
    title=_("Council information"),
    description=_(
        "The work of the municipal council and its committees: meetings with agenda and "
        "minutes, papers (Vorlagen) with their files and consultations, members, factions and "
        "committees. Updated whenever the council office changes something."
    ),
    themes=("GOVE",),
    keywords=(_("council"), _("meeting"), _("paper"), _("OParl")),
    frequency="UPDATE_CONT",
    distributions=distributions,
    modified=modified,
    applies=applies,
    temporal_start=temporal_start,
    landing_path="/rat/",
)


def register() -> None:
    """Called by ``CouncilConfig.ready()``."""
    datasets.register(SOURCE)

"""The construction sites as a dataset of the open data catalogue (``core.datasets``).

The catalogue (opendata) turns this source into a published dataset per authority with
published sites; its distributions are the three feeds, its change date the newest change of a
published site.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.db.models import Max, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.construction import sites
from rathaus.core.datasets import DatasetSource, SourceDistribution
from rathaus.core.models import Authority

KEY = "construction.sites"


def distributions(authority: Authority) -> Sequence[SourceDistribution]:
    return (
        SourceDistribution(
            title=_("Construction sites as GeoJSON"),
            path=reverse("construction:geojson"),
            media_type="application/geo+json",
            format="GEOJSON",
            description=_(
                "Map data of all published sites with place, streets, dates and detour. For "
                "developers: filters and paging as query parameters (ort, datum, zeit, bbox, "
                "limit, seite)."
            ),
        ),
        SourceDistribution(
            title=_("Construction sites as a calendar (iCalendar)"),
            path=reverse("construction:ics"),
            media_type="text/calendar",
            format="ICS",
            description=_("Subscribe in your calendar app to see the sites as all-day dates."),
        ),
        SourceDistribution(
            title=_("Construction sites as a news feed (Atom)"),
            path=reverse("construction:atom"),
            media_type="application/atom+xml",
            format="ATOM",
            description=_("Subscribe in a feed reader to hear about new and changed sites."),
        ),
    )


def modified(authority: Authority) -> datetime | None:
    newest: datetime | None = sites.published(authority).aggregate(newest=Max("updated_at"))[
        "newest"
    ]
    return newest


def applies(authority: Authority) -> bool:
    return sites.published(authority).exists()


def temporal_start(authority: Authority) -> date | None:
    first: date | None = sites.published(authority).aggregate(first=Min("starts_on"))["first"]
    return first


SOURCE = DatasetSource(
    key=KEY,
    slug="baustellen-und-sperrungen",  # German address (not "construction-sites")
    title=_("Construction sites and traffic disruptions"),
    description=_(
        "Construction sites, closed streets, detours and events that affect traffic: where "
        "they are and which streets, from when until when, who is responsible and how to get "
        "around. Updated whenever the town publishes or changes a site."
    ),
    themes=("TRAN",),
    keywords=(_("construction site"), _("road closure"), _("detour"), _("traffic")),
    frequency="UPDATE_CONT",
    distributions=distributions,
    modified=modified,
    applies=applies,
    temporal_start=temporal_start,
)

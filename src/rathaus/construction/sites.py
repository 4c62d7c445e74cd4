"""Which construction sites are public, current, planned or past, and their dates in words.

Shared by the public list, the feeds and the dataset source: all of them show exactly the
published disruptions of one authority, filtered the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.construction.models import Disruption, Publication
from rathaus.core.models import Authority, Locality


class State(StrEnum):
    """The tabs of the list; the values are the words in the address (``?zeit=aktuell``)."""

    CURRENT = "aktuell"
    PLANNED = "geplant"
    PAST = "beendet"


STATE_LABELS = {
    State.CURRENT: gettext_lazy("Current"),
    State.PLANNED: gettext_lazy("Planned"),
    State.PAST: gettext_lazy("Ended"),
}


def today() -> date:
    return timezone.localdate()


def published(authority: Authority) -> QuerySet[Disruption]:
    return Disruption.objects.filter(authority=authority, status=Publication.PUBLISHED)


def open_on(day: date) -> Q:
    """Sites that are in place on ``day`` (no end date: until further notice)."""
    return Q(starts_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))


def in_state(sites: QuerySet[Disruption], state: State, day: date) -> QuerySet[Disruption]:
    """Current ones by start; planned ones by start; past ones newest end first."""
    if state == State.CURRENT:
        return sites.filter(open_on(day)).order_by("starts_on", "id")
    if state == State.PLANNED:
        return sites.filter(starts_on__gt=day).order_by("starts_on", "id")
    return sites.filter(ends_on__lt=day).order_by("-ends_on", "-id")


def state_of(site: Disruption, day: date) -> State:
    if site.starts_on > day:
        return State.PLANNED
    if site.ends_on is not None and site.ends_on < day:
        return State.PAST
    return State.CURRENT


@dataclass(frozen=True)
class Filters:
    """The filters the list page and the GeoJSON feed share; None means not filtered."""

    locality: Locality | None = None
    day: date | None = None
    state: State | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north


def apply(sites: QuerySet[Disruption], filters: Filters, day: date) -> QuerySet[Disruption]:
    """The sites that match; ``bbox`` is left to :func:`in_bbox` (geometries are JSON)."""
    if filters.locality is not None:
        sites = sites.filter(locality=filters.locality)
    if filters.day is not None:
        sites = sites.filter(open_on(filters.day))
    if filters.state is not None:
        return in_state(sites, filters.state, day)
    return sites.order_by("starts_on", "id")


def in_bbox(place: dict[str, Any] | None, bbox: tuple[float, float, float, float]) -> bool:
    """Whether a place overlaps the box; sites without a place never do."""
    from rathaus.construction.geometry import bounds

    if not place:
        return False
    west, south, east, north = bounds(place)
    return not (east < bbox[0] or west > bbox[2] or north < bbox[1] or south > bbox[3])


def _day(value: date, reference: date) -> str:
    return date_format(value, "j. F" if value.year == reference.year else "j. F Y")


def period_in_words(site: Disruption, day: date) -> str:
    """ "seit 3. Dezember, bis voraussichtlich 18. Dezember", "ab 5. Januar 2027, bis auf
    Weiteres", "vom 1. Oktober bis 20. November"."""
    start = _day(site.starts_on, day)
    end = _day(site.ends_on, day) if site.ends_on else ""
    state = state_of(site, day)
    if site.ends_on == site.starts_on:  # one day: "am 3. Oktober", not "vom 3. bis 3. Oktober"
        return _("on %(day)s") % {"day": start}
    if state == State.PAST:
        return _("from %(start)s to %(end)s") % {"start": start, "end": end}
    if state == State.CURRENT:
        if not end:
            return _("since %(start)s, until further notice") % {"start": start}
        return _("since %(start)s, until probably %(end)s") % {"start": start, "end": end}
    if not end:
        return _("from %(start)s, until further notice") % {"start": start}
    return _("from %(start)s, until probably %(end)s") % {"start": start, "end": end}

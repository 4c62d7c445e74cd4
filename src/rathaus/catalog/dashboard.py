"""OZG implementation status ("Umsetzungsstand"): an authority's offers by topic and maturity.

The maturity level of each offer is derived from what is live right now (``catalog.maturity``),
so the numbers follow every published form or bookable appointment type without a stored copy.
The offers are read in one query and their online ways in one query per kind of way
(``catalog.online.ways_for``); the counting is done here, one pass over the offers.

Offers of services another authority handles in this authority's area, without a way in this
installation (``Offer.responsible_elsewhere``, e.g. a town's page on vehicle registration, a
Landkreis service), are not the authority's to rate: they are counted apart, not as level 0
of the authority nor at any other level (ADR 0027).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.catalog import maturity
from rathaus.catalog.models import Maturity, Offer
from rathaus.core.models import Authority

LEVELS: tuple[int, ...] = tuple(Maturity.values)
# From this level on a service counts as "online" in the OZG sense (application fully online).
ONLINE_FROM: int = Maturity.ONLINE

_TOPIC = "service__ozg_service__life_situation__topic"
WITHOUT_TOPIC = "ohne-thema"
"""The topic key in links for the offers of services without an OZG assignment."""
_GERMAN_SORT = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class Row:
    """Counts of offers per maturity level for one topic, or for all topics (the total)."""

    label: str | Promise
    counts: tuple[int, ...]
    key: str = ""
    """The topic in links to the list of services (its slug, or ``WITHOUT_TOPIC``)."""

    @property
    def cells(self) -> tuple[tuple[int, int], ...]:
        """(level, count) pairs, for links from each number to its services."""
        return tuple(zip(LEVELS, self.counts, strict=True))

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def online(self) -> int:
        return sum(self.counts[ONLINE_FROM:])

    @property
    def online_share(self) -> float:
        return percent(self.online, self.total)


@dataclass(frozen=True)
class LevelSummary:
    level: int
    label: str | Promise
    count: int
    share: float


@dataclass(frozen=True)
class Status:
    """The implementation status of one authority."""

    authority: Authority
    rows: tuple[Row, ...]
    totals: Row
    last_change: datetime | None
    elsewhere: int = 0
    """Offers of services another authority handles here, not offered online here."""

    @property
    def levels(self) -> tuple[LevelSummary, ...]:
        return tuple(
            LevelSummary(level, Maturity(level).label, count, percent(count, self.totals.total))
            for level, count in zip(LEVELS, self.totals.counts, strict=True)
        )

    @property
    def is_empty(self) -> bool:
        return self.totals.total == 0 and not self.elsewhere


def _sort_key(name: str) -> str:
    return name.casefold().translate(_GERMAN_SORT)


def offers(authority: Authority) -> list[Offer]:
    """The authority's offers with their topic, each with its live ways and maturity level."""
    found = list(
        Offer.objects.filter(authority=authority)
        .select_related(_TOPIC.removesuffix("__topic"), _TOPIC, "service", "authority")
        .order_by("service__name", "pk")
    )
    maturity.annotate(found)
    return found


def topic_key(offer: Offer) -> str:
    ozg = offer.service.ozg_service
    return ozg.life_situation.topic.slug if ozg is not None else WITHOUT_TOPIC


def status(authority: Authority) -> Status:
    """Offers of the authority per topic and maturity level, from the live state.

    Topics are sorted by name; offers of services without an OZG assignment form a last row
    "without topic".
    """
    counts: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    last_change: datetime | None = None
    elsewhere = 0
    for offer in offers(authority):
        if last_change is None or offer.updated_at > last_change:
            last_change = offer.updated_at
        if offer.responsible_elsewhere is not None:
            elsewhere += 1
            continue
        key = topic_key(offer)
        counts.setdefault(key, [0] * len(LEVELS))[LEVELS.index(offer.maturity)] += 1
        if offer.service.ozg_service is not None:
            names[key] = offer.service.ozg_service.life_situation.topic.name

    rows = [
        Row(names[key], tuple(level_counts), key)
        for key, level_counts in counts.items()
        if key != WITHOUT_TOPIC
    ]
    rows.sort(key=lambda row: _sort_key(str(row.label)))
    if WITHOUT_TOPIC in counts:
        rows.append(Row(_("without topic"), tuple(counts[WITHOUT_TOPIC]), WITHOUT_TOPIC))
    totals = Row(
        _("Total"), tuple(sum(row.counts[index] for row in rows) for index in range(len(LEVELS)))
    )
    return Status(authority, tuple(rows), totals, last_change, elsewhere)


def services_behind(
    authority: Authority, *, topic: str = "", level: int | None = None, elsewhere: bool = False
) -> list[Offer]:
    """The offers behind one number of the dashboard: of a topic (key) and/or a level, or with
    ``elsewhere`` those another authority handles (which have no level here)."""
    return [
        offer
        for offer in offers(authority)
        if (offer.responsible_elsewhere is not None) == elsewhere
        and (not topic or topic_key(offer) == topic)
        and (level is None or offer.maturity == level)
    ]

"""OZG implementation status ("Umsetzungsstand"): an authority's offers by topic and maturity.

One grouped SQL query counts the offers per topic (Themenfeld) and maturity level; everything else
is arithmetic on those few groups, so the cost does not grow with the number of offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Maturity, Offer
from rathaus.core.models import Authority

LEVELS: tuple[int, ...] = tuple(Maturity.values)
# From this level on a service counts as "online" in the OZG sense (application fully online).
ONLINE_FROM: int = Maturity.ONLINE

_TOPIC = "service__ozg_service__life_situation__topic"
_GERMAN_SORT = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True)
class Row:
    """Counts of offers per maturity level for one topic, or for all topics (the total)."""

    label: str | Promise
    counts: tuple[int, ...]

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

    @property
    def levels(self) -> tuple[LevelSummary, ...]:
        return tuple(
            LevelSummary(level, Maturity(level).label, count, percent(count, self.totals.total))
            for level, count in zip(LEVELS, self.totals.counts, strict=True)
        )

    @property
    def is_empty(self) -> bool:
        return self.totals.total == 0


def _sort_key(name: str) -> str:
    return name.casefold().translate(_GERMAN_SORT)


def status(authority: Authority) -> Status:
    """Offers of the authority per topic and maturity level, in one grouped query.

    Topics are sorted by name; offers of services without an OZG assignment form a last row
    "without topic".
    """
    groups = (
        Offer.objects.filter(authority=authority, maturity__in=LEVELS)
        .values(_TOPIC, f"{_TOPIC}__name", "maturity")
        .annotate(count=Count("pk"), last_change=Max("updated_at"))
        .order_by()
    )
    counts: dict[int | None, list[int]] = {}
    names: dict[int, str] = {}
    last_change: datetime | None = None
    for group in groups:
        topic_id = group[_TOPIC]
        level_counts = counts.setdefault(topic_id, [0] * len(LEVELS))
        level_counts[LEVELS.index(group["maturity"])] += group["count"]
        if topic_id is not None:
            names[topic_id] = group[f"{_TOPIC}__name"]
        if last_change is None or group["last_change"] > last_change:
            last_change = group["last_change"]

    rows = [
        Row(names[topic_id], tuple(level_counts))
        for topic_id, level_counts in counts.items()
        if topic_id is not None
    ]
    rows.sort(key=lambda row: _sort_key(str(row.label)))
    if None in counts:
        rows.append(Row(_("without topic"), tuple(counts[None])))
    totals = Row(
        _("Total"), tuple(sum(row.counts[index] for row in rows) for index in range(len(LEVELS)))
    )
    return Status(authority, tuple(rows), totals, last_change)

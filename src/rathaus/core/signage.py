"""Content for the screens of the digital notice board (ADR 0067).

Apps whose data belongs on a screen in town — current notices, council meetings, construction
sites, live sensor values, alerts — describe it once here in their ``AppConfig.ready()``; the
notice board asks each source for the slides of an authority when a screen loads. The apps stay
independent of the notice board (ADR 0014): they only know this list in ``core``.

A slide is plain data: a heading (what kind of information), a title, a few lines of text and
facts (label and value). A screen is read from a distance by people passing by, so a source
gives few slides with few words; it must answer quickly and without personal data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from rathaus.core.models import Authority


@dataclass(frozen=True)
class Fact:
    label: str | Promise
    value: str


@dataclass(frozen=True)
class Slide:
    heading: str | Promise  # what kind of information, e.g. "Bekanntmachung", "Luftqualität"
    title: str
    lines: Sequence[str] = ()
    facts: Sequence[Fact] = ()
    severity: str = "info"  # "info", "warning" or "alert"
    path: str = ""  # where to read more on the portal, e.g. "/bekanntmachungen/<uid>/"
    updated: datetime | None = None


SlidesOf = Callable[["Authority", Mapping[str, Any]], Sequence[Slide]]


@dataclass(frozen=True)
class SignageSource:
    key: str  # stable, e.g. "noticeboard.notices"; stored in a screen's slots
    label: str | Promise  # for staff choosing a screen's content
    slides: SlidesOf
    description: str | Promise = ""
    limit: int = field(default=10)  # at most this many slides per turn


_sources: dict[str, SignageSource] = {}


def register(source: SignageSource) -> None:
    """Add a content source (called in ``AppConfig.ready()``; registering a key again replaces
    the earlier source)."""
    _sources[source.key] = source


def registered() -> list[SignageSource]:
    return sorted(_sources.values(), key=lambda source: source.key)


def get(key: str) -> SignageSource | None:
    return _sources.get(key)

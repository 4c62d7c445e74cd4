"""Datasets the platform produces itself, for the open data catalogue (ADR 0062).

Apps whose data is open (the service catalogue, appointment statistics, construction sites,
sensor series, council data) describe each such dataset once here, in their
``AppConfig.ready()``; the open data catalogue turns every source into a published dataset of
each authority it applies to and keeps its distributions and change date current. The apps
stay independent of the catalogue (ADR 0014): they only know this list in ``core``.

A source answers three questions per authority: does it apply (``applies``), which
distributions does it have (``distributions``: addresses are absolute paths on the authority's
portal, the catalogue makes them full URLs), and when did its data last change (``modified``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from rathaus.core.models import Authority


@dataclass(frozen=True)
class SourceDistribution:
    """One way to get a platform dataset: a path on the portal with its media type and format."""

    title: str | Promise
    path: str
    media_type: str
    format: str  # code of the EU file type list: CSV, JSON, GEOJSON, ICS, ATOM, …
    description: str | Promise = ""
    download: bool = True  # False: an API or page (accessURL only), not a file


DistributionsOf = Callable[["Authority"], Sequence[SourceDistribution]]
ModifiedOf = Callable[["Authority"], datetime | None]


@dataclass(frozen=True)
class DatasetSource:
    key: str  # stable, e.g. "construction.sites"; unique per authority in the catalogue
    title: str | Promise
    description: str | Promise
    themes: Sequence[str]  # EU data theme codes, e.g. ("TRAN",)
    keywords: Sequence[str | Promise]
    frequency: str  # EU frequency code, e.g. "DAILY"
    distributions: Callable[[Authority], Sequence[SourceDistribution]]
    modified: Callable[[Authority], datetime | None]
    applies: Callable[[Authority], bool] = field(default=lambda authority: True)
    temporal_start: Callable[[Authority], date | None] = field(default=lambda authority: None)
    slug: str = ""  # the dataset's short name in the catalogue; empty: the key with "-" for "."
    landing_path: str = ""  # the page on the portal that shows the data to people, e.g. "/daten/"

    @property
    def dataset_slug(self) -> str:
        return self.slug or self.key.replace(".", "-").replace("_", "-")


_sources: dict[str, DatasetSource] = {}


def register(source: DatasetSource) -> None:
    """Add a source; registering the same key again replaces it (``ready()`` may run twice)."""
    _sources[source.key] = source


def registered() -> list[DatasetSource]:
    return sorted(_sources.values(), key=lambda source: source.key)


def get(key: str) -> DatasetSource | None:
    return _sources.get(key)

"""Datasets the platform produces, kept in the open data catalogue (ADR 0064).

Every source in :mod:`rathaus.core.datasets` becomes one dataset per authority it applies to,
found again by its ``source`` key. The sync is idempotent and cheap: it reads an authority's
platform datasets with their distributions in two queries, asks each source, and writes only
what differs (nothing at all when nothing changed).

What the sync owns and what staff own:

- The source owns title, themes, update frequency, licence (dl-by-de/2.0), landing page,
  temporal start, change date and the distributions (found again by their access URL; new ones
  added, changed ones updated, gone ones removed). It writes them on every run.
- Staff may edit the description, the keywords and the contact (name, e-mail, web page). The
  sync remembers in ``Dataset.synced`` the values it last wrote; it changes such a field only
  while it still holds that value. Once staff have changed it, their text stays, also when the
  source's text changes later.
- Status: a new dataset is published. A dataset whose source no longer applies (or is no longer
  registered, or has no distributions) is withdrawn (draft), noted in ``synced``; it is published
  again only if the sync withdrew it, never after staff withdrew it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from rathaus.core import datasets
from rathaus.core.models import Authority
from rathaus.core.tenancy import portal_url
from rathaus.opendata.catalogue_models import DEFAULT_LICENCE, Dataset, Distribution

logger = logging.getLogger(__name__)

# Fields staff may edit on a platform dataset; the sync keeps them only while untouched.
STAFF_FIELDS = ("description", "keywords", "contact_name", "contact_email", "contact_url")
WITHDRAWN = "withdrawn_by_sync"
_DISTRIBUTION_FIELDS = (
    "title", "description", "access_url", "download_url", "media_type", "format", "position",
    "modified",
)  # fmt: skip


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, other: Summary) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.withdrawn += other.withdrawn
        self.failed.extend(other.failed)


def run() -> Summary:
    """The hourly job: every authority."""
    return sync_all()


def sync_all(
    authorities: Iterable[Authority] | None = None,
    progress: Callable[[Authority, Summary], None] | None = None,
) -> Summary:
    total = Summary()
    chosen = Authority.objects.order_by("slug") if authorities is None else authorities
    for authority in chosen:
        result = sync_authority(authority)
        total.add(result)
        if progress is not None:
            progress(authority, result)
    return total


def sync_authority(authority: Authority) -> Summary:
    """Bring the platform datasets of one authority in step with the registered sources."""
    summary = Summary()
    with translation.override(settings.LANGUAGE_CODE):
        existing = {
            dataset.source: dataset
            for dataset in Dataset.objects.filter(authority=authority)
            .exclude(source="")
            .prefetch_related("distributions")
        }
        base = ""
        for source in datasets.registered():
            try:
                wanted = _wanted(source, authority)
            except Exception:  # one broken source must not stop the others
                logger.exception("dataset source %s failed for %s", source.key, authority.slug)
                summary.failed.append(f"{authority.slug}: {source.key}")
                existing.pop(source.key, None)  # keep it as it is
                continue
            dataset = existing.pop(source.key, None)
            if wanted is None:
                if dataset is not None and _withdraw(dataset):
                    summary.withdrawn += 1
                continue
            if not base:
                base = portal_url(authority)
            with transaction.atomic():
                outcome = _apply(authority, source, wanted, dataset, base)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        for dataset in existing.values():  # sources that are no longer registered
            if _withdraw(dataset):
                summary.withdrawn += 1
    return summary


@dataclass
class _Wanted:
    distributions: list[datasets.SourceDistribution]
    modified: datetime | None
    temporal_start: Any


def _wanted(source: datasets.DatasetSource, authority: Authority) -> _Wanted | None:
    if not source.applies(authority):
        return None
    distributions = list(source.distributions(authority))
    if not distributions:
        return None
    return _Wanted(distributions, source.modified(authority), source.temporal_start(authority))


def _defaults(source: datasets.DatasetSource, authority: Authority) -> dict[str, Any]:
    return {
        "description": str(source.description),
        "keywords": [str(word) for word in source.keywords],
        "contact_name": authority.name,
        "contact_email": authority.email,
        "contact_url": authority.website,
    }


def _free_slug(authority: Authority, slug: str) -> str:
    taken = set(
        Dataset.objects.filter(authority=authority, slug__startswith=slug).values_list(
            "slug", flat=True
        )
    )
    candidate, number = slug, 2
    while candidate in taken:
        candidate, number = f"{slug}-{number}", number + 1
    return candidate


def _apply(
    authority: Authority,
    source: datasets.DatasetSource,
    wanted: _Wanted,
    dataset: Dataset | None,
    base: str,
) -> str:
    owned: dict[str, Any] = {
        "title": str(source.title),
        "themes": list(source.themes),
        "accrual_periodicity": source.frequency,
        "licence": DEFAULT_LICENCE,
        "landing_page": base + source.landing_path if source.landing_path else "",
        "temporal_start": wanted.temporal_start,
        "modified": wanted.modified,
    }
    defaults = _defaults(source, authority)
    if dataset is None:
        dataset = Dataset.objects.create(
            authority=authority,
            source=source.key,
            slug=_free_slug(authority, source.dataset_slug),
            status=Dataset.Status.PUBLISHED,
            issued=timezone.now(),
            synced=defaults,
            **owned,
            **defaults,
        )
        _distributions(dataset, wanted, base, [])
        return "created"
    changed = [name for name, value in owned.items() if getattr(dataset, name) != value]
    synced = dict(dataset.synced or {})
    for name, value in defaults.items():
        untouched = name not in synced or getattr(dataset, name) == synced[name]
        if untouched and getattr(dataset, name) != value:
            changed.append(name)
        if untouched and synced.get(name) != value:
            synced[name] = value
    for name in changed:
        setattr(dataset, name, owned.get(name, defaults.get(name)))
    if dataset.status == Dataset.Status.DRAFT and synced.get(WITHDRAWN):
        dataset.status = Dataset.Status.PUBLISHED
        changed.append("status")
    if dataset.status == Dataset.Status.PUBLISHED:
        synced.pop(WITHDRAWN, None)
    if synced != dataset.synced:
        dataset.synced = synced
        changed.append("synced")
    moved = _distributions(dataset, wanted, base, list(dataset.distributions.all()))
    if changed:
        dataset.save(update_fields=[*changed, "updated_at"])
    return "updated" if changed or moved else "unchanged"


def _distributions(
    dataset: Dataset, wanted: _Wanted, base: str, current: list[Distribution]
) -> bool:
    """Make the dataset's distributions those the source names; True if anything changed."""
    by_url = {distribution.access_url: distribution for distribution in current}
    create: list[Distribution] = []
    update: list[Distribution] = []
    for position, item in enumerate(wanted.distributions):
        url = base + item.path
        values = {
            "title": str(item.title),
            "description": str(item.description),
            "access_url": url,
            "download_url": url if item.download else "",
            "media_type": item.media_type,
            "format": item.format,
            "position": position,
            "modified": wanted.modified,
        }
        found = by_url.pop(url, None)
        if found is None:
            create.append(Distribution(dataset=dataset, **values))
        elif any(getattr(found, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(found, name, value)
            update.append(found)
    if create:
        Distribution.objects.bulk_create(create)
    if update:
        Distribution.objects.bulk_update(update, _DISTRIBUTION_FIELDS)
    if by_url:
        Distribution.objects.filter(pk__in=[item.pk for item in by_url.values()]).delete()
    return bool(create or update or by_url)


def _withdraw(dataset: Dataset) -> bool:
    if dataset.status != Dataset.Status.PUBLISHED:
        return False
    dataset.status = Dataset.Status.DRAFT
    dataset.synced = {**(dataset.synced or {}), WITHDRAWN: True}
    dataset.save(update_fields=["status", "synced", "updated_at"])
    return True


def load_demo(tally: Any) -> None:
    """After the other demo loaders: list what they made in the catalogue."""
    summary = sync_all()
    tally["Dataset (platform): created"] += summary.created
    tally["Dataset (platform): updated"] += summary.updated
    tally["Dataset (platform): unchanged"] += summary.unchanged

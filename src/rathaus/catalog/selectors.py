"""Read-only queries of the catalogue for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from rathaus.catalog import search
from rathaus.catalog.keys import InvalidLeikaKey, validate_leika_key
from rathaus.catalog.models import LifeSituation, Offer, OzgService, Service, Topic
from rathaus.core.models import Authority


def topics_with_counts() -> QuerySet[Topic]:
    return Topic.objects.annotate(
        service_count=Count("life_situations__ozg_services__services", distinct=True)
    ).order_by("name")


def life_situations(topic: Topic) -> QuerySet[LifeSituation]:
    return (
        LifeSituation.objects.filter(topic=topic)
        .annotate(service_count=Count("ozg_services__services", distinct=True))
        .order_by("name")
    )


def ozg_services_with_services(situation: LifeSituation) -> QuerySet[OzgService]:
    return (
        OzgService.objects.filter(life_situation=situation)
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name")))
        .order_by("name")
    )


def offered_service_ids(authority: Authority | None) -> set[int]:
    if authority is None:
        return set()
    return set(Offer.objects.filter(authority=authority).values_list("service_id", flat=True))


def offers_of(authority: Authority) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(authority=authority)
        .select_related("service", "org_unit")
        .order_by("service__name")
    )


def service_by_key(leika_key: str) -> Service | None:
    try:
        key = validate_leika_key(leika_key)
    except InvalidLeikaKey:
        return None
    return (
        Service.objects.select_related("ozg_service__life_situation__topic")
        .filter(leika_key=key)
        .first()
    )


@dataclass
class SearchResults:
    services: list[Service]
    total: int


def search_services(
    query: str, authority: Authority | None, *, offset: int = 0, limit: int = 20
) -> SearchResults:
    """Ranked services; those the authority offers come first. Raises QueryTooShort."""
    hits = search.search(query)
    offered = offered_service_ids(authority)
    ranked = sorted(enumerate(hits), key=lambda pair: (pair[1].service_id not in offered, pair[0]))
    page_ids = [hit.service_id for _position, hit in ranked[offset : offset + limit]]
    by_id = Service.objects.select_related("ozg_service__life_situation__topic").in_bulk(page_ids)
    return SearchResults([by_id[pk] for pk in page_ids if pk in by_id], len(hits))

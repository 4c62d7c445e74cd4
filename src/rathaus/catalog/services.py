"""Domain functions of the catalogue: the only code that changes catalogue and offer data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from rathaus.catalog.models import Offer, Service
from rathaus.catalog.text import index_text
from rathaus.core import audit, pagecache
from rathaus.core.models import Authority


def search_fields(service: Service) -> tuple[str, str]:
    """The normalised names (official name and synonyms) and the other searchable words."""
    extra = [service.description, service.laws]
    if service.ozg_service is not None:
        extra += [service.ozg_service.name, service.ozg_service.life_situation.name]
    return index_text(service.name, service.synonyms), index_text(*extra)


def _clean_synonyms(synonyms: Iterable[str]) -> str:
    return "\n".join(sorted({word.strip() for word in synonyms if word.strip()}))


def set_synonyms(service: Service, synonyms: Iterable[str]) -> bool:
    """Replace a service's synonyms; returns whether they changed."""
    changed = set_synonyms_many({service.pk: synonyms}) == 1
    service.refresh_from_db(fields=["synonyms", "search_name", "search_extra"])
    return changed


def set_synonyms_many(synonyms_by_service: dict[int, Iterable[str]]) -> int:
    """Replace the synonyms of several services at once; returns how many changed."""
    cleaned = {pk: _clean_synonyms(words) for pk, words in synonyms_by_service.items()}
    with transaction.atomic():
        services = list(
            Service.objects.select_for_update(of=("self",))
            .filter(pk__in=cleaned)
            .select_related("ozg_service__life_situation")
        )
        changed = [service for service in services if service.synonyms != cleaned[service.pk]]
        for service in changed:
            service.synonyms = cleaned[service.pk]
            service.search_name, service.search_extra = search_fields(service)
        Service.objects.bulk_update(
            changed, ["synonyms", "search_name", "search_extra"], batch_size=500
        )
        pagecache.invalidate_all()  # bulk writes send no signals
    return len(changed)


OFFER_FIELDS = (
    "org_unit", "description", "required_documents", "fee_cents", "fee_text", "processing_time",
    "contact", "opening_hours_url", "legal_basis", "online_url", "appointment_url",
    "min_trust_level", "maturity_override", "maturity_override_reason", "general_request",
)  # fmt: skip


def save_offer(
    authority: Authority,
    service: Service,
    values: dict[str, Any],
    *,
    actor: AbstractBaseUser | None = None,
) -> tuple[Offer, str]:
    """Create or change an authority's offer of a service; audited with the changed fields.

    Returns the offer and what happened: ``"created"``, ``"changed"`` or ``"unchanged"``.
    """
    unknown = set(values) - set(OFFER_FIELDS)
    if unknown:
        raise ValueError(f"not offer fields: {sorted(unknown)}")
    org_unit = values.get("org_unit")
    if org_unit is not None and org_unit.authority_id != authority.pk:
        raise ValueError("the unit belongs to another authority")
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update().filter(authority=authority, service=service).first()
        )
        created = offer is None
        if offer is None:
            offer = Offer(authority=authority, service=service)
        changed = {name: value for name, value in values.items() if getattr(offer, name) != value}
        if not created and not changed:
            return offer, "unchanged"
        for name, value in changed.items():
            setattr(offer, name, value)
        offer.full_clean()
        offer.save()
        audit.record(
            "catalog.offer.created" if created else "catalog.offer.changed",
            actor=actor,
            authority=authority,
            obj=offer,
            details={"fields": sorted(changed)},
        )
    return offer, "created" if created else "changed"


def withdraw_offer(offer: Offer, *, actor: AbstractBaseUser | None = None) -> None:
    with transaction.atomic():
        audit.record(
            "catalog.offer.withdrawn",
            actor=actor,
            authority=offer.authority,
            obj=offer,
            details={"leika_key": offer.service.leika_key},
        )
        offer.delete()

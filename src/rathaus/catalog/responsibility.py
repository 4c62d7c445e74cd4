"""Zuständigkeitsfinder: which authority and unit handle a service for a place.

The area of a request is given as a 12-digit ARS or as a postal code. A postal code is resolved
through the localities (Ortsteile) the installation knows — they give a municipality's ARS — and
through the postal code table, which gives the Kreis. Rules match by service or by the service's
OZG bundle and by ARS prefix or postal code; the most specific rule wins: postal code before a
12-digit ARS before a Kreis prefix before a Land prefix, and a rule for the service itself before
a rule for its OZG bundle.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Q

from rathaus.catalog.models import Offer, Responsibility, Service
from rathaus.core import geo, keys
from rathaus.core.models import Authority, Locality, OrgUnit


class UnknownArea(ValueError):
    """The postal code or ARS is malformed or not known."""


@dataclass
class Area:
    postal_code: str = ""
    ars_values: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    kreis_keys: list[str] = field(default_factory=list)


@dataclass
class Answer:
    service: Service
    area: Area
    authority: Authority | None
    org_unit: OrgUnit | None = None
    offer: Offer | None = None
    fallback: Authority | None = None

    @property
    def found(self) -> bool:
        return self.authority is not None


def area_for_postal_code(postal_code: str) -> Area:
    try:
        code = geo.validate_postal_code(postal_code)
    except geo.InvalidPostalCode as exc:
        raise UnknownArea(str(exc)) from None
    localities = list(Locality.objects.filter(postal_code=code).select_related("authority"))
    kreise = geo.kreis_keys(code)
    if not localities and not kreise:
        raise UnknownArea(f"the postal code {code} is not known")
    return Area(
        postal_code=code,
        ars_values=sorted({locality.authority.ars for locality in localities})
        + [keys.ars_for_area(kreis) for kreis in kreise],
        places=[locality.name for locality in localities],
        kreis_keys=kreise,
    )


def area_for_ars(ars: str) -> Area:
    try:
        value = keys.validate_ars(ars.strip())
    except ValueError as exc:
        raise UnknownArea(str(exc)) from None
    return Area(ars_values=[value], kreis_keys=[value[:5]])


def _specificity(rule: Responsibility, area: Area) -> int | None:
    if rule.postal_code:
        area_score = 20 if rule.postal_code == area.postal_code else None
    else:
        matching = [ars for ars in area.ars_values if ars.startswith(rule.ars_prefix)]
        area_score = len(rule.ars_prefix) if matching else None
    if area_score is None:
        return None
    return area_score * 2 + (1 if rule.service_id else 0)


def find(service: Service, area: Area) -> Answer:
    conditions = Q(service=service)
    if service.ozg_service_id:
        conditions |= Q(ozg_service_id=service.ozg_service_id)
    rules = Responsibility.objects.filter(conditions).select_related(
        "authority", "authority__parent", "org_unit"
    )
    scored = [(score, rule) for rule in rules if (score := _specificity(rule, area)) is not None]
    if not scored:
        return Answer(service=service, area=area, authority=None, fallback=_fallback(area))
    _score, best = max(scored, key=lambda pair: (pair[0], -pair[1].pk))
    offer = (
        Offer.objects.filter(authority=best.authority, service=service)
        .select_related("org_unit")
        .first()
    )
    org_unit = best.org_unit or (offer.org_unit if offer else None)
    return Answer(
        service=service, area=area, authority=best.authority, org_unit=org_unit, offer=offer
    )


def responsible_for_offers(offers: Collection[Offer]) -> dict[int, Authority]:
    """For each offer, the authority the rules name for its service in the offer authority's own
    area (its ARS), where a rule applies; one query for all offers.

    The dashboard uses it to tell an authority's own services from those it only points to,
    such as a town's page on vehicle registration, which the Landkreis handles.
    """
    if not offers:
        return {}
    keys_of = {
        offer.authority_id: offer.authority.ars
        for offer in offers
        if Offer.authority.is_cached(offer)
    }
    missing = {offer.authority_id for offer in offers} - set(keys_of)
    if missing:
        keys_of.update(Authority.objects.filter(pk__in=missing).values_list("pk", "ars"))
    services = {offer.service_id for offer in offers}
    ozg_ids = {offer.service.ozg_service_id for offer in offers} - {None}
    rules = list(
        Responsibility.objects.filter(Q(service_id__in=services) | Q(ozg_service_id__in=ozg_ids))
        .filter(postal_code="")
        .select_related("authority")
    )
    found: dict[int, Authority] = {}
    for offer in offers:
        ars = keys_of[offer.authority_id]
        area = Area(ars_values=[ars], kreis_keys=[ars[:5]])
        scored = [
            (score, rule)
            for rule in rules
            if (
                rule.service_id == offer.service_id
                or (rule.service_id is None and rule.ozg_service_id == offer.service.ozg_service_id)
            )
            and (score := _specificity(rule, area)) is not None
        ]
        if scored:
            found[offer.pk] = max(scored, key=lambda pair: (pair[0], -pair[1].pk))[1].authority
    return found


def _fallback(area: Area) -> Authority | None:
    """Where to turn when no rule applies: the Landkreis of the area, if it is served here."""
    return (
        Authority.objects.filter(kind=Authority.Kind.LANDKREIS, ags__in=area.kreis_keys)
        .order_by("name")
        .first()
    )

"""Catalogue API: search, service detail by LeiKa key, responsibility lookup."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field, StringConstraints

from rathaus.catalog import maturity, responsibility, search, selectors
from rathaus.catalog.keys import InvalidLeikaKey, validate_leika_key
from rathaus.catalog.models import Offer, Service
from rathaus.core.bounds import Key, Text
from rathaus.core.problems import ProblemOut
from rathaus.core.tenancy import current_authority

router = Router(tags=["services"])

# The key as the API accepts it: 14 digits starting with 99, or its URN.
LeikaKey = Annotated[str, StringConstraints(pattern=r"^(urn:de:fim:leika:leistung:)?99[0-9]{12}$")]


class ServiceOut(Schema):
    leika_key: str | None
    name: str
    ozg_id: str | None
    ozg_service: str | None
    life_situation: str | None
    topic: str | None
    url: str


class SearchOut(Schema):
    query: str
    total: int
    offset: int
    results: list[ServiceOut]


class OrgUnitRef(Schema):
    slug: str
    name: str
    email: str
    phone: str


class OfferOut(Schema):
    authority: str
    org_unit: OrgUnitRef | None
    description: str
    required_documents: list[str]
    fee_cents: int | None
    fee_text: str
    processing_time: str
    maturity: int
    online_url: str
    appointment_url: str


class ServiceDetailOut(ServiceOut):
    leika_type: str
    legal_basis: str
    synonyms: list[str]
    offer: OfferOut | None


class AuthorityRef(Schema):
    slug: str
    name: str
    ags: str
    ars: str
    street: str
    postal_code: str
    city: str
    email: str
    phone: str


class ResponsibilityOut(Schema):
    leika_key: str
    service: str
    found: bool
    authority: AuthorityRef | None
    org_unit: OrgUnitRef | None
    places: list[str]
    fallback: AuthorityRef | None


class SearchParams(Schema):
    q: Text = Field(
        ...,
        min_length=2,
        max_length=200,
        # Two letters or digits in a row make a word the search can look for.
        pattern=r"[0-9A-Za-zÄÖÜäöüß]{2}",
        description="search words; at least one of two letters or digits",
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


def _service(service: Service) -> dict[str, Any]:
    ozg = service.ozg_service
    return {
        "leika_key": service.leika_key,
        "name": service.name,
        "ozg_id": ozg.ozg_id if ozg else None,
        "ozg_service": ozg.name if ozg else None,
        "life_situation": ozg.life_situation.name if ozg else None,
        "topic": ozg.life_situation.topic.name if ozg else None,
        "url": service.get_absolute_url(),
    }


def _unit(unit: Any) -> dict[str, str] | None:
    if unit is None:
        return None
    return {"slug": unit.slug, "name": unit.name, "email": unit.email, "phone": unit.phone}


def _authority(authority: Any) -> dict[str, str] | None:
    if authority is None:
        return None
    fields = ("slug", "name", "ags", "ars", "street", "postal_code", "city", "email", "phone")
    return {name: getattr(authority, name) for name in fields}


def _key(value: str, field: str) -> str:
    try:
        return validate_leika_key(value)
    except InvalidLeikaKey as exc:
        raise HttpError(422, f"{field}: {exc}") from None


@router.get("", response=SearchOut, summary="Search the service catalogue")
def search_services(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    """Finds services of the catalogue (LeiKa) by words of their names and synonyms, the services
    the authority of the host offers first. At least two letters; pages by `offset` and
    `limit`.
    """
    try:
        results = selectors.search_services(
            params.q, current_authority(request), offset=params.offset, limit=params.limit
        )
    except search.QueryTooShort:
        raise HttpError(422, "q: enter at least two letters") from None
    return {
        "query": params.q,
        "total": results.total,
        "offset": params.offset,
        "results": [_service(service) for service in results.services],
    }


@router.get("/{leika_key}", response=ServiceDetailOut, summary="One service by its LeiKa key")
def service_detail(request: HttpRequest, leika_key: LeikaKey) -> dict[str, Any]:
    """The service with this LeiKa key (14 digits) and the offer of the authority of the host:
    department, documents, fee, processing time, online form and appointment link. 422 for a
    malformed key, 404 for an unknown one.
    """
    service = selectors.service_by_key(_key(leika_key, "leika_key"))
    if service is None:
        raise HttpError(404, f"No service with the LeiKa key {leika_key}.")
    authority = current_authority(request)
    offer = (
        Offer.objects.filter(authority=authority, service=service)
        .select_related("org_unit", "authority")
        .first()
    )
    data = _service(service)
    data.update(
        leika_type=service.leika_type,
        legal_basis=service.legal_basis,
        synonyms=[line for line in service.synonyms.splitlines() if line],
        offer=None,
    )
    if offer is not None:
        maturity.annotate([offer])
        data["offer"] = {
            "authority": offer.authority.slug,
            "org_unit": _unit(offer.org_unit),
            "description": offer.description,
            "required_documents": offer.document_list,
            "fee_cents": offer.fee_cents,
            "fee_text": offer.fee_text,
            "processing_time": offer.processing_time,
            "maturity": offer.maturity,
            "online_url": offer.online_url,
            "appointment_url": offer.appointment_url,
        }
    return data


responsibility_router = Router(tags=["services"])


@responsibility_router.get(
    "",
    response={200: ResponsibilityOut, 404: ProblemOut},
    summary="Who is responsible for a service in an area (postal code or ARS)",
)
def responsibility_lookup(
    request: HttpRequest, leika: LeikaKey, plz: Key | None = None, ars: Key | None = None
) -> dict[str, Any]:
    """Which authority and department is responsible for the service for a place given by postal
    code (`plz`) or regional key (`ars`, 12 digits) — exactly one of them. `found` is false
    when no authority of this installation offers it there; `fallback` is then the authority of
    the area.
    """
    key = _key(leika, "leika")
    if bool(plz) == bool(ars):
        raise HttpError(422, "give either plz (postal code) or ars (12-digit regional key)")
    service = selectors.service_by_key(key)
    if service is None:
        raise HttpError(404, f"No service with the LeiKa key {key}.")
    try:
        area = (
            responsibility.area_for_postal_code(plz)
            if plz
            else responsibility.area_for_ars(ars or "")
        )
    except responsibility.UnknownArea as exc:
        raise HttpError(422, f"{'plz' if plz else 'ars'}: {exc}") from None
    answer = responsibility.find(service, area)
    return {
        "leika_key": key,
        "service": service.name,
        "found": answer.found,
        "authority": _authority(answer.authority),
        "org_unit": _unit(answer.org_unit),
        "places": answer.area.places,
        "fallback": _authority(answer.fallback),
    }

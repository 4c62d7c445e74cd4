"""Read-only queries of the catalogue for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Prefetch, QuerySet, Value, When

from rathaus.catalog import search
from rathaus.catalog.keys import URN_PREFIX, InvalidLeikaKey, validate_leika_key
from rathaus.catalog.models import LifeSituation, Offer, OzgService, Service, Topic
from rathaus.core import roles
from rathaus.core.models import Authority, Membership, OrgUnit


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


# Staff editing of offers: who may change which offers, filtered in SQL.


@dataclass(frozen=True)
class OfferAccess:
    """What one staff user may do with the offers of one authority.

    ``all_units``: the user is Leitung or Administration in some unit of the authority and may
    change every offer. ``unit_ids``: the units where the user is Sachbearbeitung; offers of
    these units may be changed, and new offers added for them.
    """

    authority: Authority
    all_units: bool
    unit_ids: frozenset[int]

    @property
    def allowed(self) -> bool:
        return self.all_units or bool(self.unit_ids)

    def may_edit(self, offer: Offer) -> bool:
        return self.all_units or (
            offer.org_unit_id is not None and offer.org_unit_id in self.unit_ids
        )


def offer_accesses(user_id: int) -> list[OfferAccess]:
    """One entry per authority the user has a membership in, ordered by authority name."""
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .select_related("org_unit__authority", "role")
        .order_by("org_unit__authority__name", "org_unit__authority_id")
    )
    authorities: dict[int, Authority] = {}
    all_units: set[int] = set()
    unit_ids: dict[int, set[int]] = {}
    for membership in memberships:
        authority = membership.org_unit.authority
        authorities.setdefault(authority.pk, authority)
        unit_ids.setdefault(authority.pk, set())
        if membership.role.name in (roles.HEAD, roles.ADMINISTRATOR):
            all_units.add(authority.pk)
        elif membership.role.name == roles.CLERK:
            unit_ids[authority.pk].add(membership.org_unit_id)
    return [
        OfferAccess(authority, pk in all_units, frozenset(unit_ids[pk]))
        for pk, authority in authorities.items()
    ]


def staff_offers(access: OfferAccess, *, org_unit_id: int | None = None) -> QuerySet[Offer]:
    """The authority's offers for the staff list, each marked ``editable`` by the database.

    The maturity level is derived from live state (``catalog.maturity.annotate``), so the
    caller filters by it after annotating.
    """
    offers = Offer.objects.filter(authority=access.authority)
    if org_unit_id is not None:
        offers = offers.filter(org_unit_id=org_unit_id)
    editable: Value | Case
    if access.all_units:
        editable = Value(True, output_field=BooleanField())
    else:
        editable = Case(
            When(org_unit_id__in=access.unit_ids, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    return (
        offers.annotate(editable=editable)
        .select_related("service", "org_unit", "authority")
        .order_by("service__name", "pk")
    )


def staff_offer(access_by_authority: dict[int, OfferAccess], pk: int) -> Offer | None:
    """An offer of one of the user's authorities, or None (also for other authorities' offers)."""
    return (
        Offer.objects.filter(pk=pk, authority_id__in=list(access_by_authority))
        .select_related("service", "authority", "org_unit")
        .first()
    )


def assignable_units(access: OfferAccess) -> QuerySet[OrgUnit]:
    """The units an offer may be assigned to by this user."""
    units = OrgUnit.objects.filter(authority=access.authority)
    if not access.all_units:
        units = units.filter(pk__in=access.unit_ids)
    return units.order_by("position", "name")


def authority_units(authority: Authority) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(authority=authority).order_by("position", "name")


@dataclass
class OfferCandidates:
    """Services found for a query that the authority does not offer yet."""

    services: list[Service]
    total: int
    already_offered: int


def services_to_offer(query: str, authority: Authority, *, limit: int = 20) -> OfferCandidates:
    """Services matching words or a LeiKa key (or its first digits) not yet offered.

    Raises ``search.QueryTooShort`` for a query without a word of two letters.
    """
    key = query.strip().replace(" ", "")
    if key.startswith(URN_PREFIX):
        key = key[len(URN_PREFIX) :]
    if key.isdigit() and key.startswith("99") and 5 <= len(key) <= 14:
        ids = list(
            Service.objects.filter(leika_key__startswith=key)
            .order_by("leika_key")
            .values_list("pk", flat=True)[: search.MAX_HITS]
        )
    else:
        ids = [hit.service_id for hit in search.search(query)]
    open_ids = set(
        Service.objects.filter(pk__in=ids)
        .exclude(offers__authority=authority)
        .values_list("pk", flat=True)
    )
    ranked = [pk for pk in ids if pk in open_ids]
    page = ranked[:limit]
    by_id = Service.objects.select_related("ozg_service__life_situation").in_bulk(page)
    return OfferCandidates(
        [by_id[pk] for pk in page if pk in by_id], len(ranked), len(ids) - len(ranked)
    )

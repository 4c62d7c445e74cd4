"""Citizen pages of the catalogue: browse, search, service page with responsibility finder."""

from __future__ import annotations

from collections.abc import Iterable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.catalog import maturity, online, responsibility, search, selectors
from rathaus.catalog.models import LifeSituation, Offer, Service, Topic
from rathaus.core.pagecache import public_page
from rathaus.core.tenancy import current_authority

PAGE_SIZE = 20


@public_page(query={"nur": ["online"]})
@require_safe
def browse(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    offers: Iterable[Offer] = selectors.offers_of(authority) if authority else Offer.objects.none()
    # "Apply online" on the start page: only the offers with an online way that exists now.
    online_only = request.GET.get("nur") == "online"
    if online_only:
        listed = list(offers)
        found = online.ways_for(listed)
        offers = [offer for offer in listed if found[offer.pk].apply_online]
    return render(
        request,
        "catalog/browse.html",
        {"topics": selectors.topics_with_counts(), "offers": offers, "online_only": online_only},
    )


@public_page()
@require_safe
def topic(request: HttpRequest, topic_slug: str) -> HttpResponse:
    found = get_object_or_404(Topic, slug=topic_slug)
    return render(
        request,
        "catalog/topic.html",
        {"topic": found, "situations": selectors.life_situations(found)},
    )


@public_page()
@require_safe
def life_situation(request: HttpRequest, topic_slug: str, situation_slug: str) -> HttpResponse:
    situation = get_object_or_404(
        LifeSituation.objects.select_related("topic"), topic__slug=topic_slug, slug=situation_slug
    )
    return render(
        request,
        "catalog/life_situation.html",
        {
            "situation": situation,
            "ozg_services": selectors.ozg_services_with_services(situation),
            "offered": selectors.offered_service_ids(current_authority(request)),
        },
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("seite", "1")))
    except ValueError:
        return 1


@require_safe
def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    context: dict[str, object] = {"query": query, "results": None, "error": ""}
    if query:
        page = _page_number(request)
        try:
            results = selectors.search_services(
                query, current_authority(request), offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
            )
        except search.QueryTooShort:
            context["error"] = _("Please enter at least two letters.")
        else:
            pages = max(1, -(-results.total // PAGE_SIZE))
            context.update(
                results=results,
                page=page,
                pages=pages,
                previous_page=page - 1 if page > 1 else None,
                next_page=page + 1 if page < pages else None,
                offered=selectors.offered_service_ids(current_authority(request)),
            )
    elif "q" in request.GET:
        context["error"] = _("Please enter what you are looking for.")
    status = 400 if context["error"] else 200
    return render(request, "catalog/search.html", context, status=status)


def _service_page(request: HttpRequest, service: Service) -> HttpResponse:
    authority = current_authority(request)
    offer = (
        Offer.objects.filter(authority=authority, service=service)
        .select_related("org_unit")
        .first()
        if authority
        else None
    )
    ways = maturity.annotate([offer])[offer.pk] if offer is not None else online.Ways()
    context: dict[str, object] = {
        "service": service,
        "offer": offer,
        "postal_code": "",
        "ways": ways,
    }
    postal_code = request.GET.get("plz", "").strip()
    if "plz" in request.GET:
        context["postal_code"] = postal_code[:10]
        try:
            area = responsibility.area_for_postal_code(postal_code)
        except responsibility.UnknownArea:
            context["finder_error"] = _(
                "We do not know this postal code. Please enter the five digits of your postal "
                "code, for example 39179."
            )
        else:
            context["answer"] = responsibility.find(service, area)
    status = 400 if context.get("finder_error") else 200
    return render(request, "catalog/service.html", context, status=status)


@public_page()
@require_safe
def service_detail(request: HttpRequest, leika_key: str) -> HttpResponse:
    service = selectors.service_by_key(leika_key)
    if service is None:
        raise Http404("no service with this key")
    return _service_page(request, service)


@public_page()
@require_safe
def service_without_key(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.select_related("ozg_service__life_situation__topic"),
        pk=pk,
        leika_key__isnull=True,
    )
    return _service_page(request, service)


@require_safe
def apply_online(request: HttpRequest, leika_key: str) -> HttpResponse:
    """The way to an offer's online application; checks the login's trust level first."""
    from django.shortcuts import redirect

    from rathaus.accounts import trust
    from rathaus.accounts.models import TrustLevel

    service = selectors.service_by_key(leika_key)
    authority = current_authority(request)
    offer = (
        Offer.objects.filter(authority=authority, service=service).exclude(online_url="").first()
        if service is not None and authority is not None
        else None
    )
    if service is None or offer is None:
        raise Http404("no online application for this service here")
    if offer.min_trust_level == TrustLevel.BASIC or trust.satisfies(request, offer.min_trust_level):
        return redirect(offer.online_url)
    return trust.required_page(request, offer.min_trust_level, service=service)

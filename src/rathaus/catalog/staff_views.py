"""Staff pages for an authority's offer of services: list, add, edit and withdraw.

Who may do what is decided by the user's memberships (see ``selectors.OfferAccess``). Offers
of authorities the user has no membership in are answered with 404, so their ids reveal nothing;
offers the user may see but not change are answered with a 403 page. Every change goes through
``services.save_offer`` or ``services.withdraw_offer``, which validate and audit it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.catalog import maturity as maturity_of
from rathaus.catalog import search, selectors, services
from rathaus.catalog.forms import OfferFilterForm, OfferForm, ServiceSearchForm
from rathaus.catalog.models import Offer, Service
from rathaus.catalog.selectors import OfferAccess
from rathaus.catalog.staff_access import (
    acting_user,
    authority_list_url,
    chosen_access,
    list_context,
)
from rathaus.core.bounds import parse_id
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required


def _forbidden(request: HttpRequest, message: str, authority: Authority | None) -> HttpResponse:
    context = {"message": message, "list_url": _list_url(authority) if authority else ""}
    return render(request, "catalog/staff/forbidden.html", context, status=403)


def _list_url(authority: Authority) -> str:
    return authority_list_url("catalog_staff:list", authority)


def _authority_access(request: HttpRequest) -> tuple[OfferAccess, list[OfferAccess]] | HttpResponse:
    """The user's access to the chosen authority and to all theirs, or the 403 page."""
    accesses = selectors.offer_accesses(acting_user(request).pk)
    if not accesses:
        return _forbidden(
            request,
            _(
                "You are not a member of any organisational unit, so there are no offers you "
                "could change. Please ask your administrator."
            ),
            None,
        )
    access = chosen_access(request, accesses)
    if not access.allowed:
        return _forbidden(request, _no_role_message(access.authority), None)
    return access, accesses


def _no_role_message(authority: Authority) -> str:
    return _(
        "Your role in %(authority)s does not allow changing its offers. Offers are changed by "
        "the clerks of the responsible unit, heads of office and administrators."
    ) % {"authority": authority.name}


def _offer_access(request: HttpRequest, pk: int) -> tuple[Offer, OfferAccess] | HttpResponse:
    """An offer the user may change; 404 outside their authorities, the 403 page otherwise."""
    by_authority = {
        access.authority.pk: access for access in selectors.offer_accesses(acting_user(request).pk)
    }
    offer = selectors.staff_offer(by_authority, pk)
    if offer is None:
        raise Http404("no offer of the user's authorities")
    access = by_authority[offer.authority_id]
    if not access.allowed:
        return _forbidden(request, _no_role_message(offer.authority), None)
    if not access.may_edit(offer):
        return _forbidden(
            request,
            _(
                "This offer is the responsibility of another unit. It can be changed by the "
                "clerks of that unit, heads of office and administrators."
            ),
            offer.authority,
        )
    return offer, access


def _offer_form(
    request: HttpRequest,
    access: OfferAccess,
    initial: dict[str, object],
    offer: Offer | None = None,
) -> OfferForm:
    return OfferForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        units=selectors.assignable_units(access),
        unit_required=not access.all_units,
        authority=access.authority,
        offer=offer,
    )


def _save(
    request: HttpRequest, form: OfferForm, authority: Authority, service: Service
) -> str | None:
    """Save the offer with the form's values: how it went, or None when the model refused them
    (its messages are then at the form's fields)."""
    try:
        _offer, outcome = services.save_offer(
            authority, service, form.offer_values(), actor=acting_user(request)
        )
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    return outcome


@never_cache
@staff_required
@require_safe
def offer_list(request: HttpRequest) -> HttpResponse:
    found = _authority_access(request)
    if isinstance(found, HttpResponse):
        return found
    access, accesses = found
    filters = OfferFilterForm(request.GET, units=selectors.authority_units(access.authority))
    unit_id = maturity = None
    if filters.is_valid():
        unit = filters.cleaned_data["einheit"]
        unit_id = unit.pk if unit is not None else None
        maturity = filters.cleaned_data["reifegrad"]
    offers = list(selectors.staff_offers(access, org_unit_id=unit_id))
    maturity_of.annotate(offers)
    if maturity is not None:
        offers = [offer for offer in offers if offer.maturity == maturity]
    context = {
        **list_context(access, accesses),
        "filters": filters,
        "filtered": unit_id is not None or maturity is not None,
        "offers": offers,
    }
    return render(
        request, "catalog/staff/list.html", context, status=200 if filters.is_valid() else 400
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def offer_add(request: HttpRequest) -> HttpResponse:
    found = _authority_access(request)
    if isinstance(found, HttpResponse):
        return found
    access, _accesses = found
    if request.GET.get("leistung"):
        return _add_form(request, access, request.GET["leistung"])
    if request.method == "POST":
        # Only the form step posts; a post without a chosen service starts the search again.
        return HttpResponseRedirect(request.get_full_path())
    search_form = ServiceSearchForm(request.GET if "q" in request.GET else None)
    candidates = None
    if search_form.is_bound and search_form.is_valid():
        try:
            candidates = selectors.services_to_offer(
                search_form.cleaned_data["q"], access.authority
            )
        except search.QueryTooShort:
            search_form.add_error("q", _("Please enter at least two letters."))
    context = {
        "access": access,
        "search_form": search_form,
        "candidates": candidates,
        "list_url": _list_url(access.authority),
    }
    status = 400 if search_form.errors else 200
    return render(request, "catalog/staff/add.html", context, status=status)


def _add_form(request: HttpRequest, access: OfferAccess, service_id: str) -> HttpResponse:
    pk = parse_id(service_id)
    if pk is None:
        raise Http404("no such service")
    service = Service.objects.select_related("ozg_service__life_situation").filter(pk=pk).first()
    if service is None:
        raise Http404("no such service")
    existing = Offer.objects.filter(authority=access.authority, service=service).first()
    if existing is not None:
        messages.info(
            request,
            _("%(authority)s already offers “%(service)s”.")
            % {"authority": access.authority.name, "service": service.name},
        )
        if access.may_edit(existing):
            return HttpResponseRedirect(reverse("catalog_staff:edit", args=[existing.pk]))
        return HttpResponseRedirect(_list_url(access.authority))
    initial: dict[str, object] = {}
    if not access.all_units and len(access.unit_ids) == 1:
        initial["org_unit"] = next(iter(access.unit_ids))
    form = _offer_form(request, access, initial)
    submitted = request.method == "POST" and form.is_valid()
    if submitted and _save(request, form, access.authority, service) is not None:
        messages.success(
            request, _("The offer “%(service)s” was added.") % {"service": service.name}
        )
        return HttpResponseRedirect(_list_url(access.authority))
    context = {
        "access": access,
        "service": service,
        "form": form,
        "list_url": _list_url(access.authority),
    }
    return render(request, "catalog/staff/add.html", context, status=400 if form.errors else 200)


def _offer_page(
    view: Callable[[HttpRequest, Offer, OfferAccess], HttpResponse],
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A staff page (GET and POST) of an offer the user may change (:func:`_offer_access`)."""

    @never_cache
    @staff_required
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        found = _offer_access(request, pk)
        if isinstance(found, HttpResponse):
            return found
        offer, access = found
        return view(request, offer, access)

    return wrapper


@_offer_page
def offer_edit(request: HttpRequest, offer: Offer, access: OfferAccess) -> HttpResponse:
    form = _offer_form(request, access, OfferForm.initial_for(offer), offer)
    if request.method == "POST" and form.is_valid():
        outcome = _save(request, form, offer.authority, offer.service)
        if outcome is not None:
            if outcome == "unchanged":
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(
                    request,
                    _("The offer “%(service)s” was saved.") % {"service": offer.service.name},
                )
            return HttpResponseRedirect(_list_url(offer.authority))
    maturity_of.annotate([offer])
    context = {"offer": offer, "form": form, "list_url": _list_url(offer.authority)}
    return render(request, "catalog/staff/edit.html", context, status=400 if form.errors else 200)


@_offer_page
def offer_withdraw(request: HttpRequest, offer: Offer, access: OfferAccess) -> HttpResponse:
    if request.method == "POST":
        services.withdraw_offer(offer, actor=acting_user(request))
        messages.success(
            request, _("The offer “%(service)s” was withdrawn.") % {"service": offer.service.name}
        )
        return HttpResponseRedirect(_list_url(offer.authority))
    context = {"offer": offer, "list_url": _list_url(offer.authority)}
    return render(request, "catalog/staff/withdraw.html", context)

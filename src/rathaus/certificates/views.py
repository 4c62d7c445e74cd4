"""``/urkunden/``: the start of a certificate order — what can be ordered, what it costs (from the
authority's fee table), who may order, how the certificate comes, and the way to the form."""

from __future__ import annotations

import functools

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from rathaus.certificates import install
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.forms import packages as form_packages
from rathaus.payments.models import Fee


@functools.cache
def declared_codes() -> tuple[str, ...]:
    """The fee-table codes of the order form's fee declaration, in its order (read once)."""
    declaration = form_packages.read(install.FORM_PACKAGE).get("fee") or {}
    return tuple(item["fee"] for item in declaration.get("items", []) if item.get("fee"))


def fee_rows(authority: Authority) -> list[Fee]:
    """The authority's active fees that the order form names, in the declaration's order."""
    codes = declared_codes()
    found = Fee.objects.filter(authority=authority, code__in=codes, active=True)
    fees = {fee.code: fee for fee in found}
    return [fees[code] for code in codes if code in fees]


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    form = install.order_form(authority)
    if form is None:
        raise Http404("the certificate portal is not installed for this authority")
    offer = form.offer
    unit = offer.org_unit if offer is not None else None
    return render(
        request,
        "certificates/start.html",
        {
            "fees": fee_rows(authority),
            "unit": unit,
            "form_url": reverse("forms:start", args=[form.slug]),
        },
    )

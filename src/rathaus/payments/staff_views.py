"""The cash office's pages (/verwaltung/zahlungen/): the payment requests with their history,
notifications and refunds, the actions on them, the daily reconciliation with its CSV, the
fee table and the cash office settings (ADR 0049).

Who sees and who may act is decided in :mod:`rathaus.payments.staff_access`; a request the user may
not see is a 404, an action the user may not take a 403. Every change goes through
``services``; a refusal (``PaymentRefused``) is shown as an error of the form it came from.
Everything works without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.catalog.templatetags.catalog import euro
from rathaus.core import refusals, sequences
from rathaus.core.models import Authority
from rathaus.core.spreadsheets import csv_response
from rathaus.core.staff_views import staff_required
from rathaus.payments import refunds, report, services, staff_access
from rathaus.payments.models import CashOffice, Fee, PaymentRequest, Refund
from rathaus.payments.providers.base import providers
from rathaus.payments.staff_forms import (
    CancelForm,
    CashOfficeForm,
    DayForm,
    FeeForm,
    PaymentFilterForm,
    ReceivedForm,
    RefundForm,
    cents,
)

PAGE_SIZE = 25


def page_of(request: HttpRequest, rows: Any) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("seite", None)
    return query.urlencode()


def chosen_authority(request: HttpRequest, allowed: set[int]) -> Authority:
    """The authority the page is about: ``?behoerde=<slug>`` among those allowed, else the
    first of them; 403 when the user may use this page for none."""
    if not allowed:
        raise PermissionDenied("not of the cash office of any authority")
    authorities = Authority.objects.filter(pk__in=allowed).order_by("name")
    slug = request.GET.get("behoerde", "")[:100]
    chosen = authorities.filter(slug=slug).first() if slug else None
    return chosen or authorities.first()  # type: ignore[return-value]


# --- the list and one request -------------------------------------------------------------------


@never_cache
@require_safe
@staff_required
def payment_list(request: HttpRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    rows = form.filter(staff_access.visible_requests(request.user)).select_related(
        "case", "authority", "submission"
    )
    return render(
        request,
        "payments/staff/list.html",
        {
            "form": form,
            "page": page_of(request, rows.order_by("-created_at", "kassenzeichen")),
            "query": query_without_page(request),
            **_nav(request),
        },
    )


def _nav(request: HttpRequest) -> dict[str, bool]:
    return {
        "cash_office": bool(staff_access.cash_authorities(request.user)),
        "manages": bool(staff_access.managed_authorities(request.user)),
    }


def visible_request(request: HttpRequest, pk: uuid.UUID) -> PaymentRequest:
    found = (
        staff_access.visible_requests(request.user)
        .select_related("authority", "case", "submission", "account")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise refusals.not_found(request, PaymentRequest, "no such payment for this user", pk=pk)
    return found


ACTIONS = {
    "eingegangen": ReceivedForm,
    "stornieren": CancelForm,
    "erstatten": RefundForm,
    "ausgezahlt": None,
}


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def payment_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    payment = visible_request(request, pk)
    may_act = staff_access.may_act(request.user, payment)
    forms: dict[str, Any] = {
        "eingegangen": ReceivedForm(),
        "stornieren": CancelForm(),
        "erstatten": RefundForm(),
    }
    action_error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("aktion", "")
        if action not in ACTIONS:
            return HttpResponse(status=400)
        if not may_act:
            raise PermissionDenied("only the cash office changes payments")
        form_class = ACTIONS[action]
        form = form_class(request.POST) if form_class else None
        if form is not None:
            forms[action] = form
        if form is None or form.is_valid():
            try:
                done = _act(request, payment, action, form)
            except services.PaymentRefused as refused:
                action_error = str(refused)
                status = 409
            else:
                messages.success(request, done)
                return redirect("payments_staff:detail", payment.pk)
        else:
            status = 422
    return render(
        request,
        "payments/staff/detail.html",
        _detail_context(payment, may_act, forms, action_error),
        status=status,
    )


def _act(request: HttpRequest, payment: PaymentRequest, action: str, form: Any) -> str:
    user = request.user
    if action == "eingegangen":
        services.mark_received(payment, user=user, note=form.cleaned_data["notiz"])
        return _("The payment was recorded as received.")
    if action == "stornieren":
        services.cancel(payment, user=user, note=form.cleaned_data["grund"])
        return _("The payment request was cancelled.")
    if action == "erstatten":
        refund = refunds.refund(
            payment, cents(form.cleaned_data["betrag"]), user=user, note=form.cleaned_data["grund"]
        )
        return _("A refund of %(amount)s was recorded.") % {"amount": euro(refund.amount_cents)}
    refund_id = request.POST.get("erstattung", "")
    found = payment.refunds.filter(pk=int(refund_id)).first() if refund_id.isdigit() else None
    if found is None:
        raise services.PaymentRefused(_("There is no such refund of this payment."))
    refunds.refund_paid_out(found, user=user)
    return _("The refund was recorded as paid back.")


def _detail_context(
    payment: PaymentRequest, may_act: bool, forms: dict[str, Any], action_error: str
) -> dict[str, Any]:
    labels = dict(PaymentRequest.Status.choices)
    changes = list(payment.status_changes.select_related("actor").order_by("at", "pk"))
    for change in changes:
        change.from_label = labels.get(change.from_status, change.from_status)  # type: ignore[attr-defined]
        change.to_label = labels.get(change.to_status, change.to_status)  # type: ignore[attr-defined]
    refund_rows = list(payment.refunds.select_related("created_by").order_by("created_at", "pk"))
    online = _online(payment.provider)
    return {
        "payment": payment,
        "items": payment.items.order_by("position"),
        "changes": changes,
        "notifications": payment.notifications.order_by("received_at", "pk"),
        "refunds": refund_rows,
        "provider": report.provider_label(payment.provider),
        "may_act": may_act,
        "forms": forms,
        "action_error": action_error,
        "may_receive": may_act and payment.status in _receivable(),
        "may_cancel": may_act and payment.is_open,
        "refundable": refunds.refundable_cents(payment) if may_act else 0,
        "payable_out": [
            r for r in refund_rows if may_act and not online and r.status == Refund.Status.REQUESTED
        ],
    }


def _online(provider_id: str) -> bool:
    try:
        return bool(providers.get(provider_id).online)
    except Exception:
        return False


def _receivable() -> set[str]:
    from rathaus.payments import workflow

    return {s for s in PaymentRequest.Status.values if workflow.allowed(s, "paid")}


# --- the daily reconciliation -------------------------------------------------------------------


def _daily(request: HttpRequest) -> tuple[report.DailyReport, DayForm, list[Authority]]:
    allowed = staff_access.cash_authorities(request.user)
    authority = chosen_authority(request, allowed)
    form = DayForm(request.GET or None)
    others = list(Authority.objects.filter(pk__in=allowed).order_by("name"))
    return report.daily(authority, form.day()), form, others


@never_cache
@require_safe
@staff_required
def reconciliation(request: HttpRequest) -> HttpResponse:
    daily, form, authorities = _daily(request)
    return render(
        request,
        "payments/staff/reconciliation.html",
        {
            "report": daily,
            "form": form,
            "authorities": authorities,
            "refund_lines": [daily.staff_refunds, daily.returned],
            **_nav(request),
        },
    )


@never_cache
@require_safe
@staff_required
def reconciliation_csv(request: HttpRequest) -> HttpResponse:
    daily, _form, _authorities = _daily(request)
    response = csv_response(report.csv_rows(daily))
    name = f"tagesabschluss-{daily.authority.slug}-{daily.day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- the fee table and the settings (heads and administrators) ----------------------------------


def _managed(request: HttpRequest) -> Authority:
    return chosen_authority(request, staff_access.managed_authorities(request.user))


def _nav_and_choice(request: HttpRequest) -> dict[str, Any]:
    return {**_nav(request), "authorities": list(staff_access.managed(request.user))}


@never_cache
@require_safe
@staff_required
def fee_list(request: HttpRequest) -> HttpResponse:
    authority = _managed(request)
    fees = Fee.objects.filter(authority=authority).order_by("-active", "code")
    return render(
        request,
        "payments/staff/fees.html",
        {"authority": authority, "fees": fees, **_nav_and_choice(request)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def fee_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    authority = _managed(request)
    fee = None
    if pk is not None:
        fee = (
            Fee.objects.filter(
                authority_id__in=staff_access.managed_authorities(request.user), pk=pk
            )
            .select_related("authority")
            .first()
        )
        if fee is None:
            raise refusals.not_found(request, Fee, "no such fee for this user", pk=pk)
        authority = fee.authority
    if request.method == "POST" and fee is not None and "aktiv" in request.POST:
        fee.active = request.POST["aktiv"] == "1"
        fee.save(update_fields=["active"])
        messages.success(
            request,
            _("The fee is in use again.") if fee.active else _("The fee is no longer in use."),
        )
        return redirect(f"{_url('payments_staff:fees')}?behoerde={authority.slug}")
    form = FeeForm(request.POST or None, authority=authority, fee=fee)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The fee %(code)s was saved.") % {"code": saved.code})
        return redirect(f"{_url('payments_staff:fees')}?behoerde={authority.slug}")
    return render(
        request,
        "payments/staff/fee.html",
        {"authority": authority, "fee": fee, "form": form},
        status=422 if form.is_bound else 200,
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def office_settings(request: HttpRequest) -> HttpResponseBase:
    authority = _managed(request)
    office = services.cash_office(authority)
    form = CashOfficeForm(request.POST or None, instance=office)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The cash office settings were saved."))
        return redirect(f"{_url('payments_staff:settings')}?behoerde={authority.slug}")
    return render(
        request,
        "payments/staff/settings.html",
        {
            "authority": authority,
            "form": form,
            "preview": next_kassenzeichen_preview(office),
            **_nav_and_choice(request),
        },
        status=422 if form.is_bound else 200,
    )


def next_kassenzeichen_preview(office: CashOffice) -> str:
    """The cash reference the next request would get (not reserved)."""
    from django.utils import timezone

    year = timezone.localdate().year
    number = sequences.current_value(sequences.scope("kassenzeichen", office.authority_id, year))
    try:
        return services.kassenzeichen(office, year, number + 1)
    except (services.PaymentRefused, KeyError, IndexError, ValueError):
        return ""

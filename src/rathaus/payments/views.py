"""What the citizen meets when paying (ADR 0051): the payment page, the way back from the
provider, and the payment confirmation as a page and a PDF.

The way back is never proof of payment: the status comes from the provider's notification or
from one active status query made here (``services.apply`` with cause "query").
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core.redirects import to_login
from rathaus.core.refusals import record_refusal
from rathaus.forms.models import Submission
from rathaus.forms.services import SESSION_SUBMISSIONS
from rathaus.payments import access, receipts, services
from rathaus.payments.applications import OPEN
from rathaus.payments.models import PaymentRequest, StatusChange
from rathaus.payments.providers.base import Notice, ProviderUnavailable, providers

S = PaymentRequest.Status


def notify_url(provider_id: str) -> str:
    """The webhook address the provider sends its notifications to.

    ``rathaus.payments.webhooks.notify_url`` when the webhook endpoint is installed; until
    then the same address built from ``RATHAUS_PUBLIC_URL``.
    """
    try:
        webhooks = importlib.import_module("rathaus.payments.webhooks")
    except ImportError:
        public = str(settings.RATHAUS_PUBLIC_URL).rstrip("/")
        return f"{public}/api/v1/payments/webhooks/{provider_id}"
    return str(webhooks.notify_url(provider_id))


def unavailable_message() -> str:
    return _(
        "The payment service cannot be reached at the moment. Your application is saved. "
        "Please try again in a few minutes."
    )


def _online(payment: PaymentRequest) -> bool:
    plugin = dict(providers.items()).get(payment.provider)
    return bool(plugin is not None and plugin.online)


def _context(request: HttpRequest, payment: PaymentRequest, **extra: Any) -> dict[str, Any]:
    return {
        "payment": payment,
        "items": list(payment.items.all()),
        "office": services.cash_office(payment.authority),
        "online": _online(payment),
        "payable": payment.is_open,
        "account": access.owner(payment) if request.user.is_authenticated else None,
        "pay_url": access.url(payment),
        "returned_url": access.url(payment, "payments:returned"),
        "receipt_url": access.url(payment, "payments:receipt"),
        "receipt_pdf_url": access.url(payment, "payments:receipt_pdf"),
        **extra,
    }


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """What is paid for and how; the button that starts the online payment."""
    payment = access.viewable(request, pk)
    if isinstance(payment, HttpResponseRedirect):
        return payment
    error, status = "", 200
    if request.method == "POST":
        if not (payment.is_open and _online(payment)):
            return redirect(access.url(payment))
        returned = request.build_absolute_uri(access.url(payment, "payments:returned"))
        try:
            target = services.start(
                payment, redirect_url=returned, notify_url=notify_url(payment.provider)
            )
        except ProviderUnavailable:
            error, status = unavailable_message(), 503
        except services.PaymentRefused as refused:
            error, status = str(refused), 409
        else:
            if target.startswith(("https://", "http://")):
                return HttpResponseRedirect(target)
            return redirect(access.url(payment))
        payment.refresh_from_db()
    response = render(request, "payments/pay.html", _context(request, payment, error=error),
                      status=status)  # fmt: skip
    if status == 503:
        response["Retry-After"] = "120"
    origins = _payment_origins(payment)
    if origins:  # the button's form leads to the provider's page (django-csp adds it)
        response._csp_update = {"form-action": origins}  # type: ignore[attr-defined]
    return response


def _payment_origins(payment: PaymentRequest) -> list[str]:
    """The origins the pay page's form may lead to: what the provider names, and the origin of
    the payment page it gave for this request."""
    plugin = dict(providers.items()).get(payment.provider)
    if plugin is None or not plugin.online:
        return []
    origins = list(getattr(plugin, "payment_origins", ()))
    page = urlsplit(payment.payment_url)
    if page.scheme in ("http", "https") and page.netloc:
        origins.append(f"{page.scheme}://{page.netloc}")
    return sorted(set(origins))


def _ask_provider(payment: PaymentRequest) -> bool:
    """Ask the provider once for the transaction's status and apply the answer; False when
    the provider could not be asked."""
    provider = providers.get(payment.provider)
    try:
        info = provider.query(payment.transaction_id)
    except ProviderUnavailable:
        return False
    body = json.dumps(dataclasses.asdict(info), default=str).encode()
    notice = Notice(event_id=f"query:{info.transaction_id}:{info.status}", payment=info)
    services.apply(payment.provider, notice, body, cause=StatusChange.Cause.QUERY)
    payment.refresh_from_db()
    return True


@never_cache
@require_safe
def returned(request: HttpRequest, pk: Any) -> HttpResponseBase:
    """Where the provider sends the browser back. What the address says is not believed: an
    open payment is checked with the provider (once per visit)."""
    payment = access.viewable(request, pk)
    if isinstance(payment, HttpResponseRedirect):
        return payment
    asked = False
    if payment.is_open and payment.transaction_id and _online(payment):
        asked = _ask_provider(payment)
    return render(request, "payments/returned.html", _context(request, payment, asked=asked))


@never_cache
@require_safe
def receipt(request: HttpRequest, pk: Any) -> HttpResponseBase:
    payment = access.viewable(request, pk)
    if isinstance(payment, HttpResponseRedirect):
        return payment
    if payment.status != S.PAID:
        return redirect(access.url(payment))
    context = {**_context(request, payment), **receipts.receipt_context(payment)}
    return render(request, "payments/receipt.html", context)


@never_cache
@require_safe
def receipt_pdf(request: HttpRequest, pk: Any) -> HttpResponseBase:
    payment = access.viewable(request, pk)
    if isinstance(payment, HttpResponseRedirect):
        return payment
    if payment.status != S.PAID:
        return redirect(access.url(payment))
    response = HttpResponse(receipts.receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipts.receipt_filename(payment)}"'
    return response


@never_cache
@require_safe
def for_submission(request: HttpRequest, submission_id: Any) -> HttpResponseBase:
    """The payment page of the submission's open request (or the receipt of the paid one), for
    the applicant: the account that sent it or the browser that sent it (ADR 0048)."""
    submission = get_object_or_404(Submission, pk=submission_id)
    account = getattr(request.user, "account", None) if request.user.is_authenticated else None
    own = account is not None and submission.account_id == account.pk
    if not own and str(submission.pk) not in request.session.get(SESSION_SUBMISSIONS, []):
        if submission.account_id is not None and not request.user.is_authenticated:
            return to_login(request)
        record_refusal(request, Submission._meta.label, str(submission.pk))
        raise Http404("not this applicant's submission")
    requests = PaymentRequest.objects.filter(submission=submission).order_by("-created_at")
    payment = requests.filter(status__in=OPEN).first()
    target = "payments:pay"
    if payment is None:
        payment = requests.filter(status=PaymentRequest.Status.PAID).first()
        target = "payments:receipt"
    if payment is None:
        raise Http404("no payment for this submission")
    return HttpResponseRedirect(access.url(payment, target))

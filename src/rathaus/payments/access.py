"""Who may see a payment request's citizen pages (ADR 0051).

The account that owns it (the request's account, or the account of its submission or case)
when logged in; a payer without an account by a signed token in the address (``?t=…``), which
the pages, the provider's way back and the e-mail with the receipt link carry; or the browser
that has just sent the application (the form's session, as for the form's receipt). Anyone else
gets 404 — also staff, who work with payments on their own pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from rathaus.accounts.models import Account
from rathaus.core.redirects import to_login
from rathaus.core.refusals import record_refusal
from rathaus.forms.services import SESSION_SUBMISSIONS
from rathaus.payments.models import PaymentRequest

_SALT = "rathaus.payments.citizen"
QUERY_KEY = "t"  # the token's parameter in the address


def owner(payment: PaymentRequest) -> Account | None:
    """The account the request belongs to, if any."""
    account: Account | None = payment.account
    if account is None and payment.submission is not None:
        account = payment.submission.account
    if account is None and payment.case is not None:
        account = payment.case.applicant
    return account


def token(payment: PaymentRequest) -> str:
    """The token that opens the request's pages to a payer without an account."""
    return signing.Signer(salt=_SALT).signature(str(payment.pk))


def url(payment: PaymentRequest, name: str = "payments:pay") -> str:
    """The path of one of the request's pages; with the token when no account owns it."""
    path = reverse(name, args=[payment.pk])
    if owner(payment) is None:
        path += "?" + urlencode({QUERY_KEY: token(payment)})
    return path


def _account(request: HttpRequest) -> Account | None:
    if request.user.is_authenticated:
        account = getattr(request.user, "account", None)
        return account if isinstance(account, Account) else None
    return None


def viewable(request: HttpRequest, pk: Any) -> PaymentRequest | HttpResponseRedirect:
    """The request if this browser may see it; the way to the login for its owner when logged
    out; 404 for anyone else."""
    payment = get_object_or_404(
        PaymentRequest.objects.select_related(
            "authority", "submission__account", "case__applicant", "account"
        ),
        pk=pk,
    )
    account = owner(payment)
    if account is not None:
        mine = _account(request)
        if mine is not None and mine.pk == account.pk:
            return payment
        if not request.user.is_authenticated:
            return to_login(request)
    else:
        given = request.GET.get(QUERY_KEY) or request.POST.get(QUERY_KEY) or ""
        if given and constant_time_compare(given, token(payment)):
            return payment
        sent = request.session.get(SESSION_SUBMISSIONS, [])
        if payment.submission_id is not None and str(payment.submission_id) in sent:
            return payment
    record_refusal(request, PaymentRequest._meta.label, str(payment.pk))
    raise Http404("not this payer's payment")

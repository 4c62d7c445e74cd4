"""Citizen pages of payments that belong to an application (ADR 0048)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core.redirects import to_login
from rathaus.core.refusals import record_refusal
from rathaus.forms.models import Submission
from rathaus.forms.services import SESSION_SUBMISSIONS
from rathaus.payments.applications import OPEN
from rathaus.payments.models import PaymentRequest

SESSION_PAYMENTS = "rathaus_payments"
"""The payment requests the browser may open without an account (like the submissions)."""


@never_cache
@require_safe
def for_submission(request: HttpRequest, submission_id: Any) -> HttpResponseBase:
    """The payment page of the submission's open request (or the receipt of the paid one), for
    the applicant: the account that sent it or the browser that sent it."""
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
    if not own:
        allowed = request.session.get(SESSION_PAYMENTS, [])
        if str(payment.pk) not in allowed:
            request.session[SESSION_PAYMENTS] = [*allowed, str(payment.pk)][-20:]
    return redirect(target, payment.pk)

"""Fees of applications (ADR 0048): the payment asked for when a form with a fee is sent, the
case's process hearing of it (BPMN message ``payment_received``), and the service-task topic
``request_payment`` that asks for the fee later.

The forms and cases apps do not know payments: this module connects to their signals and fills
the seams of :mod:`rathaus.forms.fees` in ``PaymentsConfig.ready()``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.catalog.templatetags.catalog import euro
from rathaus.core.service_tasks import Context, HandlerFailed
from rathaus.forms import fees
from rathaus.payments import services
from rathaus.payments.models import PaymentRequest

logger = logging.getLogger(__name__)

S = PaymentRequest.Status
OPEN = (S.CREATED, S.PENDING, S.FAILED)
# the fee is settled: paid, or waived by staff (the request cancelled); the process goes on
SETTLED = (S.PAID, S.CANCELLED)
MESSAGE = "payment_received"


def price(authority: Any, code: str, quantity: int) -> list[fees.PricedLine]:
    """The fee table's price of ``quantity`` times ``code`` (first and further copies)."""
    try:
        items = services.fee_items(authority, code, quantity)
    except services.PaymentRefused as refused:
        raise LookupError(code) from refused
    return [
        fees.PricedLine(
            item.description, item.quantity, item.unit_cents, item.fee_basis, item.reference
        )
        for item in items
    ]


def _payer(submission: Any) -> tuple[Any, str, str]:
    account = submission.account
    if account is not None:
        user = account.user
        name = account.organisation_name or user.get_full_name() or user.get_username()
        return account, name, user.email or submission.contact_email
    return None, "", submission.contact_email


def request_fee(
    submission: Any, *, source: str, case: Any = None, actor: Any = None
) -> PaymentRequest | None:
    """The payment request for the fee the submission's form declares (idempotent on
    ``source``); None when nothing is to pay. Raises PaymentRefused when a fee-table code of the
    form has no price."""
    fee = fees.compute(submission.form_version, submission.data, submission.authority)
    if fee is None:
        return None
    if fee.unpriced:
        raise services.PaymentRefused(
            _("The fee table has no entry %(code)s.") % {"code": ", ".join(fee.unpriced)}
        )
    if fee.total_cents <= 0:
        return None
    account, name, email = _payer(submission)
    items = [
        services.ItemSpec(
            line.label, line.quantity, line.unit_cents, line.reference, line.fee_basis
        )
        for line in fee.lines
        if line.total_cents > 0
    ]
    request, _created = services.create_request(
        authority=submission.authority,
        items=items,
        purpose=f"{submission.form_version.title} {submission.reference}",
        submission=submission,
        case=case,
        account=account,
        payer_name=name,
        payer_email=email,
        source=source,
        actor=actor,
    )
    return request


# --- sending a form ----------------------------------------------------------------------------


def on_submission_stored(sender: Any, submission: Any, **kwargs: Any) -> None:
    """A form with a fee due at sending was sent: ask for the payment in the submission's
    transaction. A failure is logged and leaves the submission stored (staff or the process can
    ask later)."""
    version = submission.form_version
    if not fees.declared(version) or not fees.pay_now(version, submission.data):
        return
    try:
        with transaction.atomic():
            request_fee(submission, source=f"submission:{submission.pk}")
    except Exception:
        logger.exception("no payment request for submission %s", submission.reference)


def payment_link(submission: Any) -> str | None:
    """The applicant's way to pay for the submission, when a request of it is open."""
    if not PaymentRequest.objects.filter(submission=submission, status__in=OPEN).exists():
        return None
    return reverse("payments:for_submission", args=[submission.pk])


def mail_payment_link(submission: Any) -> str | None:
    """The absolute address of the open request's payment page, with its token, for an e-mail."""
    from rathaus.core.tenancy import portal_url
    from rathaus.payments import access

    request = (
        PaymentRequest.objects.filter(submission=submission, status__in=OPEN)
        .order_by("-created_at")
        .first()
    )
    return None if request is None else portal_url(request.authority, access.url(request))


def open_for_submission(submission: Any) -> bool:
    """Whether the case's process waits for the payment: the form asks for its fee when sending
    and no request of the submission is paid or waived. It fails safe: a fee that could not be
    asked for (an entry of the fee table missing meanwhile) counts as open, so nothing is worked
    on, and dispatched, unpaid."""
    requests = PaymentRequest.objects.filter(submission=submission)
    if requests.filter(status__in=SETTLED).exists():
        return False
    if requests.filter(status__in=(*OPEN, S.EXPIRED)).exists():
        return True
    version = submission.form_version
    if not fees.declared(version) or not fees.pay_now(version, submission.data):
        return False
    fee = fees.compute(version, submission.data, submission.authority)
    return fee is not None and (bool(fee.unpriced) or fee.total_cents > 0)


# --- the case and its process ------------------------------------------------------------------


def _record(case: Any, kind: str, request: PaymentRequest) -> None:
    from rathaus.cases.services import record_event

    detail = {"payment": str(request.pk), "amount_cents": request.amount_cents}
    record_event(case, kind, new=request.kassenzeichen, public=True, detail=detail)


def on_case_opened(sender: Any, case: Any, **kwargs: Any) -> None:
    """A case opened for a submission: its payment requests get the case, the timeline says so,
    and a paid one nudges the process (the payment may have come before the case)."""
    from rathaus.payments import tasks

    submission = case.submission
    if submission is not None and not PaymentRequest.objects.filter(submission=submission).exists():
        # asking at sending failed (logged there): ask again now, the same way (same source)
        on_submission_stored(None, submission)
    for request in services.link_case(case):
        if request.status in OPEN or request.status == S.PAID:
            _record(case, "payment_requested", request)
        if request.status == S.PAID:
            _record(case, "payment_received", request)
        if request.status in OPEN or request.status == S.PAID:
            tasks.nudge.enqueue(str(request.pk))


def on_status_changed(sender: Any, request: PaymentRequest, old: str, new: str, cause: str,
                      **kwargs: Any) -> None:  # fmt: skip
    """A request of an application was paid: the timeline says so, and a task tells the case's
    process after the commit."""
    from rathaus.payments import tasks

    if new == S.EXPIRED and request.case_id is not None:
        # the process keeps waiting: staff see it and waive the fee or close the case
        _record(request.case, "payment_expired", request)
    if new not in SETTLED or (request.case_id is None and request.submission_id is None):
        return
    if request.case_id is not None:
        kind = "payment_received" if new == S.PAID else "payment_waived"
        _record(request.case, kind, request)
    tasks.nudge.enqueue(str(request.pk))


def nudge(request_id: str) -> bool:
    """Tell the case's process that the fee is settled: paid, or waived (staff cancelled the
    request); True when a message was sent. The process takes it only where it waits for
    ``payment_received``."""
    from rathaus.cases.models import Case
    from rathaus.cases.signals import case_message

    request = PaymentRequest.objects.filter(pk=request_id).first()
    if request is None or request.status not in SETTLED:
        return False
    case = request.case
    if case is None and request.submission_id is not None:
        case = Case.objects.filter(submission_id=request.submission_id).first()
    if case is None:
        return False
    with transaction.atomic():
        case_message.send(sender=PaymentRequest, case=case, name=MESSAGE,
                          payload={"payment": str(request.pk)})  # fmt: skip
    return True


# --- the service task ----------------------------------------------------------------------------


def request_payment(context: Context) -> None:
    """Ask for the fee the case's form declares, computed from the answers (``pay_now_if`` does
    not matter here); sets the process data ``payment_open``. A fee already asked for at sending
    is not asked twice."""
    from rathaus.cases.services import CaseActionRefused, message_applicant

    case = context.case
    submission = case.submission
    if submission is None or not fees.declared(submission.form_version):
        raise HandlerFailed(_("The case's application declares no fee."))
    existing = (
        PaymentRequest.objects.filter(submission=submission, status__in=(*OPEN, S.PAID))
        .order_by("-created_at")
        .first()
    )
    try:
        request = existing or request_fee(
            submission, source=f"case:{case.pk}:fee", case=case, actor=context.actor
        )
    except services.PaymentRefused as refused:
        raise HandlerFailed(str(refused)) from None
    context.data["payment_open"] = request is not None and request.status != S.PAID
    if request is None or existing is not None:
        return
    _record(case, "payment_requested", request)
    if case.applicant_id is None:
        return
    link = context.portal_url + reverse("payments:for_submission", args=[submission.pk])
    body = _(
        "Please pay the fee of %(amount)s for your application %(reference)s (cash reference "
        "%(kassenzeichen)s): %(link)s"
    ) % {
        "amount": euro(request.amount_cents),
        "reference": submission.reference,
        "kassenzeichen": request.kassenzeichen,
        "link": link,
    }
    try:
        message_applicant(case, None, _("Please pay the fee"), body, context.portal_url)
    except CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def refund_payment(context: Context) -> None:
    """Pay back what the case's application paid and was not paid back yet (the register office
    cannot issue what was ordered); nothing paid, nothing to do. The provider is asked by the
    worker (an offline provider's refund waits for the cash office to pay it out)."""
    from rathaus.payments import refunds

    case = context.case
    paid = PaymentRequest.objects.filter(status=S.PAID).filter(
        models.Q(case=case) | models.Q(submission_id=case.submission_id, submission__isnull=False)
    )
    for request in paid:
        amount = refunds.refundable_cents(request)
        if amount > 0:
            refunds.refund(request, amount, user=context.actor,
                           note=_("The ordered service cannot be provided."))  # fmt: skip

"""Staff API of the cash office (/api/v1/payments/): payment requests with their items, status
history and refunds; recording money, cancelling and refunding (ADR 0049).

A staff member's personal API key acts with that person's rights, as on the pages
(:mod:`rathaus.payments.staff_access`): a request the person may not see is not found (404), an
action the person may not take is 403, a change the status table or the amounts refuse is a
409 problem with the German message the pages show.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from rathaus.cases.api import StaffKey
from rathaus.core.bounds import Day, Key, Text
from rathaus.core.problems import ProblemOut, problem
from rathaus.payments import refunds, services, staff_access
from rathaus.payments.models import PaymentRequest, Refund

router = Router(tags=["payments (staff)"], auth=StaffKey())

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_OFFSET = 100_000
MAX_CENTS = 10_000_000

PaymentStatus = Literal["created", "pending", "paid", "failed", "cancelled", "expired"]
RefundStatus = Literal["requested", "done", "failed"]
RefundReason = Literal["staff", "double", "cancelled"]
Cause = Literal["system", "provider", "query", "staff"]


class PaymentFilters(Schema):
    status: PaymentStatus | None = None
    provider: Key | None = Field(None, description="id of the provider, e.g. `invoice`")
    since: Day | None = Field(None, description="created on or after this day (local time)")
    until: Day | None = Field(None, description="created on or before this day (local time)")
    q: Text | None = Field(
        None, max_length=200, description="words of the cash reference, purpose or payer"
    )
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PaymentSummaryOut(Schema):
    id: uuid.UUID = Field(description="the request's id (XBezahldienste requestId)")
    kassenzeichen: str = Field(description="the cash reference")
    authority: str = Field(description="slug of the authority")
    purpose: str
    payer_name: str
    amount_cents: int
    currency: str
    status: PaymentStatus
    provider: str
    transaction_id: str
    payment_method: str
    case: str | None = Field(description="number of the case the request belongs to")
    submission: str | None = Field(description="reference of the application it belongs to")
    created_at: datetime.datetime
    due_at: datetime.datetime
    paid_at: datetime.datetime | None


class PaymentListOut(Schema):
    items: list[PaymentSummaryOut]
    total: int


class ItemOut(Schema):
    position: int
    description: str
    quantity: int
    unit_cents: int
    total_cents: int
    reference: str = Field(description="code of the fee table entry, if any")
    fee_basis: str


class StatusChangeOut(Schema):
    at: datetime.datetime
    from_status: PaymentStatus | None
    to_status: PaymentStatus
    cause: Cause
    actor: str | None = Field(description="the staff member who made the change")
    note: str


class RefundOut(Schema):
    id: int
    amount_cents: int
    reason: RefundReason
    status: RefundStatus
    note: str
    transaction_id: str
    created_at: datetime.datetime
    done_at: datetime.datetime | None


class PaymentOut(PaymentSummaryOut):
    items: list[ItemOut]
    history: list[StatusChangeOut]
    refunds: list[RefundOut]
    refundable_cents: int = Field(description="what may still be paid back")


class ReceivedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field("", max_length=500, description="e.g. paid at the cash desk")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field(min_length=1, max_length=500)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount_cents: int = Field(ge=1, le=MAX_CENTS, description="the amount to pay back, in cents")
    reason: Text = Field(min_length=1, max_length=500)


def _staff(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _label(user: Any) -> str | None:
    return str(user.get_full_name() or user.get_username()) if user is not None else None


def _summary(payment: PaymentRequest) -> dict[str, Any]:
    return {
        "id": payment.pk, "kassenzeichen": payment.kassenzeichen,
        "authority": payment.authority.slug, "purpose": payment.purpose,
        "payer_name": payment.payer_name, "amount_cents": payment.amount_cents,
        "currency": payment.currency, "status": payment.status, "provider": payment.provider,
        "transaction_id": payment.transaction_id, "payment_method": payment.payment_method,
        "case": payment.case.number if payment.case is not None else None,
        "submission": payment.submission.reference if payment.submission is not None else None,
        "created_at": payment.created_at, "due_at": payment.due_at, "paid_at": payment.paid_at,
    }  # fmt: skip


def _refund(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.pk, "amount_cents": refund.amount_cents, "reason": refund.reason,
        "status": refund.status, "note": refund.note, "transaction_id": refund.transaction_id,
        "created_at": refund.created_at, "done_at": refund.done_at,
    }  # fmt: skip


def _detail(payment: PaymentRequest) -> dict[str, Any]:
    body = _summary(payment)
    body["items"] = [
        {"position": i.position, "description": i.description, "quantity": i.quantity,
         "unit_cents": i.unit_cents, "total_cents": i.total_cents, "reference": i.reference,
         "fee_basis": i.fee_basis}
        for i in payment.items.order_by("position")
    ]  # fmt: skip
    body["history"] = [
        {"at": c.at, "from_status": c.from_status or None, "to_status": c.to_status,
         "cause": c.cause, "actor": _label(c.actor), "note": c.note}
        for c in payment.status_changes.select_related("actor").order_by("at", "pk")
    ]  # fmt: skip
    body["refunds"] = [_refund(r) for r in payment.refunds.order_by("created_at", "pk")]
    body["refundable_cents"] = refunds.refundable_cents(payment)
    return body


def _requests(request: HttpRequest) -> QuerySet[PaymentRequest]:
    return staff_access.visible_requests(_staff(request)).select_related(
        "authority", "case", "submission"
    )


def _find(request: HttpRequest, payment_id: uuid.UUID) -> PaymentRequest | HttpResponse:
    found = _requests(request).filter(pk=payment_id).first()
    if found is None:
        return problem(request, 404, "Not Found", "There is no payment request with this id "
                       "that you may see.")  # fmt: skip
    return found


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


@router.get(
    "",
    response={200: PaymentListOut, 401: ProblemOut, 422: ProblemOut},
    summary="Payment requests I may see, newest first",
)
def list_payments(request: HttpRequest, filters: Query[PaymentFilters]) -> Any:
    """The cash office sees every request of its authority, other staff those of the cases of
    their units. Filters: `status`, `provider`, `since`, `until` (the day it was created) and
    `q` (words of the cash reference, purpose or payer). Pages by `offset` and `limit`.
    """
    rows = _requests(request)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.provider:
        rows = rows.filter(provider=filters.provider)
    if filters.since:
        rows = rows.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        rows = rows.filter(created_at__lt=_day_start(filters.until + datetime.timedelta(days=1)))
    for word in (filters.q or "").split()[:10]:
        rows = rows.filter(
            Q(kassenzeichen__icontains=word) | Q(purpose__icontains=word)
            | Q(payer_name__icontains=word)
        )  # fmt: skip
    rows = rows.order_by("-created_at", "kassenzeichen")
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"items": [_summary(payment) for payment in page], "total": rows.count()}


@router.get(
    "/{uuid:payment_id}",
    response={200: PaymentOut, 401: ProblemOut, 404: ProblemOut},
    summary="One payment request with its items, status history and refunds",
)
def get_payment(request: HttpRequest, payment_id: uuid.UUID) -> Any:
    """The request as the cash office sees it: items, every status change with its cause,
    refunds and what may still be paid back. 404 for a request the key's user may not see."""
    found = _find(request, payment_id)
    if isinstance(found, HttpResponse):
        return found
    return _detail(found)


_ACTION_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 409: ProblemOut,
                  422: ProblemOut}  # fmt: skip


def _act(request: HttpRequest, payment_id: uuid.UUID, action: Any, status: int = 200) -> Any:
    found = _find(request, payment_id)
    if isinstance(found, HttpResponse):
        return found
    if not staff_access.may_act(_staff(request), found):
        return problem(request, 403, "Forbidden", "Only the cash office changes payments.")
    try:
        result = action(found)
    except services.PaymentRefused as refused:
        found.refresh_from_db()
        return problem(request, 409, "Conflict", str(refused), current_status=found.status)
    if status == 201:
        return Status(201, _refund(result))
    return _detail(_requests(request).get(pk=found.pk))


@router.post(
    "/{uuid:payment_id}/received",
    response={200: PaymentOut, **_ACTION_ERRORS},
    summary="Record that the money was received (at the desk, by transfer)",
)
def mark_received(request: HttpRequest, payment_id: uuid.UUID, body: ReceivedIn) -> Any:
    """The request becomes paid (cause `staff`). 409 when it is paid already or cancelled."""
    user = _staff(request)
    return _act(request, payment_id,
                lambda p: services.mark_received(p, user=user, note=body.note))  # fmt: skip


@router.post(
    "/{uuid:payment_id}/cancel",
    response={200: PaymentOut, **_ACTION_ERRORS},
    summary="Cancel an open payment request",
)
def cancel(request: HttpRequest, payment_id: uuid.UUID, body: CancelIn) -> Any:
    """The request is withdrawn (the fee waived, the application withdrawn). 409 when it is
    paid, cancelled or expired."""
    user = _staff(request)
    return _act(request, payment_id,
                lambda p: services.cancel(p, user=user, note=body.reason))  # fmt: skip


@router.post(
    "/{uuid:payment_id}/refunds",
    response={201: RefundOut, **_ACTION_ERRORS},
    summary="Pay (part of) a paid request back",
)
def refund(request: HttpRequest, payment_id: uuid.UUID, body: RefundIn) -> Any:
    """Records a refund of `amount_cents`; the provider is asked by the worker (an offline
    provider's refund stays `requested` until the cash office records it as paid out). 409 when
    the request is not paid or the amount is more than `refundable_cents`."""
    user = _staff(request)
    return _act(
        request, payment_id,
        lambda p: refunds.refund(p, body.amount_cents, user=user, note=body.reason), status=201,
    )  # fmt: skip

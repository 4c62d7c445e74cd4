"""The citizen's payments: the section of the GDPR data export, and what "My applications"
shows of them (through the ``payments`` template tags, so cases does not import payments)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from rathaus.accounts.models import Account
from rathaus.payments.models import PaymentItem, PaymentRequest, Refund

S = PaymentRequest.Status
SHOWN = (S.CREATED, S.PENDING, S.FAILED, S.PAID, S.EXPIRED)


def of_account(account: Account) -> QuerySet[PaymentRequest]:
    return PaymentRequest.objects.filter(
        Q(account=account) | Q(submission__account=account) | Q(case__applicant=account)
    ).distinct()


def by_submission(submission_ids: Iterable[Any]) -> dict[Any, list[PaymentRequest]]:
    """The open and paid requests of these submissions, oldest first (one query)."""
    found: dict[Any, list[PaymentRequest]] = {}
    rows = (
        PaymentRequest.objects.filter(submission_id__in=list(submission_ids), status__in=SHOWN)
        .select_related("submission", "case")
        .order_by("created_at", "pk")
    )
    for payment in rows:
        found.setdefault(payment.submission_id, []).append(payment)
    return found


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(account: Account) -> list[dict[str, Any]]:
    """The GDPR data export's section: the account's payment requests with their items and
    refunds (amounts in cents)."""
    requests = (
        of_account(account)
        .select_related("authority")
        .prefetch_related(
            Prefetch("items", queryset=PaymentItem.objects.order_by("position")),
            Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "kassenzeichen": payment.kassenzeichen,
            "authority": payment.authority.name,
            "purpose": payment.purpose,
            "description": payment.description,
            "amount_cents": payment.amount_cents,
            "currency": payment.currency,
            "status": payment.status,
            "payer_name": payment.payer_name,
            "payer_email": payment.payer_email,
            "payment_method": payment.payment_method,
            "transaction_id": payment.transaction_id,
            "created_at": _iso(payment.created_at),
            "due_at": _iso(payment.due_at),
            "paid_at": _iso(payment.paid_at),
            "items": [
                {
                    "description": item.description,
                    "quantity": item.quantity,
                    "unit_cents": item.unit_cents,
                    "total_cents": item.total_cents,
                    "fee_basis": item.fee_basis,
                }
                for item in payment.items.all()
            ],
            "refunds": [
                {
                    "amount_cents": refund.amount_cents,
                    "reason": refund.reason,
                    "status": refund.status,
                    "created_at": _iso(refund.created_at),
                    "done_at": _iso(refund.done_at),
                }
                for refund in payment.refunds.all()
            ],
        }
        for payment in requests
    ]

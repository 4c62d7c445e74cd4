"""Asking the providers about payments that stay pending (housekeeping, ADR 0047).

A notification can be lost or never sent, and a browser that came back proves nothing; so the
status of a request that is still pending a while after it was started is asked of the
provider (its active status query) and applied like a notification, with the cause "status
query" and the event id ``query:<transaction>:<status>`` (so one answer is applied once).
A provider that cannot be reached is logged and asked again in the next round.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.db.models import Q
from django.utils import timezone

from rathaus.payments import services
from rathaus.payments.models import PaymentRequest, StatusChange
from rathaus.payments.providers.base import (
    Notice,
    PaymentInformation,
    ProviderUnavailable,
    TransactionStatus,
    providers,
)

logger = logging.getLogger(__name__)

PENDING_FOR = dt.timedelta(minutes=1)  # asked once a request is pending this long
ASK_EVERY = dt.timedelta(minutes=2)  # and again after this long
BATCH = 200


def _body(notice: Notice) -> bytes:
    payment = notice.payment
    return json.dumps(
        {
            "eventId": notice.event_id,
            "paymentInformation": {
                "transactionId": payment.transaction_id,
                "status": str(payment.status),
                "grossAmountCents": payment.gross_amount_cents,
                "currency": payment.currency,
                "requestId": payment.request_id,
                "paymentMethod": payment.payment_method,
            },
        }
    ).encode()


def notice_for(payment: PaymentInformation) -> Notice:
    return Notice(
        event_id=f"query:{payment.transaction_id}:{payment.status}"[:100], payment=payment
    )


def poll_pending(now: dt.datetime | None = None) -> int:
    """Ask the provider about each request pending longer than :data:`PENDING_FOR`; returns how
    many answers changed a status."""
    now = now or timezone.now()
    due = (
        PaymentRequest.objects.filter(
            status=PaymentRequest.Status.PENDING, updated_at__lte=now - PENDING_FOR
        )
        .exclude(transaction_id="")
        .filter(Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=now - ASK_EVERY))
        .order_by("last_checked_at", "created_at")
        .values_list("pk", "provider", "transaction_id")[:BATCH]
    )
    changed = 0
    for pk, provider_id, transaction_id in due:
        try:
            provider = providers.get(provider_id)
        except LookupError:
            continue
        if not provider.online:
            continue
        try:
            payment = provider.query(transaction_id)
        except ProviderUnavailable as exc:
            logger.warning("payment %s: status query failed, asked again later: %s", pk, exc)
            continue
        # bookkeeping only, not a status change: when the provider was last asked
        PaymentRequest.objects.filter(pk=pk).update(last_checked_at=now)
        if payment.status == TransactionStatus.INITIAL:
            continue  # still open at the provider: nothing to apply
        notice = notice_for(payment)
        result = services.apply(provider_id, notice, _body(notice), cause=StatusChange.Cause.QUERY)
        if result.outcome == result.Outcome.APPLIED:
            changed += 1
    return changed

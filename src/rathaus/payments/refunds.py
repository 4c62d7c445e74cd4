"""Paying money back (ADR 0046): refunds by staff, and sending a refund to the provider.

Like :mod:`rathaus.payments.services`, these are the only functions that change refunds; each
takes the row lock of what it changes. A refund is its own record; the request stays paid.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.catalog.templatetags.catalog import euro
from rathaus.core import audit
from rathaus.payments.models import PaymentRequest, Refund
from rathaus.payments.services import PaymentRefused, after_refund_created, locked, provider_for

S = PaymentRequest.Status


def refundable_cents(request: PaymentRequest) -> int:
    """What staff may still pay back: the amount paid less the staff refunds not failed."""
    if request.status != S.PAID:
        return 0
    refunded = sum(
        request.refunds.filter(reason=Refund.Reason.STAFF)
        .exclude(status=Refund.Status.FAILED)
        .values_list("amount_cents", flat=True)
    )
    return max(request.amount_cents - refunded, 0)


def refund(request: PaymentRequest, amount_cents: int, *, user: Any, note: str) -> Refund:
    """Staff pay (part of) a paid request back; the provider is asked by the worker."""
    with transaction.atomic():
        current = locked(request)
        if amount_cents <= 0:
            raise PaymentRefused(_("The amount to pay back must be more than 0."))
        available = refundable_cents(current)
        if amount_cents > available:
            raise PaymentRefused(
                _("At most %(amount)s can be paid back.") % {"amount": euro(available)}
            )
        if not note.strip():
            raise PaymentRefused(_("Please give the reason for the refund."))
        created = Refund.objects.create(
            request=current,
            amount_cents=amount_cents,
            reason=Refund.Reason.STAFF,
            note=note[:500],
            transaction_id=current.transaction_id,
            created_by=user,
        )
        audit.record("payment.refund_requested", actor=user, authority=current.authority,
                     obj=current, details={"refund": created.pk,
                                           "amount_cents": amount_cents})  # fmt: skip
        after_refund_created(created)
    return created


def settle_refund(refund_id: int) -> Refund:
    """Ask the provider to pay a requested refund back (the worker task's work)."""
    refund_row = Refund.objects.select_related("request").get(pk=refund_id)
    if refund_row.status != Refund.Status.REQUESTED:
        return refund_row
    provider = provider_for(refund_row.request)
    result = provider.refund(
        refund_row.transaction_id or refund_row.request.transaction_id,
        refund_row.amount_cents,
        f"{refund_row.request.kassenzeichen}-R{refund_row.pk}",
    )
    with transaction.atomic():
        current = Refund.objects.select_for_update().get(pk=refund_id)
        if current.status != Refund.Status.REQUESTED:
            return current
        current.provider_refund_id = result.refund_id[:100]
        fields = ["provider_refund_id"]
        if result.done:
            current.status = Refund.Status.DONE
            current.done_at = timezone.now()
            fields += ["status", "done_at"]
        current.save(update_fields=fields)
        audit.record("payment.refunded" if result.done else "payment.refund_sent",
                     actor_name="system", authority=current.request.authority,
                     obj=current.request, details={"refund": current.pk})  # fmt: skip
    return current


def refund_paid_out(refund_row: Refund, *, user: Any) -> Refund:
    """Staff record that the cash office paid a refund back itself (by transfer or in cash):
    for a provider that takes no online payment, whose refunds stay requested."""
    with transaction.atomic():
        # the refund's row only; its payment request is read along, not locked
        current = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("request")
            .get(pk=refund_row.pk)
        )
        if current.status != Refund.Status.REQUESTED:
            raise PaymentRefused(_("This refund is already recorded as paid back or failed."))
        if provider_for(current.request).online:
            raise PaymentRefused(
                _("The provider pays this refund back; it cannot be recorded by hand.")
            )
        current.status = Refund.Status.DONE
        current.done_at = timezone.now()
        current.save(update_fields=["status", "done_at"])
        audit.record(
            "payment.refunded",
            actor=user,
            authority=current.request.authority,
            obj=current.request,
            details={"refund": current.pk, "amount_cents": current.amount_cents},
        )
    return current

"""The only functions that change payments (ADR 0046).

Every change takes the payment request's row lock and checks the status table
(:mod:`rathaus.payments.workflow`); every status change leaves a :class:`StatusChange` and an
audit event with ids and amounts only. A provider is called outside any transaction: its
answer is then applied under the lock, so a slow provider holds no row.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit, sequences
from rathaus.core.models import Authority
from rathaus.payments import workflow
from rathaus.payments.models import (
    CashOffice,
    Fee,
    Notification,
    PaymentItem,
    PaymentRequest,
    Refund,
    StatusChange,
)
from rathaus.payments.providers.base import (
    Item,
    Notice,
    PaymentInformation,
    Provider,
    Requestor,
    TransactionStatus,
    XPaymentRequest,
    providers,
)
from rathaus.payments.signals import payment_status_changed

logger = logging.getLogger(__name__)

S = PaymentRequest.Status
Outcome = Notification.Outcome

# what a provider's transaction status means for the request
STATUS_FOR = {
    TransactionStatus.INITIAL: S.PENDING,
    TransactionStatus.PAYED: S.PAID,
    TransactionStatus.FAILED: S.FAILED,
    TransactionStatus.CANCELED: S.FAILED,
    TransactionStatus.TIMEOUT: S.FAILED,
}

_PATTERN_CHARS = re.compile(r"^[0-9A-Za-z./\-]+$")


class PaymentRefused(Exception):
    """A change that is not possible; the message (German) is for the person who asked."""


@dataclass(frozen=True)
class ItemSpec:
    description: str
    quantity: int
    unit_cents: int
    reference: str = ""
    fee_basis: str = ""

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents


def cash_office(authority: Authority) -> CashOffice:
    """The authority's cash office settings (made with the defaults when first asked)."""
    office, _created = CashOffice.objects.get_or_create(
        authority=authority, defaults={"provider": settings.RATHAUS_PAYMENT_PROVIDER}
    )
    return office


def provider_for(request: PaymentRequest) -> Provider:
    return providers.get(request.provider)


def fee_items(authority: Authority, code: str, copies: int = 1) -> list[ItemSpec]:
    """The items for ``copies`` copies of what the fee table lists under ``code``: the first at
    the full fee, further copies at the further-copy fee (one item each, when they differ)."""
    if copies < 1:
        raise PaymentRefused(_("At least one copy must be ordered."))
    fee = Fee.objects.filter(authority=authority, code=code, active=True).first()
    if fee is None:
        raise PaymentRefused(_("The fee table has no entry %(code)s.") % {"code": code})
    further = fee.amount_cents if fee.further_copy_cents is None else fee.further_copy_cents
    if further == fee.amount_cents:
        return [ItemSpec(fee.label, copies, fee.amount_cents, fee.code, fee.legal_basis)]
    items = [ItemSpec(fee.label, 1, fee.amount_cents, fee.code, fee.legal_basis)]
    if copies > 1:
        items.append(
            ItemSpec(
                _("%(label)s, further copy") % {"label": fee.label},
                copies - 1,
                further,
                fee.code,
                fee.legal_basis,
            )
        )
    return items


def kassenzeichen(office: CashOffice, year: int, number: int) -> str:
    value = office.kassenzeichen_pattern.format(year=year, number=number)
    if not _PATTERN_CHARS.match(value) or len(value) > 60:
        raise PaymentRefused(
            _("The pattern of the cash reference gives %(value)r, which is not allowed.")
            % {"value": value}
        )
    return value


def _next_kassenzeichen(office: CashOffice) -> str:
    year = timezone.localdate().year
    while True:
        number = sequences.next_value(sequences.scope("kassenzeichen", office.authority_id, year))
        value = kassenzeichen(office, year, number)
        # a pattern changed during the year may give a number already used: skip it
        if not PaymentRequest.objects.filter(kassenzeichen=value).exists():
            return value


def create_request(
    *,
    authority: Authority,
    items: Sequence[ItemSpec],
    purpose: str,
    description: str = "",
    submission: Any = None,
    case: Any = None,
    account: Any = None,
    payer_name: str = "",
    payer_email: str = "",
    source: str = "",
    actor: Any = None,
    provider: str = "",
) -> tuple[PaymentRequest, bool]:
    """Ask for a payment; returns (request, created). The same ``source`` gives the first
    request back. Refused for no items, a count below one or a total of 0."""
    if source:
        existing = PaymentRequest.objects.filter(source=source).first()
        if existing is not None:
            return existing, False
    if not items:
        raise PaymentRefused(_("A payment needs at least one item."))
    for item in items:
        if item.quantity < 1:
            raise PaymentRefused(_("The number of an item must be at least 1."))
        if item.unit_cents < 0:
            raise PaymentRefused(_("A price cannot be negative."))
    total = sum(item.total_cents for item in items)
    if total <= 0:
        raise PaymentRefused(_("There is nothing to pay: the amount is 0."))
    office = cash_office(authority)
    provider = provider or office.provider or settings.RATHAUS_PAYMENT_PROVIDER
    providers.get(provider)
    if case is not None and submission is None:
        submission = case.submission
    try:
        with transaction.atomic():
            request = PaymentRequest.objects.create(
                authority=authority,
                submission=submission,
                case=case,
                account=account,
                payer_name=payer_name[:200],
                payer_email=payer_email,
                kassenzeichen=_next_kassenzeichen(office),
                purpose=purpose[:140],
                description=description[:500],
                amount_cents=total,
                provider=provider,
                source=source,
                due_at=timezone.now() + dt.timedelta(days=office.days_to_pay),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            PaymentItem.objects.bulk_create(
                PaymentItem(
                    request=request,
                    position=position,
                    reference=item.reference,
                    description=item.description[:300],
                    quantity=item.quantity,
                    unit_cents=item.unit_cents,
                    total_cents=item.total_cents,
                    fee_basis=item.fee_basis[:300],
                )
                for position, item in enumerate(items, start=1)
            )
            StatusChange.objects.create(
                request=request, to_status=S.CREATED, cause=StatusChange.Cause.SYSTEM
            )
            audit.record(
                "payment.requested",
                actor=actor,
                actor_name=None if actor else "system",
                authority=authority,
                obj=request,
                details={"amount_cents": total, "provider": provider},
            )
    except IntegrityError:
        if source:
            existing = PaymentRequest.objects.filter(source=source).first()
            if existing is not None:
                return existing, False
        raise
    return request, True


def locked(request: PaymentRequest) -> PaymentRequest:
    """The request, read again under its row lock (inside a transaction)."""
    return PaymentRequest.objects.select_for_update().get(pk=request.pk)


def _move(
    request: PaymentRequest,
    new: str,
    *,
    cause: str,
    actor: Any = None,
    note: str = "",
    notification: Notification | None = None,
) -> None:
    """Change the status of a locked request (the caller checked the table)."""
    old = request.status
    request.status = new
    fields = ["status", "updated_at"]
    if new == S.PAID:
        request.paid_at = timezone.now()
        fields.append("paid_at")
    request.save(update_fields=fields)
    StatusChange.objects.create(
        request=request,
        from_status=old,
        to_status=new,
        cause=cause,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note[:500],
        notification=notification,
    )
    audit.record(
        f"payment.{new}",
        actor=actor,
        actor_name=None if actor else cause,
        authority=request.authority,
        obj=request,
        details={"from": old, "amount_cents": request.amount_cents},
    )
    payment_status_changed.send(PaymentRequest, request=request, old=old, new=new, cause=cause)


def x_request(request: PaymentRequest, *, redirect_url: str, notify_url: str) -> XPaymentRequest:
    """The request in XBezahldienste's shape, for the provider."""
    office = cash_office(request.authority)
    return XPaymentRequest(
        request_id=str(request.pk),
        request_timestamp=request.created_at,
        currency=request.currency,
        gross_amount_cents=request.amount_cents,
        purpose=f"{request.kassenzeichen} {request.purpose}"[:140],
        description=request.description,
        redirect_url=redirect_url,
        notify_url=notify_url,
        items=tuple(
            Item(
                id=str(item.position),
                description=item.description,
                quantity=item.quantity,
                single_amount_cents=item.unit_cents,
                gross_amount_cents=item.total_cents,
                reference=item.reference,
                fee_basis=item.fee_basis,
            )
            for item in request.items.all()
        ),
        requestor=Requestor(
            id=request.authority.slug, name=request.authority.name, cash_office=office.name
        ),
        kassenzeichen=request.kassenzeichen,
    )


def start(request: PaymentRequest, *, redirect_url: str, notify_url: str) -> str:
    """Open a transaction at the provider and return the page the payer goes to ("" when the
    provider takes no online payment). ProviderUnavailable passes through: nothing changed,
    the payer may try again."""
    if request.status not in (S.CREATED, S.PENDING, S.FAILED):
        raise PaymentRefused(_("This payment cannot be paid any more (%(status)s).")
                             % {"status": request.get_status_display()})  # fmt: skip
    provider = provider_for(request)
    if request.status == S.PENDING and request.payment_url and provider.online:
        return request.payment_url
    started = provider.start(x_request(request, redirect_url=redirect_url, notify_url=notify_url))
    with transaction.atomic():
        current = locked(request)
        if current.status == S.PAID:
            return ""
        if current.status not in (S.CREATED, S.PENDING, S.FAILED):
            # cancelled or expired while the provider was asked: the payer is not sent to pay
            raise PaymentRefused(
                _("This payment cannot be paid any more (%(status)s).")
                % {"status": current.get_status_display()}
            )
        current.transaction_id = started.transaction_id
        current.payment_url = started.redirect_url
        current.save(update_fields=["transaction_id", "payment_url", "updated_at"])
        if provider.online and workflow.allowed(current.status, S.PENDING):
            _move(current, S.PENDING, cause=StatusChange.Cause.SYSTEM,
                  note=f"transaction {started.transaction_id}")  # fmt: skip
    request.refresh_from_db()
    return started.redirect_url


def _find(provider_id: str, payment: PaymentInformation) -> PaymentRequest | None:
    query = PaymentRequest.objects.select_for_update()
    if payment.request_id:
        try:
            key = uuid.UUID(payment.request_id)
        except ValueError:
            key = None
        if key is not None:
            found = query.filter(pk=key, provider=provider_id).first()
            if found is not None:
                return found
    if payment.transaction_id:
        return query.filter(provider=provider_id, transaction_id=payment.transaction_id).first()
    return None


def record_rejected(provider_id: str, body: bytes, reason: str, *, event_id: str = "",
                    key_id: str = "") -> Notification:  # fmt: skip
    """Keep a notification that was not accepted (signature, key, time, form)."""
    logger.warning("payment notification from %s rejected: %s", provider_id, reason)
    return Notification.objects.create(
        provider=provider_id,
        event_id=event_id[:100],
        key_id=key_id[:60],
        body=body.decode("utf-8", errors="replace")[:100_000],
        outcome=Outcome.REJECTED,
        reason=reason[:500],
    )


def apply(provider_id: str, notice: Notice, body: bytes, *,
          cause: str = StatusChange.Cause.PROVIDER) -> Notification:  # fmt: skip
    """Apply a verified notification (or a status query's answer) at most once.

    Under the request's row lock: an unknown payment, a different amount or currency are
    recorded and not applied; an event id applied before is a duplicate; the status table
    decides the rest. Money reported for a request that is already paid by another
    transaction, or that was cancelled, is not counted: a refund is recorded for it.
    """
    payment = notice.payment
    text = body.decode("utf-8", errors="replace")[:100_000]
    base = {
        "provider": provider_id,
        "event_id": notice.event_id[:100],
        "key_id": notice.key_id[:60],
        "transaction_id": payment.transaction_id[:100],
        "status": str(payment.status),
        "body": text,
    }
    with transaction.atomic():
        request = _find(provider_id, payment)
        if request is None:
            return Notification.objects.create(
                **base, outcome=Outcome.UNKNOWN, reason="no payment request with this id"
            )
        if (
            notice.event_id
            and Notification.objects.filter(
                provider=provider_id,
                event_id=notice.event_id,
                request=request,
                outcome__in=[Outcome.APPLIED, Outcome.IGNORED],
            ).exists()
        ):
            return Notification.objects.create(**base, request=request, outcome=Outcome.DUPLICATE)
        amount = (payment.gross_amount_cents, payment.currency)
        if amount != (request.amount_cents, request.currency):
            return Notification.objects.create(
                **base,
                request=request,
                outcome=Outcome.REJECTED,
                reason=(
                    f"amount {payment.gross_amount_cents} {payment.currency} differs from "
                    f"{request.amount_cents} {request.currency}"
                ),
            )
        new = STATUS_FOR[payment.status]
        notification = Notification(**base, request=request, outcome=Outcome.IGNORED)
        if new == S.PAID and request.status in (S.PAID, S.CANCELLED):
            same = request.status == S.PAID and request.transaction_id == payment.transaction_id
            if same:
                notification.reason = "already paid"
                notification.save()
                return notification
            reason = Refund.Reason.DOUBLE if request.status == S.PAID else Refund.Reason.CANCELLED
            notification.outcome = Outcome.APPLIED
            notification.reason = f"money not counted: refund ({reason})"
            notification.save()
            _refund_extra(request, payment, reason)
            return notification
        if (
            new != S.PAID
            and payment.transaction_id
            and request.transaction_id
            and (payment.transaction_id != request.transaction_id)
        ):
            notification.reason = "an earlier attempt; the current one is another transaction"
            notification.save()
            return notification
        if new == S.PENDING and request.status != S.CREATED:
            # INITIAL arrives late (after FAILED, or out of order): a new attempt is started
            # by ``start``, never by a notification, so the final order does not matter
            notification.reason = f"a late INITIAL: the request is {request.status}"
            notification.save()
            return notification
        if not workflow.allowed(request.status, new):
            notification.reason = f"{request.status} → {new} not in the status table"
            notification.save()
            return notification
        notification.outcome = Outcome.APPLIED
        notification.save()
        if new == S.PAID:
            request.transaction_id = payment.transaction_id
            request.payment_method = payment.payment_method[:60]
            request.save(update_fields=["transaction_id", "payment_method", "updated_at"])
        _move(request, new, cause=cause, notification=notification)
        return notification


def _refund_extra(request: PaymentRequest, payment: PaymentInformation, reason: str) -> None:
    """Record a refund for money that must not be kept (once per transaction)."""
    if Refund.objects.filter(request=request, transaction_id=payment.transaction_id).exists():
        return
    refund = Refund.objects.create(
        request=request,
        amount_cents=payment.gross_amount_cents,
        reason=reason,
        transaction_id=payment.transaction_id,
        note=f"transaction {payment.transaction_id}",
    )
    audit.record("payment.refund_requested", actor_name="system", authority=request.authority,
                 obj=request, details={"refund": refund.pk, "amount_cents": refund.amount_cents,
                                       "reason": reason})  # fmt: skip
    after_refund_created(refund)


def after_refund_created(refund: Refund) -> None:
    """Send the refund to the provider after the commit (worker task, ADR 0021)."""
    from rathaus.payments import tasks

    tasks.send_refund.enqueue(refund.pk)


def mark_received(request: PaymentRequest, *, user: Any, note: str = "") -> PaymentRequest:
    """Staff record that the money arrived (at the desk, by transfer for an invoice)."""
    with transaction.atomic():
        current = locked(request)
        if current.status == S.PAID:
            raise PaymentRefused(_("This payment is already recorded as paid."))
        if not workflow.allowed(current.status, S.PAID):
            raise PaymentRefused(
                _("A payment that is %(status)s cannot be marked as paid.")
                % {"status": current.get_status_display()}
            )
        # the money came another way: an online transaction still open is not this payment,
        # so money it brings later is paid back (apply), not taken as the same payment
        current.transaction_id = ""
        current.payment_method = "staff"
        current.save(update_fields=["transaction_id", "payment_method", "updated_at"])
        _move(current, S.PAID, cause=StatusChange.Cause.STAFF, actor=user,
              note=note or _("Money received"))  # fmt: skip
    return current


def cancel(request: PaymentRequest, *, user: Any = None, note: str = "") -> PaymentRequest:
    """Withdraw an open request (the fee is waived, the application withdrawn)."""
    with transaction.atomic():
        current = locked(request)
        if not workflow.allowed(current.status, S.CANCELLED):
            raise PaymentRefused(
                _("A payment that is %(status)s cannot be cancelled.")
                % {"status": current.get_status_display()}
            )
        cause = StatusChange.Cause.STAFF if user else StatusChange.Cause.SYSTEM
        _move(current, S.CANCELLED, cause=cause, actor=user, note=note)
    return current


def expire_due(now: dt.datetime | None = None) -> int:
    """Expire the open requests whose time to pay is over (housekeeping)."""
    now = now or timezone.now()
    count = 0
    due = PaymentRequest.objects.filter(
        status__in=[S.CREATED, S.PENDING, S.FAILED], due_at__lt=now
    ).values_list("pk", flat=True)[:500]
    for pk in due:
        with transaction.atomic():
            current = PaymentRequest.objects.select_for_update().get(pk=pk)
            if current.due_at < now and workflow.allowed(current.status, S.EXPIRED):
                _move(current, S.EXPIRED, cause=StatusChange.Cause.SYSTEM)
                count += 1
    return count


def link_case(case: Any) -> list[PaymentRequest]:
    """Give the payment requests of the case's submission their case (when the case opens);
    returns every request of the submission."""
    if case.submission_id is None:
        return []
    requests = PaymentRequest.objects.filter(submission_id=case.submission_id)
    requests.filter(case__isnull=True).update(case=case, updated_at=timezone.now())
    return list(requests.order_by("created_at"))

"""The applicant hears that their payment arrived (ADR 0051): a mailbox message with the
payment confirmation as a PDF, or an e-mail with the link to it for a payer without an account.
Sent at most once per payment request: the audit entry ``payment.confirmation_sent`` is written
under the request's row lock in the same transaction as the message."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.catalog.templatetags.catalog import euro
from rathaus.core import audit, tenancy
from rathaus.core.models import AuditEvent
from rathaus.payments import access, receipts
from rathaus.payments.models import PaymentRequest

ACTION = "payment.confirmation_sent"


def on_status_changed(sender: Any, request: PaymentRequest, new: str, **kwargs: Any) -> None:
    """A request became paid: queue the confirmation in this transaction (ADR 0021)."""
    if new == PaymentRequest.Status.PAID:
        from rathaus.payments import tasks

        tasks.send_confirmation.enqueue(str(request.pk))


def describe(args: list[Any], kwargs: dict[str, Any]) -> str:
    """How the task list names the task."""
    kassenzeichen = (
        PaymentRequest.objects.filter(pk=args[0]).values_list("kassenzeichen", flat=True).first()
    )
    return _("Confirm the payment %(kassenzeichen)s to the applicant") % {
        "kassenzeichen": kassenzeichen or args[0]
    }


def _sent(payment: PaymentRequest) -> bool:
    return AuditEvent.objects.filter(
        action=ACTION, object_type=PaymentRequest._meta.label, object_id=str(payment.pk)
    ).exists()


def deliver(payment_id: str) -> str:
    """Send the confirmation of a paid request; "already sent", "sent" or why not."""
    from rathaus.accounts.mailbox import Attachment, send_message
    from rathaus.core.mail import send_mail

    payment = PaymentRequest.objects.select_related(
        "authority",
        "account__user",
        "submission__account__user",
        "case__applicant__user",
        "case__org_unit",
    ).get(pk=payment_id)
    if payment.status != PaymentRequest.Status.PAID:
        return "not paid"
    if _sent(payment):
        return "already sent"
    account = access.owner(payment)
    email = payment.payer_email or (payment.submission.contact_email if payment.submission else "")
    if account is None and not email:
        return "nobody to tell"
    pdf = receipts.receipt_pdf(payment) if account is not None else b""
    with transaction.atomic():
        PaymentRequest.objects.select_for_update().get(pk=payment.pk)
        if _sent(payment):
            return "already sent"
        amount = euro(payment.amount_cents)
        if account is not None:
            send_message(
                authority=payment.authority,
                account=account,
                subject=_("Payment received: %(kassenzeichen)s") % {
                    "kassenzeichen": payment.kassenzeichen},
                body=_(
                    "We have received your payment of %(amount)s for “%(purpose)s” on "
                    "%(date)s. The cash reference (Kassenzeichen) is %(kassenzeichen)s. The "
                    "attached payment confirmation lists what you paid for."
                )
                % {
                    "amount": amount,
                    "purpose": payment.purpose,
                    "date": timezone.localtime(payment.paid_at).strftime("%d.%m.%Y"),
                    "kassenzeichen": payment.kassenzeichen,
                },
                attachments=[Attachment(receipts.receipt_filename(payment), pdf)],
                sender_unit=payment.case.org_unit if payment.case else None,
                reference=payment.submission.reference if payment.submission else "",
            )  # fmt: skip
            to = "mailbox"
        else:
            send_mail(
                to=email,
                subject=_("Payment received"),
                template="payments/email/paid",
                context={
                    "payment": payment,
                    "receipt_url": tenancy.portal_url(
                        payment.authority, access.url(payment, "payments:receipt")
                    ),
                },
                authority=payment.authority,
            )
            to = "e-mail"
        audit.record(ACTION, actor_name="system", authority=payment.authority, obj=payment,
                     details={"to": to})  # fmt: skip
    return "sent"

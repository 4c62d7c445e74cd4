"""Payment requests, their items, their status history, the notifications received from the
providers, refunds, the authorities' fee tables and cash office settings.

Amounts are integer cents (EUR). A payment request's status changes only through
:mod:`rathaus.payments.services`, which checks :mod:`rathaus.payments.workflow` under the row
lock and writes a :class:`StatusChange` for every change.
"""

from __future__ import annotations

import uuid

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.immutable import Immutable
from rathaus.core.model_fields import acting_user, optional_link
from rathaus.core.models import Authority


class CashOffice(models.Model):
    """The cash office (Gemeindekasse) of an authority: how its cash references look, where
    money goes when paid by transfer, and which provider collects online payments."""

    authority = models.OneToOneField(
        Authority, on_delete=models.CASCADE, related_name="cash_office"
    )
    name = models.CharField(_("name"), max_length=200, default="Gemeindekasse")
    kassenzeichen_pattern = models.CharField(
        _("pattern of the cash reference"),
        max_length=60,
        default="{year}-{number:06d}",
        validators=[
            RegexValidator(
                r"\{number(:0?\d+d)?\}",
                _("The pattern must contain {number}, e.g. {year}-{number:06d}."),
            )
        ],
        help_text=_(
            "{year} is the year, {number} the running number of the year, "
            "{number:06d} the number with six digits. Letters, digits and - / . are allowed."
        ),
    )
    provider = models.CharField(
        _("online payment provider"),
        max_length=40,
        default="sandbox",
        help_text=_("The provider that collects online payments for this authority."),
    )
    account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    bank = models.CharField(_("bank"), max_length=200, blank=True)
    days_to_pay = models.PositiveSmallIntegerField(
        _("days to pay"),
        default=14,
        validators=[MinValueValidator(1)],
        help_text=_("An online payment not made within this many days expires."),
    )

    class Meta:
        verbose_name = _("cash office")
        verbose_name_plural = _("cash offices")

    def __str__(self) -> str:
        return f"{self.name} ({self.authority})"


class Fee(models.Model):
    """An entry of an authority's fee table: what one unit costs and what each further copy
    costs, with its legal basis (Gebührentarif)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="fees")
    code = models.SlugField(_("code"), max_length=60)
    label = models.CharField(_("label"), max_length=200)
    amount_cents = models.PositiveIntegerField(_("fee in cents"))
    further_copy_cents = models.PositiveIntegerField(
        _("fee of each further copy in cents"),
        null=True,
        blank=True,
        help_text=_("Empty: every copy costs the full fee."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fee table")
        ordering = ["authority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="fee_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def total_for(self, copies: int) -> int:
        """What ``copies`` copies cost together (the first at the full fee)."""
        if copies < 1:
            raise ValueError("at least one copy")
        further = self.amount_cents if self.further_copy_cents is None else self.further_copy_cents
        return self.amount_cents + (copies - 1) * further


class PaymentRequest(models.Model):
    """What someone is asked to pay for a submission or a case (XBezahldienste: a payment
    request with its requestId, amount, currency, purpose, items and requestor)."""

    class Status(models.TextChoices):
        CREATED = "created", _("created")
        PENDING = "pending", _("payment started")
        PAID = "paid", _("paid")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")
        EXPIRED = "expired", _("expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="payment_requests"
    )
    submission = models.ForeignKey(
        "forms.Submission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_requests",
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_requests",
    )
    account = optional_link("accounts.Account", related_name="payment_requests")
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_email = models.EmailField(_("e-mail of the payer"), blank=True)
    kassenzeichen = models.CharField(_("cash reference"), max_length=60, unique=True)
    purpose = models.CharField(_("purpose"), max_length=140)
    description = models.CharField(_("description"), max_length=500, blank=True)
    amount_cents = models.PositiveIntegerField(
        _("amount in cents"), validators=[MinValueValidator(1)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    provider = models.CharField(_("provider"), max_length=40)
    transaction_id = models.CharField(_("transaction of the provider"), max_length=100, blank=True)
    payment_url = models.CharField(_("payment page"), max_length=500, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=60, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CREATED, db_index=True
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text="What asked for the payment (submission:<id>, process:<id>:<task>); a "
        "second request from the same source gives the first one back.",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    due_at = models.DateTimeField(_("to be paid by"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True, db_index=True)
    last_checked_at = models.DateTimeField(_("last asked the provider"), null=True, blank=True)
    created_by = acting_user(_("created by"))

    class Meta:
        verbose_name = _("payment request")
        verbose_name_plural = _("payment requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="payment_source_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="payment_transaction_unique",
            ),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.kassenzeichen

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.CREATED, self.Status.PENDING, self.Status.FAILED)


class PaymentItem(models.Model):
    """One line of a payment request (XBezahldienste item): what is paid for, how many, at
    which price, on which fee basis."""

    request = models.ForeignKey(PaymentRequest, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    reference = models.CharField(_("fee code"), max_length=60, blank=True)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_cents = models.PositiveIntegerField(_("unit price in cents"))
    total_cents = models.PositiveIntegerField(_("amount in cents"))
    fee_basis = models.CharField(_("fee basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("payment item")
        verbose_name_plural = _("payment items")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="payment_item_position")
        ]

    def __str__(self) -> str:
        return self.description


class StatusChange(Immutable):
    """One change of a payment request's status, with what caused it."""

    class Cause(models.TextChoices):
        SYSTEM = "system", _("rathaus")
        PROVIDER = "provider", _("notification of the provider")
        QUERY = "query", _("status query at the provider")
        STAFF = "staff", _("staff")

    request = models.ForeignKey(
        PaymentRequest, on_delete=models.CASCADE, related_name="status_changes"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    actor = acting_user()
    note = models.CharField(_("note"), max_length=500, blank=True)
    notification = optional_link("payments.Notification")

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["request", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '–'} → {self.to_status}"


class Notification(Immutable):
    """A notification a provider sent to the webhook, kept as received, with what became of it.

    Every notification is kept, also a forged, replayed or duplicate one: the cash office can
    see what arrived. ``event_id`` is the provider's id of the notification; one event is
    applied at most once (ADR 0046).
    """

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        DUPLICATE = "duplicate", _("already applied")
        IGNORED = "ignored", _("no change (status table)")
        REJECTED = "rejected", _("rejected")
        UNKNOWN = "unknown", _("unknown payment")

    provider = models.CharField(_("provider"), max_length=40)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    event_id = models.CharField(_("notification id"), max_length=100, blank=True, db_index=True)
    key_id = models.CharField(_("key id"), max_length=60, blank=True)
    transaction_id = models.CharField(_("transaction"), max_length=100, blank=True)
    status = models.CharField(_("reported status"), max_length=20, blank=True)
    request = models.ForeignKey(
        PaymentRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    body = models.TextField(_("body as received"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id or '?'} {self.outcome}"


class Refund(models.Model):
    """Money paid back: a refund by staff, or a payment that must not be kept (paid twice, or
    paid for a cancelled request). Its own record; the request stays paid."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        DONE = "done", _("paid back")
        FAILED = "failed", _("failed")

    class Reason(models.TextChoices):
        STAFF = "staff", _("refund by staff")
        DOUBLE = "double", _("paid twice")
        CANCELLED = "cancelled", _("paid after cancellation")

    request = models.ForeignKey(PaymentRequest, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(
        _("amount in cents"), validators=[MinValueValidator(1)]
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    transaction_id = models.CharField(
        _("transaction paid back"),
        max_length=100,
        blank=True,
        help_text="The provider's transaction whose money is paid back.",
    )
    provider_refund_id = models.CharField(_("refund of the provider"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    done_at = models.DateTimeField(_("paid back"), null=True, blank=True, db_index=True)
    created_by = acting_user(_("created by"))

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["request", "transaction_id"],
                condition=~Q(reason="staff") & ~Q(transaction_id=""),
                name="refund_once_per_extra_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} −{self.amount_cents}"

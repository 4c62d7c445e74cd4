"""Exchanged submissions: destinations elsewhere and our own, the outbox, the inbox, the event log.

FIT-Connect's words are kept where they name the same thing: a *destination* is a receiving
endpoint of an authority (its id is a UUID, its public encryption key a JWK); a *submission*
is announced, its encrypted attachments are uploaded, then it is submitted with its encrypted
metadata and data; the receiver answers with *events* (signed security event tokens).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.model_fields import stored_file
from rathaus.core.models import Authority, OrgUnit
from rathaus.forms.models import Submission


class Destination(models.Model):
    """A destination of an authority elsewhere that we send submissions to."""

    destination_id = models.UUIDField(_("destination id"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="exchange_destinations",
        help_text=_("The authority here that stands for the receiver; it has no unit here."),
    )
    transport = models.CharField(_("transport"), max_length=40, default="fitconnect")
    submission_url = models.URLField(
        _("address of the exchange API"),
        max_length=500,
        help_text=_("The base address of the receiver's exchange API, e.g. "
                    "https://portal.example/api/v1/exchange"),
    )  # fmt: skip
    sender_token = models.CharField(
        _("sender token"), max_length=200, blank=True,
        help_text=_("The token the receiver issued to us (Authorization: Bearer)."),
    )  # fmt: skip
    encryption_key = models.JSONField(
        _("public encryption key"), help_text=_("JWK, RSA-OAEP-256, key_ops wrapKey")
    )
    signing_keys = models.JSONField(
        _("public signature keys"), default=list, help_text=_("JWKs (PS512, key_ops verify)")
    )
    leika_keys = models.JSONField(_("services (LeiKa keys)"), default=list)
    areas = models.JSONField(
        _("areas (ARS)"),
        default=list,
        help_text=_("Regional keys; a key covers every key that starts with it."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("destination elsewhere")
        verbose_name_plural = _("destinations elsewhere")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OwnDestination(models.Model):
    """A destination of this installation: submissions sent to it become cases here."""

    destination_id = models.UUIDField(_("destination id"), unique=True, default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=200)
    authority = models.ForeignKey(
        Authority, verbose_name=_("authority"), on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: the authority's responsibility rules choose the unit."),
    )
    leika_keys = models.JSONField(_("services (LeiKa keys)"), default=list)
    areas = models.JSONField(_("areas (ARS)"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("own destination")
        verbose_name_plural = _("own destinations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Sender(models.Model):
    """An installation or system allowed to send submissions to our destinations."""

    name = models.CharField(_("name"), max_length=200)
    token_sha256 = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("sender")
        verbose_name_plural = _("senders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Outgoing(models.Model):
    """A submission on its way to a destination elsewhere (the outbox)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENT = "sent", _("sent, no answer yet")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        STUCK = "stuck", _("stuck")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="outgoing")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="outgoing")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    submission_uuid = models.UUIDField(_("submission id"), null=True, blank=True, unique=True)
    case_uuid = models.UUIDField(_("case id"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    authentication_tags = models.JSONField(default=dict, blank=True)
    parts = models.JSONField(
        default=dict, blank=True,
        help_text="The encrypted parts (JWE) until sent, so a retry sends the same ciphertexts.",
    )  # fmt: skip
    callback_secret = models.CharField(max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("queued"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    settled_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing submission")
        verbose_name_plural = _("outgoing submissions")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.destination_id}"


class Incoming(models.Model):
    """A submission sent to one of our destinations (the inbox of exchanged submissions)."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("announced")
        SUBMITTED = "submitted", _("received, being checked")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    submission_uuid = models.UUIDField(_("submission id"), unique=True, default=uuid.uuid4)
    case_uuid = models.UUIDField(_("case id"), default=uuid.uuid4)
    destination = models.ForeignKey(
        OwnDestination, on_delete=models.PROTECT, related_name="incoming"
    )
    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, related_name="incoming")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ANNOUNCED
    )
    service_type = models.JSONField(default=dict, blank=True)
    announced_attachments = models.JSONField(default=list, blank=True)
    callback_url = models.URLField(max_length=500, blank=True)
    callback_secret = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(
        max_length=200, blank=True, help_text=_("The sender's Idempotency-Key of the announcement.")
    )
    encrypted_metadata = models.TextField(blank=True)
    encrypted_data = models.TextField(blank=True)
    submission = models.OneToOneField(
        Submission,
        on_delete=models.PROTECT,
        related_name="incoming",
        null=True,
        blank=True,
    )
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("announced"))
    submitted_at = models.DateTimeField(_("received"), null=True, blank=True)
    settled_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("incoming submission")
        verbose_name_plural = _("incoming submissions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="exchange_incoming_key_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.submission_uuid)


class IncomingAttachment(models.Model):
    """An encrypted attachment of an incoming submission, as uploaded (JWE compact)."""

    incoming = models.ForeignKey(Incoming, on_delete=models.CASCADE, related_name="attachments")
    attachment_id = models.UUIDField()
    file = stored_file()
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incoming", "attachment_id"], name="exchange_attachment_once"
            )
        ]

    def __str__(self) -> str:
        return str(self.attachment_id)


class Event(models.Model):
    """A security event token (SET) of the event log, issued by us or received."""

    class Direction(models.TextChoices):
        ISSUED = "issued", _("issued")
        RECEIVED = "received", _("received")

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    outgoing = models.ForeignKey(
        Outgoing, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    incoming = models.ForeignKey(
        Incoming, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    jti = models.UUIDField()
    kind = models.CharField(_("event"), max_length=40)
    token = models.TextField()
    verified = models.BooleanField(_("signature valid"), default=True)
    problem = models.TextField(_("problem"), blank=True)
    issued_at = models.DateTimeField(_("issued"))
    received_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("exchange event")
        verbose_name_plural = _("exchange events")
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["direction", "jti"], condition=Q(verified=True), name="exchange_event_once"
            ),
            models.CheckConstraint(
                condition=Q(outgoing__isnull=True) | Q(incoming__isnull=True),
                name="exchange_event_one_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.jti}"

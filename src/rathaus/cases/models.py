"""Submissions: the immutable record of what an applicant sent, stored before anything else."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import Authority


class Immutable(models.Model):
    """A row that is written once; changing or deleting it through the ORM is refused."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError(f"{type(self).__name__} records cannot be deleted one by one")


class ReferenceCounter(models.Model):
    """The last reference number given per authority and year (BAR-2026-000123)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "year"], name="reference_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.authority_id} {self.year}: {self.value}"


class Channel(models.TextChoices):
    WEB = "web", _("online form")
    API = "api", _("programming interface")


class Submission(Immutable):
    """What an applicant submitted, exactly as sent: form version, data, files, login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="submissions")
    offer = models.ForeignKey(
        "catalog.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_version = models.ForeignKey(
        "forms.FormVersion", on_delete=models.PROTECT, related_name="submissions"
    )
    data = models.JSONField(_("data"))
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    trust_level = models.CharField(_("login used"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    contact_email = models.EmailField(_("e-mail for the receipt"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    draft_id = models.UUIDField(null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_version", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="submission_unique_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SubmissionAttachment(Immutable):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    upload_id = models.UUIDField()
    field = models.CharField(_("question"), max_length=200)
    storage_name = models.CharField(max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha512 = models.CharField(_("SHA-512"), max_length=128)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class SubmissionEvent(Immutable):
    """Something that happened to a submission; appended, never changed."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RECEIPT_SENT = "receipt_sent", _("receipt sent")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=models.Q(kind__in=["submitted", "receipt_sent"]),
                name="submission_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind}"

"""Form definitions (versioned JSON Schema + layout), drafts, their files, and submissions.

A submission is the output of the form layer: what an applicant sent, immutable, stored before
anything else. Its tables keep their names from when the cases app owned them (ADR 0014).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.immutable import Immutable
from rathaus.core.model_fields import UploadRecord, acting_user, optional_link
from rathaus.core.models import Authority


class TrustRequirement(models.TextChoices):
    """Which login a form needs; ``none`` allows applying without an account."""

    NONE = "none", _("no login needed")
    BASIC = "basic", _("basic")
    SUBSTANTIAL = "substantial", _("substantial")
    HIGH = "high", _("high")


class FormDefinition(models.Model):
    """An online application of an authority; its content lives in numbered versions."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="forms")
    offer = optional_link("catalog.Offer", _("service offer"), related_name="forms")
    slug = models.SlugField(_("address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(
        _("retired"),
        null=True,
        blank=True,
        help_text=_("A retired form accepts no new applications; started drafts can be finished."),
    )

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "slug"], name="form_unique_slug")
        ]

    def __str__(self) -> str:
        return self.title

    def published_version(self) -> FormVersion | None:
        return self.versions.filter(status=FormVersion.Status.PUBLISHED).order_by("-number").first()


class FormVersion(models.Model):
    """One version of a form. Once published it never changes; drafts and submissions pin it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("in preparation")
        PUBLISHED = "published", _("published")
        SUPERSEDED = "superseded", _("replaced by a newer version")

    definition = models.ForeignKey(
        FormDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    schema = models.JSONField(_("data schema (JSON Schema)"))
    layout = models.JSONField(_("layout"))
    min_trust_level = models.CharField(
        _("login needed"),
        max_length=20,
        choices=TrustRequirement.choices,
        default=TrustRequirement.NONE,
    )
    fee_cents = models.PositiveIntegerField(_("fee in cents"), null=True, blank=True)
    fee_text = models.CharField(_("fee explanation"), max_length=300, blank=True)
    fee = models.JSONField(
        _("fee declaration"),
        default=dict,
        blank=True,
        help_text=_("The fee asked for online, computed from the answers (see docs/forms.md)."),
    )
    receipt_email_field = models.CharField(
        _("field with the applicant's e-mail address"),
        max_length=200,
        blank=True,
        help_text=_("Receipts go there when the applicant is not logged in."),
    )
    next_steps = models.TextField(
        _("what happens next"), blank=True, help_text=_("Shown on the receipt.")
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("For example a FIM schema id.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = acting_user()
    code_list_free_text = models.BooleanField(
        _("free text instead of missing code lists"),
        default=False,
        help_text=_(
            "Questions whose code list is not available are asked as free text; without this, "
            "the version cannot be published until the code lists are imported."
        ),
    )

    class Meta:
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and not self._state.adding:
            stored = FormVersion.objects.filter(pk=self.pk).values(
                "status", "schema", "layout", "fee"
            )
            before = stored.first()
            if (
                before is not None
                and before["status"] != self.Status.DRAFT
                and (
                    before["schema"] != self.schema
                    or before["layout"] != self.layout
                    or before["fee"] != self.fee
                )
            ):
                raise ValueError("a published form version cannot change")
        super().save(*args, **kwargs)


class CodeList(models.Model):
    """A genericode code list (XRepository), by its URN and version: codes with their labels."""

    urn = models.CharField(_("URN"), max_length=300)
    version = models.CharField(_("version"), max_length=100)
    name = models.CharField(_("name"), max_length=300)
    # [[code, label], ...] in the list's order
    codes = models.JSONField(_("codes"), default=list)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("code list")
        verbose_name_plural = _("code lists")
        ordering = ["urn", "version"]
        constraints = [
            models.UniqueConstraint(fields=["urn", "version"], name="code_list_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.urn} {self.version}"


class Draft(models.Model):
    """An application being filled in; saved after every step and resumable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="drafts")
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="drafts",
    )
    data = models.JSONField(_("answers"), default=dict)
    step = models.PositiveSmallIntegerField(_("current step"), default=0)
    prefill_consent = models.BooleanField(_("profile data offered with consent"), default=False)
    resume_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resume_expires_at = models.DateTimeField(_("resume link valid until"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    expires_at = models.DateTimeField(_("deleted after"), db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.version} {self.pk}"


class Upload(UploadRecord):
    """A checked file for a file question of a form; stored privately.

    Uploads through the pages belong to a draft. Uploads through the API have no draft: the
    random id is the client's handle, and a submission claims them by listing the ids.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    draft = models.ForeignKey(
        Draft, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads"
    )
    definition = models.ForeignKey(FormDefinition, on_delete=models.CASCADE, related_name="uploads")
    field = models.CharField(_("question"), max_length=200)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["created_at"]


class Channel(models.TextChoices):
    WEB = "web", _("online form")
    API = "api", _("programming interface")
    EXCHANGE = "exchange", _("handed over by another authority")


class Submission(Immutable):
    """What an applicant submitted, exactly as sent: form version, data, files, login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="submissions")
    offer = optional_link("catalog.Offer")
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    data = models.JSONField(_("data"))
    account = optional_link("accounts.Account", related_name="submissions")
    trust_level = models.CharField(_("login used"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    contact_email = models.EmailField(_("e-mail for the receipt"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), db_index=True)
    draft_id = models.UUIDField(null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "cases_submission"
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


class SubmissionAttachment(Immutable, UploadRecord):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    upload_id = models.UUIDField()
    field = models.CharField(_("question"), max_length=200)

    class Meta:
        db_table = "cases_submissionattachment"
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]


class SubmissionEvent(Immutable):
    """Something that happened to a submission; appended, never changed."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        RECEIPT_SENT = "receipt_sent", _("receipt sent")
        ROUTED = "routed", _("routed")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=40, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "cases_submissionevent"
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind"],
                condition=models.Q(kind__in=["submitted", "receipt_sent", "routed"]),
                name="submission_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind}"

"""Cases: the work on a submission in the responsible unit, its timeline, notes and documents."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.immutable import Immutable
from rathaus.core.model_fields import UploadRecord, acting_user, optional_link, stored_file
from rathaus.core.models import Authority
from rathaus.forms.models import Submission


class Case(models.Model):
    """A Vorgang: the work on one application in the responsible unit."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        IN_PROGRESS = "in_progress", _("in progress")
        WAITING = "waiting", _("waiting for the applicant")
        DECIDED = "decided", _("decided")
        CLOSED = "closed", _("closed")

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")

    OPEN = (Status.NEW, Status.IN_PROGRESS, Status.WAITING, Status.DECIDED)

    number = models.CharField(_("case number"), max_length=60, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="cases")
    org_unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases"
    )
    submission = models.OneToOneField(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    title = models.CharField(_("subject"), max_length=200)
    applicant = optional_link("accounts.Account", related_name="cases")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = optional_link(
        settings.AUTH_USER_MODEL, _("assigned to"), related_name="assigned_cases"
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    public_stage = models.CharField(
        _("stage for the applicant"),
        max_length=60,
        blank=True,
        help_text=_("A short word the applicant sees beside the status, e.g. “dispatched”."),
    )
    created_at = models.DateTimeField(_("received"))
    updated_at = models.DateTimeField(_("last change"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["org_unit", "status", "-created_at", "-id"], name="case_unit_list"
            ),
            models.Index(
                fields=["assignee", "status", "-created_at", "-id"], name="case_assignee_list"
            ),
            models.Index(fields=["status", "due_date"], name="case_due"),
            models.Index(fields=["-created_at", "-id"], name="case_created"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def status_for_applicant(self) -> str:
        """The status in the words of the applicant's pages ("waiting for you", not "for the
        applicant")."""
        return str(APPLICANT_STATUS.get(self.status, self.get_status_display()))

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()


APPLICANT_STATUS: dict[str, Any] = {
    Case.Status.NEW: _("received"),
    Case.Status.WAITING: _("waiting for your answer or documents"),
}


class CaseEvent(Immutable):
    """One entry of a case's timeline: who did what when, with old and new value."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=40)
    actor = acting_user()
    actor_label = models.CharField(_("by"), max_length=200)
    at = models.DateTimeField(_("time"))
    old = models.CharField(_("before"), max_length=200, blank=True)
    new = models.CharField(_("after"), max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    visible_to_applicant = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseNote(Immutable):
    """An internal note on a case; never shown to the applicant."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = acting_user(blank=False)
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class OutboxItem(models.Model):
    """A submission for an authority that is not served here; waits for the exchange."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting for transfer")
        SENT = "sent", _("sent")

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="outbox")
    target = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    created_at = models.DateTimeField(_("queued"))

    class Meta:
        verbose_name = _("outgoing submission")
        verbose_name_plural = _("outgoing submissions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.target_id}"


def _document_path(instance: Any, filename: str) -> str:
    """Where documents were kept before stored files (ADR 0019); old migrations name it."""
    return f"cases/{instance.case_id}/{uuid.uuid4().hex}.pdf"


class CaseDocument(Immutable):
    """A document the authority produced in a case (the decision, the Bescheid); never changed."""

    class Kind(models.TextChoices):
        DECISION = "decision", _("decision")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    file = stored_file()
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha512 = models.CharField(_("SHA-512"), max_length=128)
    created_at = models.DateTimeField(_("created"))
    created_by = acting_user(_("created by"), blank=False)

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(kind="decision"),
                name="case_document_one_decision",
            )
        ]

    def __str__(self) -> str:
        return self.filename


class RegisterRecord(models.Model):
    """The register data confirmed for a case, printed in its letter (the Meldebescheinigung).

    Filled by the configured register lookup (``cases.register``) or by the clerk who checked
    the register; a clerk may correct it until the decision is made.
    """

    class Source(models.TextChoices):
        STAFF = "staff", _("checked by staff in the register")
        EXTRACT = "extract", _("found in the register extract")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="register_record")
    first_name = models.CharField(_("first names"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    street = models.CharField(_("street and number"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=5)
    place = models.CharField(_("place"), max_length=100)
    moved_in_on = models.DateField(_("moved in on"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    confirmed_at = models.DateTimeField(_("confirmed"))
    confirmed_by = acting_user(_("confirmed by"))

    class Meta:
        verbose_name = _("register record")
        verbose_name_plural = _("register records")

    def __str__(self) -> str:
        return f"{self.first_name} {self.family_name}"


class DocumentRequest(models.Model):
    """A Nachforderung: the authority asks the applicant for documents that are missing."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        FULFILLED = "fulfilled", _("answered")
        WITHDRAWN = "withdrawn", _("withdrawn")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="document_requests")
    documents = models.TextField(_("documents requested"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    due_date = models.DateField(_("answer by"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"))
    requested_by = acting_user()  # fmt: skip
    fulfilled_at = models.DateTimeField(_("answered"), null=True, blank=True)
    comment = models.TextField(_("comment of the applicant"), blank=True)

    class Meta:
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")
        ordering = ["requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.documents[:40]}"


class CaseUpload(Immutable, UploadRecord):
    """A file the applicant sent later into the case, in answer to a document request."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="uploads")
    request = models.ForeignKey(DocumentRequest, on_delete=models.CASCADE, related_name="uploads")
    uploaded_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("document sent later")
        verbose_name_plural = _("documents sent later")
        ordering = ["uploaded_at", "pk"]

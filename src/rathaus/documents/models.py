"""The e-file: file plan subjects, files (Akten), documents, their versions and what happens to
them (who read them, when they were deleted).

A document's content is never overwritten: each change is a new :class:`Version` that names a
content-addressed stored file (ADR 0019) and keeps its SHA-256. A file's retention period starts
when it is closed and comes from its subject in the file plan; when it ends the file is either
destroyed (four-eyes, leaving a :class:`DeletionRecord` without content) or handed over to the
archive as an xdomea message.
"""

from __future__ import annotations

from datetime import date

from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.immutable import Immutable
from rathaus.core.model_fields import acting_user, optional_link, stored_file
from rathaus.core.models import Authority, OrgUnit


class Subject(models.Model):
    """An entry of the file plan (Aktenplan): the prefix of its files' numbers, how long they are
    kept after closing and what happens then."""

    class Disposal(models.TextChoices):
        DESTROY = "destroy", _("destroy")
        ARCHIVE = "archive", _("offer to the archive")

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="file_plan")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(
        _("file plan code"),
        max_length=30,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]+$", _("Letters, digits, dots and hyphens."))],
        help_text=_("The prefix of the file numbers (Aktenzeichen), e.g. 32.10."),
    )
    title = models.CharField(_("title"), max_length=200)
    retention_years = models.PositiveSmallIntegerField(
        _("retention period in years"),
        null=True,
        blank=True,
        help_text=_(
            "Counted from the end of the year in which a file is closed. Empty: a "
            "grouping entry that holds no files."
        ),
    )
    disposal = models.CharField(
        _("at the end of the period"),
        max_length=10,
        choices=Disposal.choices,
        default=Disposal.DESTROY,
    )
    legal_basis = models.CharField(_("legal basis of the period"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("file plan subject")
        verbose_name_plural = _("file plan")
        ordering = ["authority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "code"], name="subject_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def holds_files(self) -> bool:
        return self.retention_years is not None


class File(models.Model):
    """An Akte: the documents of one matter (usually one case), under one file plan subject."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")
        DESTROYED = "destroyed", _("destroyed")
        HANDED_OVER = "handed_over", _("handed over")

    class Origin(models.TextChoices):
        CASE = "case", _("case")
        STAFF = "staff", _("created by staff")
        IMPORT = "import", _("imported (xdomea)")

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="files")
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="files"
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("subject"), on_delete=models.PROTECT, related_name="files"
    )
    number = models.CharField(_("file number"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="efile",
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    origin_detail = models.CharField(_("received from"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = acting_user(_("created by"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = acting_user(_("closed by"))
    retention_ends_on = models.DateField(_("retention ends"), null=True, blank=True)
    hold_reason = models.CharField(_("legal hold"), max_length=300, blank=True)
    held_at = models.DateTimeField(_("held since"), null=True, blank=True)
    held_by = acting_user(_("held by"))

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "number"], name="file_number_unique")
        ]
        indexes = [
            models.Index(fields=["org_unit", "status", "-created_at"], name="file_unit_list"),
            models.Index(fields=["status", "retention_ends_on"], name="file_retention"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_held(self) -> bool:
        return bool(self.held_at)

    @property
    def is_gone(self) -> bool:
        """Destroyed or handed over: the file has no content here any more."""
        return self.status in (self.Status.DESTROYED, self.Status.HANDED_OVER)

    def retention_over(self, today: date | None = None) -> bool:
        """True from the day after the period's last day (``retention_ends_on``)."""
        if self.status != self.Status.CLOSED or self.retention_ends_on is None:
            return False
        return self.retention_ends_on < (today or timezone.localdate())

    @property
    def state_label(self) -> str:
        """The state in the words of the file list: held, retention running or ended, …"""
        if self.is_held and not self.is_gone:
            return str(_("legal hold"))
        if self.status == self.Status.CLOSED:
            if self.retention_over():
                return str(_("retention period ended"))
            return str(_("closed, retention running"))
        return str(self.get_status_display())


class Document(models.Model):
    """A document in a file: its metadata; the content is in its versions."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("application")
        ATTACHMENT = "attachment", _("evidence")
        LETTER = "letter", _("letter")
        DECISION = "decision", _("decision")
        RECEIPT = "receipt", _("receipt")
        MESSAGE = "message", _("message")
        NOTE = "note", _("file note")
        OTHER = "other", _("other")

    class Direction(models.TextChoices):
        INCOMING = "in", _("incoming")
        OUTGOING = "out", _("outgoing")
        INTERNAL = "internal", _("internal")

    file = models.ForeignKey(File, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    received_on = models.DateField(_("date received or sent"), null=True, blank=True)
    sender = models.CharField(_("sender"), max_length=200, blank=True)
    source = models.CharField(
        _("source"),
        max_length=120,
        blank=True,
        editable=False,
        help_text=_("What the document was filed from (submission, upload, decision …)."),
    )
    created_at = models.DateTimeField(_("filed"), default=timezone.now)
    created_by = acting_user(_("filed by"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source=""), name="document_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> Version | None:
        return self.versions.order_by("-number").first()


class Version(models.Model):
    """One version of a document's content; never changed or overwritten (only marked final,
    and its extracted text filled in by the worker)."""

    class TextStatus(models.TextChoices):
        PENDING = "pending", _("text not yet read")
        DONE = "done", _("text read")
        EMPTY = "empty", _("no text found")
        FAILED = "failed", _("text could not be read")
        NOT_APPLICABLE = "n/a", _("no text in this kind of file")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = stored_file()
    filename = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("media type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = acting_user(_("created by"))
    reason = models.CharField(_("reason for the change"), max_length=300, blank=True)
    final = models.BooleanField(_("final"), default=False)
    finalised_at = models.DateTimeField(_("marked final"), null=True, blank=True)
    finalised_by = acting_user(_("marked final by"))
    text = models.TextField(_("extracted text"), blank=True, editable=False)
    text_status = models.CharField(
        _("full text"), max_length=10, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    text_error = models.CharField(_("text error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Annotation(Immutable):
    """A remark on a document; the only change a document of a closed file may get."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="annotations")
    text = models.TextField(_("remark"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    created_by = acting_user(_("written by"), blank=False)

    class Meta:
        verbose_name = _("annotation")
        verbose_name_plural = _("annotations")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


class FileEvent(Immutable):
    """An entry of a file's history: created, document added, moved, closed, held, …"""

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("action"), max_length=40)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = acting_user()
    actor_label = models.CharField(_("by"), max_length=200)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("file event")
        verbose_name_plural = _("file events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.file_id} {self.kind}"


class AccessRecord(Immutable):
    """Someone viewed or downloaded a document version (Zugriffsprotokoll)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded")
        PREVIEW = "preview", _("previewed")
        API = "api", _("downloaded through the API")

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="access_records")
    document = optional_link(Document)
    version = optional_link(Version)
    version_number = models.PositiveIntegerField(_("version"), null=True, blank=True)
    document_title = models.CharField(_("document"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = acting_user(_("by"))
    user_label = models.CharField(_("by"), max_length=200)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["file", "-at"], name="access_file_time")]

    def __str__(self) -> str:
        return f"{self.user_label} {self.action} {self.document_title}"


class DeletionRequest(models.Model):
    """A request to destroy a file whose retention ended; a second person must approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved and carried out")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="deletion_requests")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = acting_user(_("requested by"), blank=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = acting_user(_("decided by"))
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["file"], condition=models.Q(status="pending"), name="deletion_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_id} {self.status}"


class DeletionRecord(Immutable):
    """What was destroyed, when, by whom and on which legal basis — but none of the content."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    file_number = models.CharField(_("file number"), max_length=80)
    subject_code = models.CharField(_("file plan code"), max_length=30)
    subject_title = models.CharField(_("subject"), max_length=200)
    documents = models.PositiveIntegerField(_("documents"))
    versions = models.PositiveIntegerField(_("versions"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    retention_ends_on = models.DateField(_("retention ended"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    requested_by_label = models.CharField(_("requested by"), max_length=200)
    approved_by_label = models.CharField(_("approved by"), max_length=200)
    kept_elsewhere = models.PositiveIntegerField(
        _("contents kept elsewhere"),
        default=0,
        help_text=_(
            "Contents of the file that other records still held (e.g. the attachments of the "
            "case's application); they are deleted with those records."
        ),
    )
    destroyed_at = models.DateTimeField(_("destroyed"), default=timezone.now)

    class Meta:
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion records")
        ordering = ["-destroyed_at", "-pk"]

    def __str__(self) -> str:
        return self.file_number

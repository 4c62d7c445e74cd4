"""The end of a file's retention period: listing files that are due, and destroying them with
the approval of a second person (four-eyes, ADR 0044).

The period starts when a file is closed (:func:`rathaus.documents.services.close`). A daily
housekeeping job notes each file whose period ended once in its history and tells the heads of
its unit by e-mail. A clerk requests the deletion of a due file; a head of the unit (or an
administrator) other than the requester approves it, and the file is destroyed in the same
transaction: its documents, versions and annotations are deleted, the stored contents released,
the file row stays with its number and the status "destroyed", and a :class:`DeletionRecord`
says what was destroyed, when, by whom and on which legal basis. A legal hold stops requesting
and approving; files whose subject says "offer to the archive" are never destroyed here (they
are handed over as xdomea messages).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import files, roles
from rathaus.core.models import Membership, StoredFile
from rathaus.core.tenancy import portal_url
from rathaus.documents import access
from rathaus.documents.models import (
    AccessRecord,
    Annotation,
    DeletionRecord,
    DeletionRequest,
    Document,
    File,
    FileEvent,
    Subject,
    Version,
)
from rathaus.documents.services import FileRefused, locked, record_event, user_label

RETENTION_ENDED = "retention_ended"


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def ended(today: dt.date | None = None) -> QuerySet[File]:
    """Closed files whose retention period ended (its last day has passed) and that no legal
    hold keeps."""
    return File.objects.filter(
        status=File.Status.CLOSED,
        retention_ends_on__lt=_today(today),
        held_at__isnull=True,
    ).select_related("subject", "org_unit")


def to_destroy(files_: QuerySet[File]) -> QuerySet[File]:
    return files_.filter(subject__disposal=Subject.Disposal.DESTROY)


def to_archive(files_: QuerySet[File]) -> QuerySet[File]:
    """Files to offer to the archive: they leave through the xdomea hand-over, not here."""
    return files_.filter(subject__disposal=Subject.Disposal.ARCHIVE)


def with_pending_request(files_: QuerySet[File]) -> QuerySet[File]:
    pending = DeletionRequest.objects.filter(
        file=OuterRef("pk"), status=DeletionRequest.Status.PENDING
    )
    return files_.annotate(deletion_pending=Exists(pending))


# --- the daily job ------------------------------------------------------------------------------


def mark_due(today: dt.date | None = None) -> int:
    """Note once in each file's history that its retention ended, and tell the heads of its unit
    by e-mail (one e-mail per unit and run). Returns the number of files newly noted."""
    noted = FileEvent.objects.filter(file=OuterRef("pk"), kind=RETENTION_ENDED)
    fresh = list(
        ended(today)
        .annotate(noted=Exists(noted))
        .filter(noted=False)
        .order_by("org_unit", "number")
    )
    by_unit: dict[int, list[File]] = defaultdict(list)
    for file in fresh:
        with transaction.atomic():
            row = locked(file)
            if FileEvent.objects.filter(file=row, kind=RETENTION_ENDED).exists():
                continue
            ends = row.retention_ends_on
            record_event(
                row,
                RETENTION_ENDED,
                None,
                retention_ends_on=ends.isoformat() if ends else "",
                disposal=row.subject.disposal,
            )
            by_unit[row.org_unit_id].append(row)
    for rows in by_unit.values():
        _tell_heads(rows)
    return sum(len(rows) for rows in by_unit.values())


def _tell_heads(rows: list[File]) -> None:
    from rathaus.core.mail import send_mail

    unit = rows[0].org_unit
    heads = Membership.objects.filter(org_unit=unit, role__name=roles.HEAD).select_related("user")
    addresses = sorted({m.user.email for m in heads if m.user.email and m.user.is_active})
    link = portal_url(unit.authority, "/verwaltung/akten/aussonderung/")
    for address in addresses:
        with transaction.atomic():
            send_mail(
                to=address,
                subject=_("Files of %(unit)s whose retention period ended") % {"unit": unit.name},
                template="documents/email/retention_ended",
                context={
                    "unit": unit,
                    "destroy": [f for f in rows if f.subject.disposal == Subject.Disposal.DESTROY],
                    "archive": [f for f in rows if f.subject.disposal == Subject.Disposal.ARCHIVE],
                    "link": link,
                },
                authority=unit.authority,
                language=settings.LANGUAGE_CODE,
            )


# --- four eyes ----------------------------------------------------------------------------------


def refusal(file: File, today: dt.date | None = None) -> str:
    """Why the file may not be destroyed now, in words for the clerk; empty when it may."""
    if file.is_gone:
        return _("This file has been destroyed or handed over.")
    if file.is_held:
        return _(
            "A legal hold keeps this file (%(reason)s); it cannot be deleted while it lasts."
        ) % {"reason": file.hold_reason}
    if file.subject.disposal == Subject.Disposal.ARCHIVE:
        return _(
            "Files of this subject are offered to the archive at the end of their retention "
            "period; they are handed over, not destroyed."
        )
    if not file.retention_over(_today(today)):
        return _("The retention period of this file has not ended yet.")
    return ""


def _require_destroyable(file: File, today: dt.date | None) -> None:
    reason = refusal(file, today)
    if reason:
        raise FileRefused(reason)


def request_deletion(
    file: File, user: Any, reason: str = "", *, today: dt.date | None = None
) -> DeletionRequest:
    """Ask for the file to be destroyed; a second person must approve."""
    with transaction.atomic():
        file = locked(file)
        if not access.visible_files(user).filter(pk=file.pk).exists():
            raise FileRefused(_("You do not work on this file."))
        _require_destroyable(file, today)
        if DeletionRequest.objects.filter(
            file=file, status=DeletionRequest.Status.PENDING
        ).exists():
            raise FileRefused(_("The deletion of this file has already been requested."))
        request = DeletionRequest.objects.create(file=file, requested_by=user, reason=reason[:300])
        record_event(file, "deletion_requested", user, request=request.pk, reason=request.reason)
    return request


def _pending(request: DeletionRequest) -> tuple[DeletionRequest, File]:
    """The request and its file, both locked; refused unless the request still waits."""
    file = locked(request.file)
    request = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DeletionRequest.Status.PENDING:
        raise FileRefused(_("This request has been decided or withdrawn already."))
    return request, file


def _require_second_person(request: DeletionRequest, file: File, user: Any) -> None:
    if request.requested_by_id == getattr(user, "pk", None):
        raise FileRefused(
            _("You requested this deletion yourself; another person must decide on it.")
        )
    if not access.manages(user, file):
        raise FileRefused(
            _("Only the head of the file's unit or an administrator may decide on a deletion.")
        )


def _decide(request: DeletionRequest, user: Any, status: str, note: str) -> None:
    request.status = status
    request.decided_at = timezone.now()
    request.decided_by = user
    request.decision_note = note.strip()[:300]
    request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])


def approve(
    request: DeletionRequest, user: Any, note: str = "", *, today: dt.date | None = None
) -> DeletionRecord:
    """The second person approves: the file is destroyed at once, in this transaction."""
    with transaction.atomic():
        request, file = _pending(request)
        _require_second_person(request, file, user)
        _require_destroyable(file, today)
        _decide(request, user, DeletionRequest.Status.APPROVED, note)
        record_event(file, "deletion_approved", user, request=request.pk)
        record = _destroy(file, request, user)
    return record


def reject(request: DeletionRequest, user: Any, note: str = "") -> DeletionRequest:
    with transaction.atomic():
        request, file = _pending(request)
        _require_second_person(request, file, user)
        _decide(request, user, DeletionRequest.Status.REJECTED, note)
        record_event(
            file, "deletion_rejected", user, request=request.pk, note=request.decision_note
        )
    return request


def withdraw(request: DeletionRequest, user: Any) -> DeletionRequest:
    """The requester (or a head of the unit) takes the request back."""
    with transaction.atomic():
        request, file = _pending(request)
        own = request.requested_by_id == getattr(user, "pk", None)
        if not own and not access.manages(user, file):
            raise FileRefused(_("Only the person who asked for it may withdraw this request."))
        _decide(request, user, DeletionRequest.Status.WITHDRAWN, "")
        record_event(file, "deletion_withdrawn", user, request=request.pk)
    return request


# --- destroying ---------------------------------------------------------------------------------


def _destroy(file: File, request: DeletionRequest, approver: Any) -> DeletionRecord:
    """Delete the file's content and keep its number, state and a deletion record.

    A stored content that another record still points to (the same stored file as an
    attachment of the case's application, or the same bytes stored by someone else) stays
    until that record goes; the deletion record counts such contents honestly.
    """
    documents = Document.objects.filter(file=file)
    versions = Version.objects.filter(document__file=file)
    stored_ids = list(versions.values_list("file_id", flat=True))
    keys = set(StoredFile.objects.filter(pk__in=stored_ids).values_list("key", flat=True))
    counts = {"documents": documents.count(), "versions": len(stored_ids)}
    # The access log stays (who read the file, when), without the documents' titles.
    AccessRecord.objects.filter(file=file).update(document_title="")
    for event in FileEvent.objects.filter(file=file, detail__has_key="title"):
        detail = {k: v for k, v in event.detail.items() if k != "title"}
        FileEvent.objects.filter(pk=event.pk).update(detail=detail)
    Annotation.objects.filter(document__file=file).delete()
    versions.delete()
    documents.delete()
    files.release(stored_ids)
    kept = StoredFile.objects.filter(key__in=keys).values("key").distinct().count()
    record = DeletionRecord.objects.create(
        authority_id=file.authority_id,
        file_number=file.number,
        subject_code=file.subject.code,
        subject_title=file.subject.title,
        documents=counts["documents"],
        versions=counts["versions"],
        closed_at=file.closed_at,
        retention_ends_on=file.retention_ends_on,
        legal_basis=file.subject.legal_basis
        or _("Retention period of file plan entry %(code)s") % {"code": file.subject.code},
        requested_by_label=user_label(request.requested_by),
        approved_by_label=user_label(approver),
        kept_elsewhere=kept,
    )
    file.status = File.Status.DESTROYED
    file.title = ""
    file.save(update_fields=["status", "title"])
    record_event(
        file, "file_destroyed", approver, record=record.pk, requested_by=record.requested_by_label,
        kept_elsewhere=kept, **counts,
    )  # fmt: skip
    return record

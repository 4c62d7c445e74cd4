"""The only place that changes the e-file: files, documents, versions, holds and closing.

Every change locks the file row (``select_for_update``), checks that the file may still be
changed, writes the change, a :class:`~rathaus.documents.models.FileEvent` and an audit entry in
one transaction. A document of a closed file is never changed again, only annotated. A new
version never replaces an old one: versions of a document are numbered under the document's
lock, so two uploads at once are both kept, one after the other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.files import StoredFile
from rathaus.core.models import Authority, OrgUnit
from rathaus.core.sequences import next_value, scope
from rathaus.documents.models import (
    AccessRecord,
    Annotation,
    DeletionRequest,
    Document,
    File,
    FileEvent,
    Subject,
    Version,
)

if TYPE_CHECKING:
    from rathaus.cases.models import Case

UNASSIGNED_CODE = "0"
"""The subject that takes the files of units without a subject of their own in the file plan."""
UNASSIGNED_RETENTION_YEARS = 10


class FileRefused(Exception):
    """A change the file's state does not allow (closed, destroyed, held …); the message says
    why in words for the clerk."""


@dataclass(frozen=True)
class NewContent:
    """The content of a new version: a stored file (checked upload or made by rathaus) and the
    name it is shown with."""

    stored: StoredFile
    filename: str = ""

    @property
    def name(self) -> str:
        return self.filename or self.stored.name


# --- the file plan ------------------------------------------------------------------------------


def unassigned_subject(authority: Authority) -> Subject:
    """The catch-all subject for files whose unit has no subject in the file plan yet."""
    subject, _created = Subject.objects.get_or_create(
        authority=authority,
        code=UNASSIGNED_CODE,
        defaults={
            "title": _("Not yet assigned in the file plan"),
            "retention_years": UNASSIGNED_RETENTION_YEARS,
            "disposal": Subject.Disposal.DESTROY,
        },
    )
    return subject


def subject_for_unit(unit: OrgUnit) -> Subject:
    """The unit's subject (its file plan code), or the catch-all one."""
    if unit.file_plan_code:
        found = Subject.objects.filter(
            authority_id=unit.authority_id, code=unit.file_plan_code, retention_years__isnull=False
        ).first()
        if found is not None:
            return found
    return unassigned_subject(unit.authority)


def retention_end(subject: Subject, closed: dt.datetime) -> dt.date | None:
    """The last day of the retention period: it runs from the end of the year of closing."""
    if subject.retention_years is None:
        return None
    year = timezone.localtime(closed).year + subject.retention_years
    return dt.date(year, 12, 31)


# --- files --------------------------------------------------------------------------------------


WORDS = ("title", "reason", "sender", "remarks", "text")
"""Details in people's words (a document's title, a reason): kept in the file's history, which
a destruction clears, never in the audit log, which keeps its entries for good."""


def record_event(file: File, kind: str, user: Any = None, **detail: Any) -> FileEvent:
    """A history entry of the file and the same, without the words (``WORDS``), in the audit
    log."""
    event = FileEvent.objects.create(
        file=file,
        kind=kind,
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_label=user_label(user),
        detail=detail,
    )
    audit.record(
        f"documents.{kind}",
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_name=None if getattr(user, "is_authenticated", False) else "rathaus",
        authority=file.authority,
        obj=file,
        details={"file": file.number, **{k: v for k, v in detail.items() if k not in WORDS}},
    )
    return event


def user_label(user: Any) -> str:
    """How a user is named in the file's records; "rathaus" for the system."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "rathaus"
    return str(user.get_full_name() or user.get_username())


def next_file_number(subject: Subject, year: int) -> str:
    """A new file number below the subject: ``<code>/<year>/<running number>``, skipping a
    number a case file already has (a unit's case numbers may look the same)."""
    while True:
        number = f"{subject.code}/{year}/{next_value(scope('file', subject.pk, year)):04d}"
        if not File.objects.filter(authority_id=subject.authority_id, number=number).exists():
            return number


def create_file(
    *,
    unit: OrgUnit,
    title: str,
    user: Any = None,
    subject: Subject | None = None,
    origin: str = File.Origin.STAFF,
    origin_detail: str = "",
    number: str = "",
) -> File:
    """A new open file of the unit under ``subject`` (the unit's subject when not given)."""
    subject = subject or subject_for_unit(unit)
    if subject.authority_id != unit.authority_id:
        raise FileRefused(_("The subject belongs to another authority's file plan."))
    if not subject.holds_files:
        raise FileRefused(_("This file plan entry only groups others; choose one below it."))
    with transaction.atomic():
        now = timezone.now()
        file = File.objects.create(
            authority_id=unit.authority_id,
            org_unit=unit,
            subject=subject,
            number=number or next_file_number(subject, timezone.localtime(now).year),
            title=title[:200],
            origin=origin,
            origin_detail=origin_detail[:300],
            created_at=now,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        record_event(file, "file_created", user, subject=subject.code)
    return file


def file_for_case(case: Case) -> File:
    """The case's file, created on first use with the case number as its file number.

    A case handed to another authority gets a new file there: the file of the authority that
    had it is closed (its retention starts) and no longer takes the case's documents."""
    existing = File.objects.filter(case=case).first()
    if existing is not None and existing.authority_id == case.authority_id:
        return existing
    with transaction.atomic():
        case_row = type(case).objects.select_for_update().get(pk=case.pk)
        existing = File.objects.filter(case=case_row).first()
        if existing is not None and existing.authority_id == case_row.authority_id:
            return existing
        if existing is not None:
            _let_go(existing, case_row)
        unit = case_row.org_unit
        subject = subject_for_unit(unit)
        file = File.objects.create(
            authority_id=case_row.authority_id,
            org_unit=unit,
            subject=subject,
            number=case_row.number,
            title=case_row.title,
            case=case_row,
            origin=File.Origin.CASE,
            created_at=case_row.created_at,
        )
        record_event(file, "file_created", None, subject=subject.code, case=case_row.number)
    return file


def _let_go(file: File, case: Case) -> None:
    """The case went to another authority: its file here is closed and unlinked."""
    file = locked(file)
    detail = {"case": case.number, "authority": case.authority.name}
    record_event(file, "case_forwarded", None, **detail)
    file.case = None
    file.save(update_fields=["case"])
    if file.is_open:
        close(file, None)


def locked(file: File) -> File:
    """The file row, locked for the rest of the transaction.

    Only the file row (``of``): without it PostgreSQL also locks the joined subject and
    authority rows FOR UPDATE, and a request that appends to the authority's audit chain and
    then checks its foreign key to the authority at commit deadlocked with the filing task
    (found by bench/load_faults.py).
    """
    query = File.objects.select_for_update(of=("self",)).select_related("subject", "authority")
    return query.get(pk=file.pk)


def _require_changeable(file: File) -> None:
    if file.is_gone:
        raise FileRefused(_("This file has been destroyed or handed over."))
    if not file.is_open:
        raise FileRefused(_("This file is closed: its documents can only be annotated."))


# --- documents and versions ---------------------------------------------------------------------


def add_document(
    file: File,
    content: NewContent,
    *,
    title: str,
    kind: str,
    direction: str,
    user: Any = None,
    received_on: dt.date | None = None,
    sender: str = "",
    source: str = "",
    final: bool = False,
) -> Document:
    """A new document with its first version. With ``source`` (what it was filed from) the
    call is idempotent: a second call returns the document filed the first time."""
    with transaction.atomic():
        if source:
            existing = Document.objects.filter(source=source).first()
            if existing is not None:
                return existing
        file = locked(file)
        _require_changeable(file)
        actor = user if getattr(user, "is_authenticated", False) else None
        document = Document.objects.create(
            file=file,
            title=title[:200],
            kind=kind,
            direction=direction,
            received_on=received_on,
            sender=sender[:200],
            source=source,
            created_by=actor,
        )
        version = _new_version(document, content, user=user, reason="", final=final)
        record_event(
            file, "document_added", user, document=document.pk, title=document.title,
            sha256=version.sha256,
        )  # fmt: skip
    return document


def add_version(
    document: Document, content: NewContent, *, user: Any = None, reason: str = ""
) -> Version:
    """A new version of the document; the earlier ones stay as they are."""
    with transaction.atomic():
        file = locked(document.file)
        _require_changeable(file)
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.file_id != file.pk:  # moved meanwhile: lock the file it is in now
            return add_version(document, content, user=user, reason=reason)
        version = _new_version(document, content, user=user, reason=reason, final=False)
        record_event(
            file, "version_added", user, document=document.pk, version=version.number,
            sha256=version.sha256, reason=reason,
        )  # fmt: skip
    return version


def _new_version(
    document: Document, content: NewContent, *, user: Any, reason: str, final: bool
) -> Version:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    actor = user if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    stored = content.stored
    version = Version.objects.create(
        document=document,
        number=last + 1,
        file=stored,
        filename=content.name[:200],
        media_type=stored.media_type,
        size=stored.size,
        sha256=stored.sha256,
        created_at=now,
        created_by=actor,
        reason=reason[:300],
        final=final,
        finalised_at=now if final else None,
        finalised_by=actor if final else None,
    )
    from rathaus.documents import fulltext

    fulltext.schedule(version)
    return version


def mark_final(version: Version, user: Any) -> Version:
    """Mark a version as the final one (endgültig); a final version stays final."""
    with transaction.atomic():
        file = locked(version.document.file)
        _require_changeable(file)
        version = Version.objects.select_for_update().get(pk=version.pk)
        if version.final:
            return version
        version.final = True
        version.finalised_at = timezone.now()
        version.finalised_by = user
        version.save(update_fields=["final", "finalised_at", "finalised_by"])
        record_event(
            file, "version_final", user, document=version.document_id, version=version.number
        )
    return version


def move(document: Document, target: File, user: Any) -> Document:
    """Move a document into another open file of the same authority."""
    with transaction.atomic():
        first, second = sorted([document.file_id, target.pk])
        files = {f.pk: f for f in File.objects.select_for_update().filter(pk__in=[first, second])}
        source_file, target = files[document.file_id], files[target.pk]
        if source_file.pk == target.pk:
            return document
        _require_changeable(source_file)
        if target.authority_id != source_file.authority_id:
            raise FileRefused(_("A document can only be moved into a file of the same authority."))
        if target.is_gone or not target.is_open:
            raise FileRefused(_("The target file is closed."))
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.file_id != source_file.pk:
            raise FileRefused(_("The document was moved meanwhile; please look at it again."))
        document.file = target
        document.save(update_fields=["file"])
        detail = {"document": document.pk, "title": document.title}
        record_event(source_file, "document_moved_out", user, to=target.number, **detail)
        record_event(target, "document_moved_in", user, source=source_file.number, **detail)
    return document


def annotate(document: Document, user: Any, text: str) -> Annotation:
    """A remark on a document; allowed also in a closed file, never in a destroyed one."""
    text = text.strip()
    if not text:
        raise FileRefused(_("Please write the remark."))
    with transaction.atomic():
        file = locked(document.file)
        if file.is_gone:
            raise FileRefused(_("This file has been destroyed or handed over."))
        note = Annotation.objects.create(document=document, text=text, created_by=user)
        record_event(file, "annotated", user, document=document.pk)
    return note


# --- the file's state ---------------------------------------------------------------------------


def close(file: File, user: Any, *, now: dt.datetime | None = None) -> File:
    """Close the file: nothing can be added or changed any more and its retention starts."""
    with transaction.atomic():
        file = locked(file)
        _require_changeable(file)
        moment = now or timezone.now()
        file.status = File.Status.CLOSED
        file.closed_at = moment
        file.closed_by = user if getattr(user, "is_authenticated", False) else None
        file.retention_ends_on = retention_end(file.subject, moment)
        file.save(update_fields=["status", "closed_at", "closed_by", "retention_ends_on"])
        record_event(
            file, "file_closed", user,
            retention_ends_on=file.retention_ends_on.isoformat() if file.retention_ends_on else "",
        )  # fmt: skip
    return file


def hold(file: File, user: Any, reason: str) -> File:
    """Put a legal hold on the file: it is not deleted or handed over while the hold lasts."""
    reason = reason.strip()
    if not reason:
        raise FileRefused(_("Please give the reason for the hold (e.g. the proceedings)."))
    with transaction.atomic():
        file = locked(file)
        if file.is_gone:
            raise FileRefused(_("This file has been destroyed or handed over."))
        file.hold_reason = reason[:300]
        file.held_at = timezone.now()
        file.held_by = user
        file.save(update_fields=["hold_reason", "held_at", "held_by"])
        record_event(file, "hold_set", user, reason=file.hold_reason)
        # A deletion asked for before the hold is not carried out after it: ask again then.
        file.deletion_requests.filter(status=DeletionRequest.Status.PENDING).update(
            status=DeletionRequest.Status.WITHDRAWN, decided_at=file.held_at,
            decision_note=str(_("withdrawn by the legal hold"))[:300],
        )  # fmt: skip
    return file


def lift_hold(file: File, user: Any) -> File:
    with transaction.atomic():
        file = locked(file)
        if not file.is_held:
            return file
        reason = file.hold_reason
        file.hold_reason = ""
        file.held_at = None
        file.held_by = None
        file.save(update_fields=["hold_reason", "held_at", "held_by"])
        record_event(file, "hold_lifted", user, reason=reason)
    return file


# --- reading ------------------------------------------------------------------------------------


def record_access(version: Version, user: Any, action: str) -> AccessRecord:
    """Note that ``user`` viewed or downloaded the version (the file's access log)."""
    document = version.document
    return AccessRecord.objects.create(
        file_id=document.file_id,
        document=document,
        version=version,
        version_number=version.number,
        document_title=document.title,
        action=action,
        user=user if getattr(user, "is_authenticated", False) else None,
        user_label=user_label(user),
    )

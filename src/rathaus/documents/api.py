"""Staff API of the e-file (/api/v1/documents/): files, documents, new versions, downloads.

A staff member's personal API key acts with that person's units, as on the pages: a file of
another unit is not found (404). A new version is checked like a citizen's upload (type, size,
virus scanner) and refused for a closed file (409). A download is written into the file's
access log (action ``api``).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import File as FileParam
from ninja import Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.params.functions import Form as form_field
from pydantic import Field

from rathaus.cases.api import StaffKey
from rathaus.core import files as core_files
from rathaus.core.bounds import Id, Key, Text
from rathaus.core.problems import ProblemOut, problem
from rathaus.documents import services
from rathaus.documents.access import visible_documents, visible_files, visible_subjects
from rathaus.documents.models import AccessRecord, Document, File, Subject, Version

router = Router(tags=["e-file (staff)"], auth=StaffKey())

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
MAX_OFFSET = 100_000

UPLOAD_TYPES = (
    core_files.PDF, core_files.JPEG, core_files.PNG, core_files.ODT, core_files.DOCX,
)  # fmt: skip
"""What a new version may be: documents and scans, as staff file them."""

UPLOAD_ERRORS = (401, 404, 409, 413, 422, 503)
REASON: Any = form_field("", max_length=300, description="why the document changed")

# The choices as literals: the models' enums are named like those of other apps (Status, Kind).
FileStatus = Literal["open", "closed", "destroyed", "handed_over"]
DocumentKind = Literal[
    "application", "attachment", "letter", "decision", "receipt", "message", "note", "other"
]
Direction = Literal["in", "out", "internal"]
TextStatus = Literal["pending", "done", "empty", "failed", "n/a"]


class EFileFilters(Schema):
    status: FileStatus | None = None
    subject: Key | None = Field(None, description="file plan code; its entries below it too")
    q: Text | None = Field(None, max_length=200, description="words of the file number or title")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class DocumentFilters(Schema):
    file: Id | None = Field(None, description="id of the file")
    kind: DocumentKind | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class FilePlanSubjectOut(Schema):
    code: str
    title: str


class EFileSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: FileStatus
    state: str = Field(description="the state in words: open, held, retention running …")
    subject: FilePlanSubjectOut
    unit: str = Field(description="slug of the unit that keeps the file")
    case: str | None = Field(description="number of the case the file belongs to")
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    retention_ends_on: datetime.date | None
    held: bool


class EFileListOut(Schema):
    items: list[EFileSummaryOut]
    total: int


class DocumentVersionOut(Schema):
    number: int
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: datetime.datetime
    created_by: str
    reason: str
    final: bool
    text_status: TextStatus


class DocumentOut(Schema):
    id: int
    file: int
    file_number: str
    title: str
    kind: DocumentKind
    direction: Direction
    received_on: datetime.date | None
    sender: str
    created_at: datetime.datetime
    versions: list[DocumentVersionOut]


class DocumentListOut(Schema):
    items: list[DocumentOut]
    total: int


class EFileOut(EFileSummaryOut):
    documents: list[DocumentOut]


def _staff(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _file_summary(file: File) -> dict[str, Any]:
    return {
        "id": file.pk, "number": file.number, "title": file.title, "status": file.status,
        "state": file.state_label,
        "subject": {"code": file.subject.code, "title": file.subject.title},
        "unit": file.org_unit.slug, "case": file.case.number if file.case is not None else None,
        "created_at": file.created_at, "closed_at": file.closed_at,
        "retention_ends_on": file.retention_ends_on, "held": file.is_held,
    }  # fmt: skip


def _version(version: Version) -> dict[str, Any]:
    return {
        "number": version.number, "filename": version.filename,
        "media_type": version.media_type, "size": version.size, "sha256": version.sha256,
        "created_at": version.created_at, "created_by": services.user_label(version.created_by),
        "reason": version.reason, "final": version.final, "text_status": version.text_status,
    }  # fmt: skip


def _document(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk, "file": document.file_id, "file_number": document.file.number,
        "title": document.title, "kind": document.kind, "direction": document.direction,
        "received_on": document.received_on, "sender": document.sender,
        "created_at": document.created_at,
        "versions": [_version(version) for version in document.versions.all()],
    }  # fmt: skip


def _files(request: HttpRequest) -> QuerySet[File]:
    return visible_files(_staff(request)).select_related("subject", "org_unit", "case")


def _documents(request: HttpRequest) -> QuerySet[Document]:
    return (
        visible_documents(_staff(request))
        .select_related("file")
        .prefetch_related("versions__created_by")
    )


def _subject_tree(request: HttpRequest, code: str) -> set[int]:
    """The ids of the file plan entries with this code and of every entry below them."""
    found = set(visible_subjects(_staff(request)).filter(code=code).values_list("pk", flat=True))
    below = set(found)
    while below:
        below = (
            set(Subject.objects.filter(parent_id__in=below).values_list("pk", flat=True)) - found
        )
        found |= below
    return found


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return problem(request, 404, "Not Found", f"There is no {what} with this id in your units.")


@router.get(
    "/files",
    response={200: EFileListOut, 401: ProblemOut, 422: ProblemOut},
    summary="The files of my units, newest first",
)
def list_files(request: HttpRequest, filters: Query[EFileFilters]) -> Any:
    """Filters: `status`, `subject` (a file plan code; files of the entries below it too) and
    `q` (words of the file number or title). Pages by `offset` and `limit`.
    """
    files = _files(request)
    if filters.status:
        files = files.filter(status=filters.status)
    if filters.subject:
        files = files.filter(subject_id__in=_subject_tree(request, filters.subject))
    for word in (filters.q or "").split()[:10]:
        files = files.filter(Q(number__icontains=word) | Q(title__icontains=word))
    rows = files[filters.offset : filters.offset + filters.limit]
    return {"items": [_file_summary(file) for file in rows], "total": files.count()}


@router.get(
    "/files/{file_id}",
    response={200: EFileOut, 401: ProblemOut, 404: ProblemOut},
    summary="One file with its documents and their versions",
)
def get_file(request: HttpRequest, file_id: Id) -> Any:
    """The file (404 when it is not kept by one of your units) with every document and version
    (metadata; the content is downloaded per version)."""
    file = _files(request).filter(pk=file_id).first()
    if file is None:
        return _not_found(request, "file")
    body = _file_summary(file)
    body["documents"] = [_document(document) for document in _documents(request).filter(file=file)]
    return body


@router.get(
    "/documents",
    response={200: DocumentListOut, 401: ProblemOut, 422: ProblemOut},
    summary="Documents of the files of my units, oldest first",
)
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> Any:
    """Filters: `file` (its id) and `kind`; each document with its versions (metadata). Pages by
    `offset` and `limit`.
    """
    documents = _documents(request)
    if filters.file is not None:
        documents = documents.filter(file_id=filters.file)
    if filters.kind:
        documents = documents.filter(kind=filters.kind)
    rows = documents[filters.offset : filters.offset + filters.limit]
    return {"items": [_document(document) for document in rows], "total": documents.count()}


@router.get(
    "/documents/{document_id}",
    response={200: DocumentOut, 401: ProblemOut, 404: ProblemOut},
    summary="One document with its versions",
)
def get_document(request: HttpRequest, document_id: Id) -> Any:
    """The document and its versions (metadata); 404 when its file is not kept by one of your
    units."""
    document = _documents(request).filter(pk=document_id).first()
    if document is None:
        return _not_found(request, "document")
    return _document(document)


@router.post(
    "/documents/{document_id}/versions",
    response={201: DocumentVersionOut, **dict.fromkeys(UPLOAD_ERRORS, ProblemOut)},
    summary="Add a new version of a document (multipart: file, reason)",
)
def add_version(
    request: HttpRequest,
    document_id: Id,
    file: FileParam[UploadedFile],
    reason: Text = REASON,
) -> Any:
    """Sends the new content (`multipart/form-data`, fields `file` and `reason`); the earlier
    versions stay. The file is checked like a citizen's upload (PDF, JPEG, PNG, ODT, DOCX; size,
    virus scanner). 409 when the file is closed, destroyed or handed over.
    """
    document = _documents(request).filter(pk=document_id).first()
    if document is None:
        return _not_found(request, "document")
    if not document.file.is_open:
        return _closed(request, document.file)
    rules = core_files.UploadRules(accept=UPLOAD_TYPES, max_bytes=core_files.file_limit())
    try:
        stored = core_files.check_and_store(file, rules)
    except core_files.UploadRejected as rejected:
        title = "Try again later" if rejected.retry_after else "File rejected"
        answer = problem(
            request, rejected.status, title, rejected.message, code=rejected.code,
            errors=[{"field": "file", "message": rejected.message}],
        )  # fmt: skip
        if rejected.retry_after:
            answer["Retry-After"] = str(rejected.retry_after)
        return answer
    try:
        version = services.add_version(
            document, services.NewContent(stored.file), user=_staff(request), reason=reason
        )
    except services.FileRefused as refused:  # closed meanwhile
        core_files.release([stored.file])
        return problem(request, 409, "Conflict", str(refused), file_status=document.file.status)
    return Status(201, _version(version))


def _closed(request: HttpRequest, file: File) -> HttpResponse:
    from django.utils.translation import gettext as _

    detail = (
        _("This file has been destroyed or handed over.")
        if file.is_gone
        else _("This file is closed: its documents can only be annotated.")
    )
    return problem(request, 409, "Conflict", detail, file_status=file.status)


@router.get(
    "/documents/{document_id}/versions/{number}/content",
    response={401: ProblemOut, 404: ProblemOut, 410: ProblemOut},
    summary="Download one version's content (written into the file's access log)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The content, with the version's media type and file name",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request: HttpRequest, document_id: Id, number: Id) -> Any:
    """The content of version `number` with its media type and file name. Each download is
    written into the file's access log (action `api`); 404 for a file of another unit and for
    a destroyed or handed-over file.
    """
    document = _documents(request).filter(pk=document_id).first()
    version = (
        document.versions.select_related("file").filter(number=number).first()
        if document is not None
        else None
    )
    if version is None:
        return _not_found(request, "version")
    if document is not None and document.file.is_gone:
        return _not_found(request, "version")
    if not core_files.blob_exists(version.file.key):
        return problem(
            request, 410, "Gone",
            "The content of this version is missing from the file store; the integrity check "
            "(rathaus documents-check) reports it.",
        )  # fmt: skip
    services.record_access(version, _staff(request), AccessRecord.Action.API)
    return core_files.response(version.file, filename=version.filename,
                               content_type=version.media_type)  # fmt: skip

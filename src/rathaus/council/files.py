"""Storing a council file: the upload checks, its text for the search and its place in the e-file.

:func:`store_upload` runs the upload checks (``core.files.check_and_store``: PDF, ODT, DOCX and
images up to the installation's limit, virus scan as configured) and keeps a
:class:`~rathaus.council.models.File` with the OParl checksums. :func:`replace_content` gives
an existing file new content. Both queue two worker tasks in the caller's transaction:

- :func:`read_file_text` reads the text (``documents.fulltext.read_text``) into ``File.text``,
  so the public paper search finds words in it;
- :func:`file_in_efile` files the content in the e-file of the council office (ADR 0066, "Files
  and the e-file"): one e-file per meeting for the meeting's files, one per legislative term for
  the papers' files. Replaced content becomes a new version of the same e-file document.

Filing never loses the upload: the council file exists before the task runs; a task that fails
is run again by the sweep, and :func:`reconcile` queues the filing of files that have no
e-file document and no task (``core.taskqueue``).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.core.files import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    WEBP,
    UploadRules,
    check_and_store,
    file_limit,
)
from rathaus.core.models import OrgUnit, StoredFile
from rathaus.council.keepers import ROLE
from rathaus.council.models import Body, File, LegislativeTerm, Meeting, Paper

logger = logging.getLogger(__name__)

ACCEPT = (PDF, ODT, DOCX, JPEG, PNG, WEBP)
EFILE_KEY_PREFIX = "council:"
"""``documents.File.origin_detail`` of a council e-file: ``council:meeting:<id>`` or
``council:term:<id>`` (``council:body:<id>`` for papers outside every term)."""


def upload_rules() -> UploadRules:
    return UploadRules(accept=ACCEPT, max_bytes=file_limit())


def _checksums(stored: StoredFile) -> tuple[str, str]:
    sha1, sha512 = hashlib.sha1(usedforsecurity=False), hashlib.sha512()
    with stored.open() as content:
        for chunk in iter(lambda: content.read(64 * 1024), b""):
            sha1.update(chunk)
            sha512.update(chunk)
    return sha1.hexdigest(), sha512.hexdigest()


def _fill(file: File, stored: StoredFile) -> None:
    file.stored = stored
    file.file_name = stored.name[:200]
    file.mime_type = stored.media_type[:100]
    file.size = stored.size
    file.sha1_checksum, file.sha512_checksum = _checksums(stored)
    file.text, file.text_state = "", File.TextState.PENDING


def store_upload(body: Body, uploaded: UploadedFile, name: str, user: Any) -> File:
    """Check ``uploaded`` and keep it as a council file named ``name``; raises
    ``core.files.UploadRejected`` with the reason for the form. Call it inside the transaction
    that links the file (to a meeting, an agenda item, a paper)."""
    stored = check_and_store(uploaded, upload_rules()).file
    file = File(body=body, name=(name or stored.name)[:300], date=timezone.localdate())
    _fill(file, stored)
    file.save()
    _queue(file)
    return file


def replace_content(file: File, uploaded: UploadedFile, user: Any) -> File:
    """New content for an existing file (a corrected protocol): checked like an upload; the
    e-file gets a new version of the same document."""
    stored = check_and_store(uploaded, upload_rules()).file
    _fill(file, stored)
    file.date = timezone.localdate()
    file.save()
    _queue(file)
    return file


def _queue(file: File) -> None:
    # In the caller's transaction: the worker sees the file only together with its link.
    read_file_text.enqueue(file.pk)
    file_in_efile.enqueue(file.pk)


# --- the text ------------------------------------------------------------------------------------


@task()
def read_file_text(file_id: int) -> str:
    """Read the text of a council file for the search (idempotent)."""
    from rathaus.documents import fulltext

    file = File.objects.filter(pk=file_id).select_related("stored").first()
    if file is None or file.stored is None:
        return "gone"
    stored_id = file.stored_id
    state, text = File.TextState.DONE, ""
    try:
        text = fulltext.read_text(file.stored.read_bytes(), file.mime_type)
    except LookupError:
        state = File.TextState.NONE
    except (ValueError, OSError) as failure:
        state = File.TextState.FAILED
        logger.warning("text of council file %s could not be read: %s", file_id, failure)
    text = " ".join(text.split())[: fulltext.MAX_TEXT]
    if state == File.TextState.DONE and not text:
        state = File.TextState.NONE
    # Only when the content is still the one read (a replacement queued its own task).
    File.objects.filter(pk=file_id, stored_id=stored_id).update(text=text, text_state=state)
    return str(state)


# --- the e-file ----------------------------------------------------------------------------------


def owner_of(file: File) -> Meeting | Paper | None:
    """The meeting or paper the file belongs to (through an agenda item for its files)."""
    from django.db.models import Q

    meeting = Meeting.objects.filter(
        Q(invitation=file) | Q(results_protocol=file) | Q(verbatim_protocol=file)
        | Q(auxiliary_files=file) | Q(agenda_items__resolution_file=file)
        | Q(agenda_items__auxiliary_files=file)
    ).first()  # fmt: skip
    if meeting is not None:
        return meeting
    return Paper.objects.filter(Q(main_file=file) | Q(auxiliary_files=file)).first()


def _term_of(paper: Paper) -> LegislativeTerm | None:
    day = paper.date or timezone.localdate(paper.created)
    terms = LegislativeTerm.objects.filter(body_id=paper.body_id, deleted=False)
    for term in terms:
        if (term.start_date is None or term.start_date <= day) and (
            term.end_date is None or day <= term.end_date
        ):
            return term
    return None


def efile_key(owner: Meeting | Paper) -> tuple[str, str]:
    """The key and title of the e-file the owner's files go into."""
    if isinstance(owner, Meeting):
        when = timezone.localtime(owner.start).strftime("%d.%m.%Y") if owner.start else ""
        return (f"{EFILE_KEY_PREFIX}meeting:{owner.pk}",
                _("Meeting %(name)s %(date)s") % {"name": owner.name, "date": when})  # fmt: skip
    term = _term_of(owner)
    body = Body.objects.get(pk=owner.body_id)
    if term is not None:
        title = _("Papers of the %(body)s, %(term)s") % {"body": body.name, "term": term.name}
        return f"{EFILE_KEY_PREFIX}term:{term.pk}", title
    return (f"{EFILE_KEY_PREFIX}body:{body.pk}",
            _("Papers of the %(body)s") % {"body": body.name})  # fmt: skip


def council_office(body: Body) -> OrgUnit | None:
    """The unit that keeps the council's e-files: one with members of the role "Ratsbüro",
    else the first top unit of the authority."""
    units = OrgUnit.objects.filter(authority_id=body.authority_id)
    found = units.filter(memberships__role__name=ROLE).order_by("position", "pk").first()
    return found or units.filter(parent__isnull=True).order_by("position", "pk").first()


class NotFiled(RuntimeError):
    """The file could not be filed yet (no unit, a closed e-file); the task runs again."""


def _efile(body: Body, owner: Meeting | Paper) -> Any:
    from rathaus.documents import services
    from rathaus.documents.models import File as EFile

    key, title = efile_key(owner)
    found = EFile.objects.filter(
        authority_id=body.authority_id, origin_detail=key, status=EFile.Status.OPEN
    ).first()
    if found is not None:
        return found
    unit = council_office(body)
    if unit is None:
        raise NotFiled(f"the authority of {body} has no unit to keep the e-file")
    return services.create_file(unit=unit, title=title, origin_detail=key)


def file_now(file: File) -> str:
    """File the content of ``file`` in its e-file (a new document, or a new version when the
    content changed); returns what happened."""
    from rathaus.documents import services
    from rathaus.documents.models import Document

    if file.stored_id is None or file.deleted:
        return "nothing to file"
    stored = StoredFile.objects.get(pk=file.stored_id)
    content = services.NewContent(stored, file.file_name or stored.name)
    with transaction.atomic():
        row = File.objects.select_for_update().get(pk=file.pk)
        if row.efile_document_id is not None:
            document = Document.objects.get(pk=row.efile_document_id)
            last = document.versions.order_by("-number").first()
            if last is not None and last.file_id == stored.pk:
                return "up to date"
            services.add_version(document, content, reason=_("New content in the council system"))
            return "new version"
        owner = owner_of(row)
        if owner is None:
            return "no meeting or paper yet"
        body = Body.objects.get(pk=row.body_id)
        document = services.add_document(
            _efile(body, owner), content, title=row.name, kind=Document.Kind.OTHER,
            direction=Document.Direction.INTERNAL, source=f"council-file:{row.pk}",
            received_on=row.date,
        )  # fmt: skip
        File.objects.filter(pk=row.pk).update(efile_document=document)
    return "filed"


@task()
def file_in_efile(file_id: int) -> str:
    """The worker files a council file in the e-file (idempotent: ``source`` and versions)."""
    from rathaus.documents.services import FileRefused

    file = File.objects.filter(pk=file_id).first()
    if file is None:
        return "gone"
    try:
        return file_now(file)
    except FileRefused as refused:
        logger.warning("council file %s not filed: %s", file_id, refused)
        raise NotFiled(str(refused)) from refused


def describe(args: list[Any], kwargs: dict[str, Any]) -> str:
    name = File.objects.filter(pk=args[0]).values_list("name", flat=True).first()
    return _("File the council document “%(name)s” in the e-file") % {"name": name or args[0]}


def reconcile(window: Any) -> int:
    """Queue the filing of council files of the window that have content, no e-file document
    and no task; returns how many were queued."""
    from rathaus.core import taskqueue

    tracked = taskqueue.tracked_arguments(file_in_efile.module_path)
    pending = File.objects.filter(
        stored__isnull=False, efile_document__isnull=True, deleted=False,
        modified__gte=window.newer_than, modified__lte=window.older_than,
    ).values_list("pk", flat=True)  # fmt: skip
    queued = 0
    for pk in pending:
        if str(pk) not in tracked and owner_of(File(pk=pk)) is not None:
            file_in_efile.enqueue(pk)
            queued += 1
    return queued

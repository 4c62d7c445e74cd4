"""Every case gets its file: what a case holds is filed into its e-file by a worker task.

:func:`sync_case` files what is missing, piece by piece, each under a ``source`` key of what it
came from (``submission:<id>:pdf``, ``submission:<id>:json``, ``attachment:<id>``,
``document-request:<id>``, ``case-upload:<id>``, ``decision:<id>``, ``message:<id>``,
``message-attachment:<id>``). A key filed once is never filed again, so running the sync twice,
or two workers at once, files everything once. The task :func:`file_case` is queued when a case
changes (``apps.DocumentsConfig.ready``); :func:`reconcile` queues it for cases whose file
misses something and that have no task, so a lost task is made up for (ADR 0041).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.accounts.models import Message
from rathaus.cases.models import Case, CaseDocument, CaseUpload, DocumentRequest
from rathaus.core.files import StoredFile, store_bytes
from rathaus.documents import services
from rathaus.documents.models import Document, File
from rathaus.forms.models import Submission, SubmissionAttachment

if TYPE_CHECKING:
    from rathaus.core.taskqueue import Window

logger = logging.getLogger(__name__)

Kind = Document.Kind
Direction = Document.Direction


@dataclass(frozen=True)
class Piece:
    """One thing of a case to be filed; ``content`` makes it only when it is missing."""

    source: str
    title: str
    kind: str
    direction: str
    received_on: dt.date | None
    content: Callable[[], services.NewContent]
    sender: str = ""
    final: bool = False


@dataclass
class Outcome:
    filed: list[str]
    refused: str = ""

    def __str__(self) -> str:
        if self.refused:
            return f"refused: {self.refused}"
        return f"filed {len(self.filed)}" if self.filed else "up to date"


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


def _text(content: str, name: str, media_type: str = "text/plain") -> services.NewContent:
    stored = store_bytes(content.encode(), name=name, media_type=media_type)
    return services.NewContent(stored, name)


def _stored(stored: StoredFile, name: str) -> Callable[[], services.NewContent]:
    return lambda: services.NewContent(stored, name)


# --- what a case holds ---------------------------------------------------------------------------


def _submission_pieces(submission: Submission, sender: str) -> Iterator[Piece]:
    from rathaus.forms.receipts import receipt_pdf

    day = _day(submission.submitted_at)
    title = submission.form_version.title

    def pdf() -> services.NewContent:
        name = f"Antrag-{submission.reference}.pdf"
        return services.NewContent(
            store_bytes(receipt_pdf(submission), name=name, media_type="application/pdf"), name
        )

    def data() -> services.NewContent:
        text = json.dumps(submission.data, ensure_ascii=False, indent=2, sort_keys=True)
        return _text(text, f"Antrag-{submission.reference}.json", "application/json")

    yield Piece(f"submission:{submission.pk}:pdf", _("Application: %(title)s") % {"title": title},
                Kind.APPLICATION, Direction.INCOMING, day, pdf, sender)  # fmt: skip
    yield Piece(f"submission:{submission.pk}:json",
                _("Application data (JSON): %(title)s") % {"title": title},
                Kind.APPLICATION, Direction.INCOMING, day, data, sender)  # fmt: skip
    attachments = SubmissionAttachment.objects.filter(submission=submission).select_related("file")
    for attachment in attachments:
        yield Piece(f"attachment:{attachment.pk}", attachment.original_name, Kind.ATTACHMENT,
                    Direction.INCOMING, day, _stored(attachment.file, attachment.original_name),
                    sender)  # fmt: skip


def _request_note(request: DocumentRequest) -> services.NewContent:
    lines = [_("Documents requested from the applicant:"), request.documents, ""]
    requested = timezone.localtime(request.requested_at).strftime("%d.%m.%Y")
    lines.append(_("Requested: %(date)s") % {"date": requested})
    if request.due_date:
        lines.append(_("Answer by: %(date)s") % {"date": request.due_date.strftime("%d.%m.%Y")})
    if request.comment:
        lines += ["", _("Comment of the applicant:"), request.comment]
    return _text("\n".join(lines), f"Nachforderung-{request.pk}.txt")


def _message_text(message: Message) -> services.NewContent:
    sent = timezone.localtime(message.sent_at).strftime("%d.%m.%Y %H:%M")
    text = f"{_('Subject')}: {message.subject}\n{_('Sent')}: {sent}\n\n{message.body}"
    return _text(text, f"Nachricht-{message.pk}.txt")


def _case_messages(case: Case) -> Iterator[Message]:
    if case.applicant_id is None:
        return iter(())
    references = [case.number]
    if case.submission is not None:
        references.append(case.submission.reference)
    return iter(
        Message.objects.filter(account_id=case.applicant_id, reference__in=references)
        .prefetch_related("attachments__file")
        .order_by("sent_at", "pk")
    )


def pieces(case: Case) -> list[Piece]:
    """Everything of the case that belongs into its file, oldest first."""
    submission = case.submission
    applicant = str(case.applicant.user.get_full_name()) if case.applicant is not None else ""
    found: list[tuple[dt.datetime, Piece]] = []
    if submission is not None:
        found += [(submission.submitted_at, piece)
                  for piece in _submission_pieces(submission, applicant)]  # fmt: skip
    receipt = submission.reference if submission is not None else None
    for request in DocumentRequest.objects.filter(case=case):
        found.append((request.requested_at, Piece(
            f"document-request:{request.pk}", _("Documents requested"), Kind.NOTE,
            Direction.OUTGOING, _day(request.requested_at),
            partial(_request_note, request))))  # fmt: skip
    for upload in CaseUpload.objects.filter(case=case).select_related("file"):
        found.append((upload.uploaded_at, Piece(
            f"case-upload:{upload.pk}", upload.original_name, Kind.ATTACHMENT, Direction.INCOMING,
            _day(upload.uploaded_at), _stored(upload.file, upload.original_name),
            applicant)))  # fmt: skip
    for document in CaseDocument.objects.filter(case=case).select_related("file"):
        found.append((document.created_at, Piece(
            f"decision:{document.pk}", document.title, Kind.DECISION, Direction.OUTGOING,
            _day(document.created_at), _stored(document.file, document.filename),
            final=True)))  # fmt: skip
    for message in _case_messages(case):
        is_receipt = message.reference == receipt and not message.from_account
        direction = Direction.INCOMING if message.from_account else Direction.OUTGOING
        found.append((message.sent_at, Piece(
            f"message:{message.pk}", message.subject, Kind.RECEIPT if is_receipt else Kind.MESSAGE,
            direction, _day(message.sent_at), partial(_message_text, message),
            applicant if message.from_account else "")))  # fmt: skip
        for attachment in message.attachments.all():
            found.append((message.sent_at, Piece(
                f"message-attachment:{attachment.pk}", attachment.filename,
                Kind.RECEIPT if is_receipt else Kind.LETTER, direction, _day(message.sent_at),
                _stored(attachment.file, attachment.filename))))  # fmt: skip
    found.sort(key=lambda item: item[0])
    return [piece for _moment, piece in found]


# --- filing --------------------------------------------------------------------------------------


def missing(case: Case) -> list[Piece]:
    """The pieces of the case not yet filed (by their source key)."""
    every = pieces(case)
    filed = set(
        Document.objects.filter(source__in=[piece.source for piece in every]).values_list(
            "source", flat=True
        )
    )
    return [piece for piece in every if piece.source not in filed]


def sync_case(case: Case) -> Outcome:
    """File what the case holds and its file lacks; a closed file is left as it is (recorded
    once in its history) and the outcome says so. Titles and renderings are in the portal's
    language, whoever runs it."""
    with translation.override(settings.LANGUAGE_CODE):
        return _sync(case)


def _sync(case: Case) -> Outcome:
    file = services.file_for_case(case)
    with transaction.atomic():
        file = services.locked(file)  # one sync per file at a time: each piece is filed once
        todo = missing(case)
        if not todo:
            return Outcome([])
        if not file.is_open:
            return _refused(file, todo)
        filed, failed = [], []
        for piece in todo:
            try:
                with transaction.atomic():  # a piece that fails leaves the others filed
                    services.add_document(
                        file, piece.content(), title=piece.title, kind=piece.kind,
                        direction=piece.direction, received_on=piece.received_on,
                        sender=piece.sender, source=piece.source, final=piece.final,
                    )  # fmt: skip
            except Exception:
                logger.exception("%s of case %s could not be filed", piece.source, case.number)
                failed.append(piece.source)
            else:
                filed.append(piece.source)
    if failed:  # the task fails, so the sweep runs it again and staff see it if it keeps failing
        raise FilingFailed(f"not filed: {', '.join(failed)} (filed: {len(filed)})")
    return Outcome(filed)


class FilingFailed(RuntimeError):
    """Some pieces of a case could not be filed (the others are); the task runs again."""


def _refused(file: File, todo: list[Piece]) -> Outcome:
    """Note in the file's history, once for the same pieces, what could not be filed."""
    sources = sorted(piece.source for piece in todo)
    last = file.events.filter(kind="filing_refused").order_by("-at", "-pk").first()
    if last is None or last.detail.get("sources") != sources:
        services.record_event(file, "filing_refused", None, sources=sources, status=file.status)
    logger.warning("file %s is %s; not filed: %s", file.number, file.status, ", ".join(sources))
    return Outcome([], refused=file.status)


@task()
def file_case(case_id: int) -> str:
    """The worker files what the case holds into its file (idempotent)."""
    case = Case.objects.select_related("submission", "applicant__user").filter(pk=case_id).first()
    if case is None:
        return "no such case"
    return str(sync_case(case))


def queue(case_id: int) -> None:
    """Queue the filing of the case (in the caller's transaction)."""
    file_case.enqueue(case_id)


def describe(args: list[Any], kwargs: dict[str, Any]) -> str:
    number = Case.objects.filter(pk=args[0]).values_list("number", flat=True).first()
    return _("File the documents of case %(number)s") % {"number": number or args[0]}


# --- reconciliation -----------------------------------------------------------------------------


def candidates(window: Window) -> set[int]:
    """Cases that changed in the window, or whose messages were sent in it."""
    between = {"gte": window.newer_than, "lte": window.older_than}
    changed = Case.objects.filter(
        Q(updated_at__gte=between["gte"], updated_at__lte=between["lte"])
        | Q(created_at__gte=between["gte"], created_at__lte=between["lte"])
    ).values_list("pk", flat=True)
    ids = set(changed)
    references = set(
        Message.objects.filter(sent_at__gte=between["gte"], sent_at__lte=between["lte"])
        .exclude(reference="")
        .values_list("reference", flat=True)
    )
    if references:
        ids |= set(
            Case.objects.filter(
                Q(number__in=references) | Q(submission__reference__in=references)
            ).values_list("pk", flat=True)
        )
    return ids


def reconcile(window: Window) -> int:
    """Queue the filing of cases of the window whose open (or not yet existing) file misses
    something and that have no filing task; returns how many were queued."""
    from rathaus.core import taskqueue

    tracked = taskqueue.tracked_arguments(file_case.module_path)
    closed = set(
        File.objects.filter(case__isnull=False)
        .exclude(status=File.Status.OPEN)
        .values_list("case_id", flat=True)
    )
    queued = 0
    cases = Case.objects.select_related("submission", "applicant__user")
    for case in cases.filter(pk__in=candidates(window) - closed):
        if str(case.pk) in tracked:
            continue
        if not File.objects.filter(case=case).exists() or missing(case):
            queue(case.pk)
            queued += 1
    return queued


def file_all(cases: Any = None) -> int:
    """File every case now, in this process (the demo, an upgrade by hand); how many changed."""
    changed = 0
    for case in (cases if cases is not None else Case.objects.all()).select_related(
        "submission", "applicant__user"
    ):
        if sync_case(case).filed:
            changed += 1
    return changed


# --- when a case changes ------------------------------------------------------------------------


def on_case_changed(sender: Any, case: Case, **kwargs: Any) -> None:
    """A case was opened or got documents or an answer (``cases.signals``): queue its filing in
    the same transaction (ADR 0021)."""
    queue(case.pk)


def on_message_saved(sender: Any, instance: Message, created: bool, **kwargs: Any) -> None:
    """A mailbox message about a case (its number or its application's reference as the
    reference): queue the case's filing in the message's transaction."""
    if not created or not instance.reference:
        return
    found = Case.objects.filter(
        Q(number=instance.reference) | Q(submission__reference=instance.reference),
        applicant_id=instance.account_id,
    ).values_list("pk", flat=True)
    for case_id in found:
        queue(case_id)


def on_case_event(event: Any) -> None:
    """A domain event of a case (decided, status changed), after its commit."""
    queue(event.case_id)

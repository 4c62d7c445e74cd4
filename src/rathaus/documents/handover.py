"""Handing a file over to the archive after its 0503 message was delivered (ADR 0045).

Exporting a message changes nothing. Only this explicit step (``rathaus export-xdomea
--hand-over`` after writing the message, or the confirmation on the xdomea page) marks a file as
handed over: its documents, versions and their stored content are released here as in a
destruction, and the file keeps its number, title, subject and history with an entry naming the
archive and the message's process id.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rathaus.core import files as stored_files
from rathaus.documents.models import Annotation, Document, File, FileEvent, Subject, Version
from rathaus.documents.services import FileRefused, locked, record_event


def refusal(file: File) -> str:
    """Why the file cannot be handed over now, or "" when it can."""
    if file.is_gone:
        return _("This file has been destroyed or handed over.")
    if file.subject.disposal != Subject.Disposal.ARCHIVE:
        return _("Its file plan subject does not offer its files to the archive.")
    if file.status != File.Status.CLOSED:
        return _("Only a closed file can be handed over.")
    if file.is_held:
        return _("The file is under a legal hold.")
    if not file.retention_over():
        return _("Its retention period has not ended yet.")
    return ""


def carried_by(process_id: str, files: QuerySet[File]) -> list[tuple[File, str]]:
    """The files among ``files`` that the recorded 0503 message ``process_id`` carried, each with
    the archive it went to."""
    events = FileEvent.objects.filter(
        file__in=files, kind="xdomea_exported", detail__process_id=process_id,
        detail__message="0503",
    ).select_related("file__subject")  # fmt: skip
    found: dict[int, tuple[File, str]] = {}
    for event in events:
        found.setdefault(event.file_id, (event.file, str(event.detail.get("receiver", ""))))
    return sorted(found.values(), key=lambda pair: pair[0].number)


def hand_over(file: File, user: Any, *, receiver: str, process_id: str) -> File:
    """Mark the file handed over to ``receiver`` and release its content.

    Call it only after the 0503 message ``process_id`` with this file was written (and sent);
    raises :class:`FileRefused` when the file may not be handed over.
    """
    with transaction.atomic():
        file = locked(file)
        reason = refusal(file)
        if reason:
            raise FileRefused(reason)
        documents = Document.objects.filter(file=file)
        _require_all_carried(file, process_id)
        # Remarks are not part of an xdomea message: the file's history keeps them.
        remarks = [
            {"document": note.document.title, "text": note.text, "at": note.created_at.isoformat(),
             "by": note.created_by.get_username() if note.created_by else ""}
            for note in Annotation.objects.filter(document__file=file).select_related(
                "document", "created_by")
        ]  # fmt: skip
        versions = Version.objects.filter(document__file=file)
        counts = {"documents": documents.count(), "versions": versions.count()}
        stored = list(versions.values_list("file_id", flat=True))
        documents.delete()  # with their versions and annotations
        stored_files.release(stored)
        file.status = File.Status.HANDED_OVER
        file.save(update_fields=["status"])
        record_event(
            file, "handed_over", user, receiver=receiver[:300], process_id=process_id,
            remarks=remarks, **counts,
        )  # fmt: skip
    return file


def _require_all_carried(file: File, process_id: str) -> None:
    """The 0503 ``process_id`` must have carried exactly the versions the file holds now: a
    message exported before a document or version was added never hands the newer one over."""
    exported = (
        FileEvent.objects.filter(
            file=file, kind="xdomea_exported", detail__process_id=process_id,
            detail__message="0503",
        ).order_by("-at", "-pk").first()
    )  # fmt: skip
    now = sorted(Version.objects.filter(document__file=file).values_list("pk", flat=True))
    if exported is None or exported.detail.get("versions") != now:
        raise FileRefused(
            _(
                "The message %(process_id)s does not hold the file as it is now (it was "
                "exported before documents or versions were added). Export a new hand-over "
                "message (0503) and hand that one over."
            )
            % {"process_id": process_id}
        )

"""What the citizen sees of the e-file: the documents of their own cases that went between them
and the authority (incoming and outgoing), never the internal ones or staff annotations."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from rathaus.accounts.models import Account
from rathaus.documents.models import Document, File, Version

SHARED = (Document.Direction.INCOMING, Document.Direction.OUTGOING)


def shared_documents(file: File) -> QuerySet[Document]:
    """The file's documents the applicant may know of: those sent by them or to them."""
    return file.documents.filter(direction__in=SHARED).order_by("created_at", "pk")


def for_case(case: Any) -> list[Document]:
    """The shared documents of the case's file (none while it has no file, or it is gone)."""
    file = File.objects.filter(case_id=case.pk).first()
    if file is None or file.is_gone:
        return []
    return list(shared_documents(file))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(account: Account) -> list[dict[str, Any]]:
    """The GDPR data export's section: the files of the account's cases with their shared
    documents and versions (metadata; the content is in the letters and the mailbox)."""
    files = (
        File.objects.filter(case__applicant=account)
        .select_related("case", "authority")
        .prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.filter(direction__in=SHARED)
                .order_by("created_at", "pk")
                .prefetch_related(
                    Prefetch("versions", queryset=Version.objects.order_by("number"))
                ),
            )
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "file_number": file.number,
            "case": file.case.number if file.case is not None else None,
            "authority": file.authority.name,
            "title": file.title,
            "status": file.status,
            "created_at": _iso(file.created_at),
            "closed_at": _iso(file.closed_at),
            "retention_ends_on": _iso(file.retention_ends_on),
            "documents": [
                {
                    "title": document.title,
                    "kind": document.kind,
                    "direction": document.direction,
                    "received_on": _iso(document.received_on),
                    "filed_at": _iso(document.created_at),
                    "versions": [
                        {
                            "number": version.number,
                            "filename": version.filename,
                            "media_type": version.media_type,
                            "size": version.size,
                            "sha256": version.sha256,
                            "created_at": _iso(version.created_at),
                            "final": version.final,
                        }
                        for version in document.versions.all()
                    ],
                }
                for document in file.documents.all()
            ],
        }
        for file in files
        if not file.is_gone
    ]

"""The text of document versions, read by the task worker so that staff can search the files.

:func:`schedule` queues the reading of a new version in the transaction that stores it; the
worker calls :func:`extract_version`, which never loses the document: a file whose text cannot
be read keeps its content and is marked ``failed`` with the reason.
"""

from __future__ import annotations

import io
import logging

from django.db import transaction
from django_tasks import task

from rathaus.documents.models import Version

logger = logging.getLogger(__name__)

MAX_TEXT = 2_000_000
"""Characters kept per version: enough for a thick file, bounded for the index."""

TEXT_TYPES = ("text/plain", "text/csv", "text/markdown")


def schedule(version: Version) -> None:
    """Queue the reading of the version's text (in the caller's transaction)."""
    extract_text.enqueue(version.pk)


@task()
def extract_text(version_id: int) -> str:
    return extract_version(version_id)


def read_text(content: bytes, media_type: str) -> str:
    """The text of a file's content; raises ``ValueError`` when the file cannot be read."""
    if media_type in TEXT_TYPES:
        return content.decode("utf-8", errors="replace")
    if media_type == "application/pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(content))
            return "\n".join(page.extract_text() or "" for page in reader.pages)
        except (PdfReadError, ValueError, KeyError, TypeError) as error:
            raise ValueError(f"PDF: {error}") from error
    raise LookupError(media_type)


def extract_version(version_id: int) -> str:
    """Read and keep the text of one version; returns the outcome for the task log."""
    version = Version.objects.filter(pk=version_id).select_related("file").first()
    if version is None:
        return "gone"
    status, text, error = Version.TextStatus.DONE, "", ""
    try:
        text = read_text(version.file.read_bytes(), version.media_type)
    except LookupError:
        status = Version.TextStatus.NOT_APPLICABLE
    except (ValueError, OSError) as failure:
        status, error = Version.TextStatus.FAILED, str(failure)[:300]
        logger.warning("text of version %s could not be read: %s", version_id, failure)
    text = " ".join(text.split())[:MAX_TEXT]
    if status == Version.TextStatus.DONE and not text:
        status = Version.TextStatus.EMPTY
    with transaction.atomic():
        Version.objects.filter(pk=version_id).update(text=text, text_status=status,
                                                     text_error=error)  # fmt: skip
    return str(status)

"""The text of document versions, read by the task worker so that staff can search the files.

:func:`schedule` queues the reading of a new version in the transaction that stores it; the
worker calls :func:`extract_version`, which never loses the document: a file whose text cannot
be read keeps its content and is marked ``failed`` with the reason.

Read are plain text, PDFs (their text layer, pypdf), Word (DOCX) and OpenDocument (ODT) texts
(the XML inside the ZIP, with defusedxml) and, by OCR (:mod:`rathaus.documents.ocr`), images
and PDFs without a text layer (ADR 0043).
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import Any

from django.db import transaction
from django_tasks import task

from rathaus.documents import ocr
from rathaus.documents.models import Version

logger = logging.getLogger(__name__)

MAX_TEXT = 2_000_000
"""Characters kept per version: enough for a thick file, bounded for the index."""

TEXT_TYPES = ("text/plain", "text/csv", "text/markdown")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
MAX_XML = 50_000_000
"""Bytes of one unpacked XML part of an office file read at most (a ZIP bomb stops here)."""

_WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
# Characters that are not text: control characters and the private-use marks that
# search.py puts around matched words in snippets.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")


def schedule(version: Version) -> None:
    """Queue the reading of the version's text (in the caller's transaction)."""
    extract_text.enqueue(version.pk)


@task()
def extract_text(version_id: int) -> str:
    return extract_version(version_id)


def read_text(content: bytes, media_type: str) -> str:
    """The text of a file's content; raises ``ValueError`` when the file cannot be read and
    ``LookupError`` for a kind of file that has no text."""
    if media_type in TEXT_TYPES:
        return content.decode("utf-8", errors="replace")
    if media_type == "application/pdf":
        text = _pdf_text(content)
        return text if text.strip() else ocr.recognise(content, media_type)
    if media_type in ocr.IMAGE_TYPES:
        return ocr.recognise(content, media_type)
    if media_type == DOCX:
        return _docx_text(_office_xml(content, "word/document.xml", "DOCX"))
    if media_type == ODT:
        return _odt_text(_office_xml(content, "content.xml", "ODT"))
    raise LookupError(media_type)


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:  # pypdf raises many kinds of errors for a broken file
        raise ValueError(f"PDF: {error}") from error


def _office_xml(content: bytes, part: str, kind: str) -> Any:
    """The root element of an office file's main XML part (entities refused, size bounded)."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if archive.getinfo(part).file_size > MAX_XML:
                raise ValueError(f"{kind}: {part} is larger than {MAX_XML} bytes")
            with archive.open(part) as xml:
                return ElementTree.fromstring(xml.read(MAX_XML + 1))
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError) as error:
        raise ValueError(f"{kind}: {error}") from error
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise ValueError(f"{kind}: {part}: {error}") from error


def _docx_text(root: Any) -> str:
    """Each paragraph on a line: its text runs, tabs and line breaks as spaces."""
    text, pieces = f"{_WORD}t", (f"{_WORD}t", f"{_WORD}tab", f"{_WORD}br")
    lines = []
    for paragraph in root.iter(f"{_WORD}p"):
        nodes = (node for node in paragraph.iter() if node.tag in pieces)
        lines.append("".join((node.text or "") if node.tag == text else " " for node in nodes))
    return "\n".join(lines)


def _odt_text(root: Any) -> str:
    """The document body with a line per paragraph or heading, counted spaces, tabs and line
    breaks as spaces."""
    for node in root.iter():
        if node.tag in (f"{_ODF_TEXT}s", f"{_ODF_TEXT}tab", f"{_ODF_TEXT}line-break"):
            node.text = " "
        elif node.tag in (f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"):
            node.tail = "\n" + (node.tail or "")
    body = root.find("{urn:oasis:names:tc:opendocument:xmlns:office:1.0}body")
    return "".join((root if body is None else body).itertext())


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
    text = " ".join(_NOT_TEXT.sub(" ", text).split())[:MAX_TEXT]
    if status == Version.TextStatus.DONE and not text:
        status = Version.TextStatus.EMPTY
    with transaction.atomic():
        Version.objects.filter(pk=version_id).update(text=text, text_status=status,
                                                     text_error=error)  # fmt: skip
    return str(status)

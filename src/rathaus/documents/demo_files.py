"""The demo's e-files (``data/demo-files.json``): a few files of Barleben's units with letters,
decisions and notes as small PDFs, one closed file for destruction, one for the archive and one
under a legal hold, so that every page of the e-file has something to show.

Everything goes through :mod:`rathaus.documents.services`. A file is keyed by its number and a
document by ``Document.source`` ``demo:<key>``; a file that exists already is left as it is, so
loading twice adds nothing. The text of the demo versions is read right away (the demo may run
without a worker), so the full-text search finds them at once.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from rathaus.core import files
from rathaus.core.demo import Tally
from rathaus.core.models import Authority, OrgUnit
from rathaus.documents import fulltext, services
from rathaus.documents.models import Document, File, FileEvent, Subject, Version

DEMO_FILES = Path(__file__).parent / "data" / "demo-files.json"
SOURCE_PREFIX = "demo:"


def demo_files() -> dict[str, list[dict[str, Any]]]:
    return dict(json.loads(DEMO_FILES.read_text(encoding="utf-8"))["authorities"])


def load(tally: Tally) -> None:
    for slug, specs in demo_files().items():
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            continue
        for spec in specs:
            if File.objects.filter(authority=authority, number=spec["number"]).exists():
                tally[f"E-file {spec['number']}: unchanged"] += 1
                continue
            file = _load_file(authority, spec)
            tally[f"E-file {file.number} ({_state(file)}): created"] += 1
            tally["Document: created"] += len(spec["documents"])
            tally["Version: created"] += sum(
                1 + len(document.get("versions", [])) for document in spec["documents"]
            )


def _state(file: File) -> str:
    if file.is_held:
        return "legal hold"
    if file.status == File.Status.CLOSED:
        to = "the archive" if file.subject.disposal == Subject.Disposal.ARCHIVE else "destruction"
        return f"closed, retention ended, for {to}"
    return "open"


def _moment(day: str, *, days: int = 0, hour: int = 9) -> dt.datetime:
    date = dt.date.fromisoformat(day) + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(date, dt.time(hour)))


def _load_file(authority: Authority, spec: dict[str, Any]) -> File:
    unit = OrgUnit.objects.get(authority=authority, slug=spec["unit"])
    user = get_user_model().objects.filter(username=spec.get("user", "")).first()
    subject = None
    if spec.get("subject"):
        subject = Subject.objects.get(authority=authority, code=spec["subject"])
    file = services.create_file(
        unit=unit, title=spec["title"], user=user, subject=subject, number=spec["number"]
    )
    # The demo tells a story of earlier years: the file and its history show when things
    # really happened, not when the demo was loaded.
    File.objects.filter(pk=file.pk).update(created_at=_moment(spec["created"]))
    _date_history(file, 0, _moment(spec["created"]))
    for document_spec in spec["documents"]:
        _load_document(file, document_spec, user)
    if spec.get("closed"):
        closed = _moment(spec["closed"], hour=15)
        before = _last_event(file)
        file = services.close(file, user, now=closed)
        _date_history(file, before, closed)
    if spec.get("hold"):
        file = services.hold(file, user, spec["hold"])
    return File.objects.select_related("subject").get(pk=file.pk)


def _load_document(file: File, spec: dict[str, Any], user: Any) -> Document:
    versions = [{"text": spec["text"], "reason": "", "final": spec.get("final", False)}]
    versions += spec.get("versions", [])
    before = _last_event(file)
    document = services.add_document(
        file,
        _content(spec, versions[0]["text"]),
        title=spec["title"],
        kind=spec["kind"],
        direction=spec["direction"],
        user=user,
        received_on=dt.date.fromisoformat(spec["date"]),
        sender=spec.get("sender", ""),
        source=f"{SOURCE_PREFIX}{spec['key']}",
    )
    Document.objects.filter(pk=document.pk).update(created_at=_moment(spec["date"]))
    _date_history(file, before, _moment(spec["date"]))
    for later in versions[1:]:
        services.add_version(document, _content(spec, later["text"]), user=user,
                             reason=later["reason"])  # fmt: skip
    for number, version_spec in enumerate(versions, start=1):
        version = document.versions.get(number=number)
        if version_spec.get("final"):
            version = services.mark_final(version, user)
        moment = _moment(spec["date"], days=7 * (number - 1))
        Version.objects.filter(pk=version.pk).update(
            created_at=moment, finalised_at=moment if version.final else None
        )
        fulltext.extract_version(version.pk)
    _date_versions(file, document)
    return document


def _last_event(file: File) -> int:
    return FileEvent.objects.filter(file=file).aggregate(last=Max("pk"))["last"] or 0


def _date_history(file: File, after: int, moment: dt.datetime) -> None:
    """The history entries written since ``after`` took place at ``moment``."""
    FileEvent.objects.filter(file=file, pk__gt=after).update(at=moment)


def _date_versions(file: File, document: Document) -> None:
    """A new version's or final mark's history entry takes the date of its version."""
    for version in document.versions.all():
        FileEvent.objects.filter(
            file=file, kind__in=["version_added", "version_final"],
            detail__document=document.pk, detail__version=version.number,
        ).update(at=version.created_at)  # fmt: skip


def _content(spec: dict[str, Any], paragraphs: list[str]) -> services.NewContent:
    day = dt.date.fromisoformat(spec["date"]).strftime("%d.%m.%Y")
    data = text_pdf(spec["title"], [spec.get("sender", ""), day, *paragraphs])
    stored = files.store_bytes(data, name=spec["filename"], media_type="application/pdf")
    return services.NewContent(stored, spec["filename"])


# --- a small text PDF ---------------------------------------------------------------------------
# The demo needs a dozen letters as PDFs; writing them directly takes a millisecond each, where
# WeasyPrint takes a good part of a second, and every test that loads the demo would pay that.

_LINES_PER_PAGE = 50


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    out = bytearray(b"(")
    for byte in raw:
        if byte in b"()\\":
            out += b"\\" + bytes([byte])
        elif byte < 32 or byte > 126:
            out += f"\\{byte:03o}".encode()
        else:
            out.append(byte)
    return bytes(out + b")")


def text_pdf(title: str, paragraphs: list[str]) -> bytes:
    """An A4 PDF with ``title`` in bold and the paragraphs in Helvetica (Windows-1252 text)."""
    lines: list[tuple[str, str]] = [("F2", line) for line in textwrap.wrap(title, 60)]
    for paragraph in paragraphs:
        if paragraph:
            lines.append(("F1", ""))
            lines += [("F1", line) for line in textwrap.wrap(paragraph, 88)]
    pages = [lines[i : i + _LINES_PER_PAGE] for i in range(0, len(lines), _LINES_PER_PAGE)]
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        font % b"Helvetica",
        font % b"Helvetica-Bold",
    ]
    kids = []
    for page in pages:
        stream = bytearray(b"BT 56 790 Td 15 TL\n")
        for font_name, line in page:
            size = b"13" if font_name == "F2" else b"11"
            stream += b"/" + font_name.encode() + b" " + size + b" Tf " + _pdf_string(line)
            stream += b" Tj T*\n"
        stream += b"ET"
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), bytes(stream)))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % (len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)

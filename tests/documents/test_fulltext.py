"""Reading the text of document versions: PDFs, Word and OpenDocument files, and scans by OCR.

The OCR tests run Tesseract for real through OCRmyPDF: the machine needs the Debian packages
``tesseract-ocr``, ``tesseract-ocr-deu`` and ``ghostscript`` (README, .ci/run). They are not
skipped when those are missing; they fail.
"""

from __future__ import annotations

import io
import sys
import zipfile

import pytest
from PIL import Image, ImageDraw, ImageFont

from rathaus.core import files
from rathaus.documents import fulltext, ocr, search, services
from rathaus.documents.models import Document, Version
from tests.factories import FileFactory, OrgUnitFactory, UserFactory
from tests.support import clerk_of

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core

LETTER = [
    "Stadtverwaltung Musterstadt",
    "Bauordnungsamt",
    "",
    "Antrag auf Baugenehmigung",
    "Sehr geehrte Damen und Herren,",
    "hiermit beantrage ich die Genehmigung",
    "für einen Carport auf dem Grundstück",
    "Lindenstraße 12, Flurstück 347.",
    "Mit freundlichen Grüßen",
]


def scanned_letter(lines: list[str] = LETTER, kind: str = "PDF") -> bytes:
    """A page of text as a picture only (no text layer), as a scanner makes it, at 200 dpi."""
    page = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 44)
    for row, line in enumerate(lines):
        draw.text((150, 200 + row * 80), line, fill=0, font=font)
    out = io.BytesIO()
    page.save(out, kind, resolution=200.0) if kind == "PDF" else page.save(
        out, kind, dpi=(200, 200)
    )
    return out.getvalue()


def text_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (Helvetica, Latin-1)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def docx(paragraphs: list[str]) -> bytes:
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r><w:r><w:tab/></w:r></w:p>'
        for text in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": document})


def odt(heading: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<text:p>{text}<text:s/>ende</text:p>" for text in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        f"<office:body><office:text><text:h>{heading}</text:h>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    return _zip({"mimetype": fulltext.ODT, "content.xml": content})


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def filed(content: bytes, media_type: str, name: str, file=None) -> Version:
    """A document of one version with this content, its text read by the worker's function."""
    stored = files.store_bytes(content, name=name, media_type=media_type)
    document = services.add_document(
        file or FileFactory(), services.NewContent(stored), title="Eingang",
        kind=Document.Kind.LETTER, direction=Document.Direction.INCOMING, user=UserFactory(),
    )  # fmt: skip
    version = document.versions.get()
    fulltext.extract_version(version.pk)
    version.refresh_from_db()
    return version


@pytest.mark.django_db
def test_the_text_layer_of_a_pdf_is_read():
    version = filed(text_pdf("Widerspruch gegen den Gebuehrenbescheid"), "application/pdf", "w.pdf")

    assert version.text_status == Version.TextStatus.DONE
    assert "Widerspruch gegen den Gebuehrenbescheid" in version.text


@pytest.mark.django_db
def test_word_and_opendocument_texts_are_read_paragraph_by_paragraph():
    word = filed(docx(["Stellungnahme des Ordnungsamts", "Sondernutzung &amp; Straßenfest"]),
                 fulltext.DOCX, "s.docx")  # fmt: skip
    writer = filed(odt("Protokoll", ["Ortschaftsrat Hühnerberg"]), fulltext.ODT, "p.odt")

    assert word.text_status == Version.TextStatus.DONE
    assert word.text == "Stellungnahme des Ordnungsamts Sondernutzung & Straßenfest"
    assert writer.text == "Protokoll Ortschaftsrat Hühnerberg ende"


@pytest.mark.django_db
def test_a_broken_office_file_is_failed_and_kept():
    version = filed(b"PK\x03\x04 kein zip", fulltext.DOCX, "kaputt.docx")

    assert version.text_status == Version.TextStatus.FAILED
    assert version.text_error.startswith("DOCX:")
    assert files.blob_exists(version.file.key)


@pytest.mark.django_db
def test_a_corrupted_pdf_is_failed_with_the_reason_and_stays_stored():
    version = filed(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF\x00\xff",
                    "application/pdf", "kaputt.pdf")  # fmt: skip

    assert version.text_status == Version.TextStatus.FAILED
    assert version.text_error
    assert Document.objects.filter(pk=version.document_id).exists()
    assert version.file.read_bytes().startswith(b"%PDF-1.7")


@pytest.mark.django_db
def test_ocr_that_takes_too_long_marks_the_version_failed_and_keeps_the_document(
    settings, monkeypatch
):
    settings.RATHAUS_OCR_TIMEOUT = 1
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(ocr, "command", lambda *args, **kwargs: sleeper)

    version = filed(scanned_letter(["Eilt"]), "application/pdf", "scan.pdf")

    assert version.text_status == Version.TextStatus.FAILED
    assert version.text_error == "OCR: took longer than 1 seconds"
    assert Document.objects.filter(pk=version.document_id).exists()


@pytest.mark.django_db
def test_ocr_that_fails_marks_the_version_failed_with_the_reason(monkeypatch):
    failing = [sys.executable, "-c", "import sys; sys.exit('Tesseract fehlt')"]
    monkeypatch.setattr(ocr, "command", lambda *args, **kwargs: failing)

    version = filed(scanned_letter(["Eilt"], "PNG"), "image/png", "scan.png")

    assert version.text_status == Version.TextStatus.FAILED
    assert version.text_error == "OCR: exit 1: Tesseract fehlt"


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_scanned_letter_is_read_by_ocr_and_found_by_a_word_in_it():
    unit = OrgUnitFactory()
    clerk = clerk_of(unit, "sachbearbeitung")

    version = filed(scanned_letter(), "application/pdf", "scan.pdf", FileFactory(org_unit=unit))

    assert version.text_status == Version.TextStatus.DONE, version.text_error
    assert "Baugenehmigung" in version.text
    assert "Carport" in version.text
    [hit] = search.search(clerk, "carport")
    assert hit.document_id == version.document_id
    assert "<mark>Carport</mark>" in hit.snippet


@pytest.mark.ocr
@pytest.mark.django_db
def test_a_photographed_page_is_read_by_ocr():
    version = filed(scanned_letter(LETTER[3:5], "PNG"), "image/png", "foto.png")

    assert version.text_status == Version.TextStatus.DONE, version.text_error
    assert "Baugenehmigung" in version.text

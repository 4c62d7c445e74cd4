"""Upload checks (rathaus.core.files): only files whose content is what they claim, without active
content or malware, are stored, privately and completely; everything else is refused with a
clear message and leaves nothing on disk."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import stat
import zipfile
import zlib
from pathlib import Path

import pydyf
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from rathaus.core import files
from rathaus.core.files import (
    DOCX,
    JPEG,
    MP4,
    ODT,
    PDF,
    PNG,
    VTT,
    WEBM,
    WEBP,
    UploadRejected,
    UploadRules,
    check_and_store,
    check_upload,
    open_blob,
    sanitize_name,
)
from rathaus.core.files.limits import (
    LimitedUploadHandler,
    UploadLimitMiddleware,
    UploadTooLarge,
    request_too_large,
)
from tests.support import EICAR, JS_ACTION, image, pdf

MiB = 1024 * 1024
RULES = UploadRules(accept=(PDF, JPEG, PNG), max_bytes=10 * MiB)
OFFICE_RULES = UploadRules(accept=(PDF, DOCX, ODT), max_bytes=10 * MiB)


@pytest.fixture
def media(settings, tmp_path, db) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATHAUS_VIRUS_SCANNER = "none"
    return settings.MEDIA_ROOT


@pytest.fixture
def clamav(settings, media, clamd) -> str:
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = clamd
    settings.RATHAUS_CLAMD_TIMEOUT_SECONDS = 10
    return clamd


def upload(name: str, data: bytes, content_type: str = "") -> SimpleUploadedFile:
    """A file as the multipart parser hands it over (SimpleUploadedFile defaults to text/plain)."""
    return SimpleUploadedFile(name, data, content_type)


def files_in(directory: Path) -> list[Path]:
    return [path for path in directory.rglob("*") if path.is_file()] if directory.exists() else []


def rejected(data: bytes, name: str, rules: UploadRules = RULES, content_type: str = "") -> str:
    """Upload a file that must be refused; return the code after checking nothing was kept."""
    with pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload(name, data, content_type), rules)
    assert files_in(Path(django_settings.MEDIA_ROOT)) == []
    assert excinfo.value.message
    return excinfo.value.code


# --- generated files -------------------------------------------------------------------------


def zip_file(members: dict[str, bytes], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(stored_first, members.pop(stored_first), zipfile.ZIP_STORED)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx(**extra: bytes) -> bytes:
    return zip_file({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document><w:body>Antrag</w:body></w:document>',
        **extra,
    })  # fmt: skip


def odt(**extra: bytes) -> bytes:
    return zip_file(
        {"mimetype": ODT.encode(), "content.xml": b"<office:document-content/>", **extra},
        stored_first="mimetype",
    )


def zeros_zip(size: int) -> bytes:
    """A real archive with one member of ``size`` zero bytes, written in 1 MiB pieces."""
    buffer = io.BytesIO()
    piece = bytes(MiB)
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("daten.xml", "w", force_zip64=True) as member,
    ):
        for _ in range(size // MiB):
            member.write(piece)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """1 GiB of zeros in about 1 MiB."""
    return zeros_zip(1024 * MiB)


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + bytes(44)
    + b"PE\x00\x00"
    + bytes(200)
)


# --- accepted files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "detected"),
    [
        ("Antrag.pdf", pdf(), "application/pdf", PDF),
        ("Foto.JPG", image("JPEG"), "image/jpeg", JPEG),
        ("Foto.jpeg", image("JPEG"), "image/pjpeg", JPEG),
        ("Plan.png", image("PNG"), "image/png", PNG),
        ("Plan.png", image("PNG"), "application/octet-stream", PNG),
        ("Plan.png", image("PNG"), "", PNG),
    ],
)
def test_accepted_file_is_stored_privately_with_its_checksum(
    media, name, data, content_type, detected, django_capture_on_commit_callbacks
):
    stored = check_and_store(upload(name, data, content_type), RULES)

    assert stored.original_name == name
    assert stored.content_type == detected
    assert stored.size == len(data)
    assert stored.sha512 == hashlib.sha512(data).hexdigest()
    sha256 = hashlib.sha256(data).hexdigest()
    assert stored.file.sha256 == sha256
    assert re.fullmatch(r"blobs/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}", stored.file.key)
    path = media / stored.file.key
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert files_in(media) == [path]  # no partial file left beside it
    assert stored.file.read_bytes() == data
    with django_capture_on_commit_callbacks(execute=True):
        files.release([stored.file])
    assert files_in(media) == []
    files.release([stored.file])  # already gone: no error


def test_the_same_file_uploaded_twice_is_one_blob_under_a_name_from_its_content(
    media, django_capture_on_commit_callbacks
):
    first = check_and_store(upload("a.pdf", pdf()), RULES)
    second = check_and_store(upload("b.pdf", pdf()), RULES)
    assert first.file.pk != second.file.pk
    assert (first.original_name, second.original_name) == ("a.pdf", "b.pdf")
    assert first.file.key == second.file.key
    assert "a.pdf" not in first.file.key
    assert files_in(media) == [media / first.file.key]
    with django_capture_on_commit_callbacks(execute=True):
        files.release([first.file])
    assert second.file.read_bytes() == pdf()  # still held by the second
    with django_capture_on_commit_callbacks(execute=True):
        files.release([second.file])
    assert files_in(media) == []


def test_real_pdf_from_weasyprint_is_accepted(media):
    from weasyprint import HTML

    data = HTML(string="<h1>Antrag</h1><p><a href='https://example.de'>Link</a></p>").write_pdf()
    stored = check_and_store(upload("antrag.pdf", data, "application/pdf"), RULES)
    assert stored.sha512 == hashlib.sha512(data).hexdigest()


def test_pdf_that_opens_on_a_page_without_script_is_accepted(media):
    data = pdf(catalog=b"/OpenAction [3 0 R /Fit]")
    assert check_and_store(upload("a.pdf", data), RULES).content_type == PDF


def test_names_of_active_content_inside_page_text_are_not_mistaken_for_it(media):
    data = pdf(content=b"BT /F1 12 Tf 72 720 Td (/JavaScript /JS /AA) Tj ET")
    assert check_and_store(upload("a.pdf", data), RULES).content_type == PDF


def test_webp_and_office_documents_when_the_form_accepts_them(media):
    rules = UploadRules(accept=(WEBP, DOCX, ODT), max_bytes=MiB)
    assert check_and_store(upload("b.webp", image("WEBP")), rules).content_type == WEBP
    assert check_and_store(upload("c.docx", docx()), rules).content_type == DOCX
    assert check_and_store(upload("d.odt", odt()), rules).content_type == ODT


def test_videos_and_captions_when_staff_upload_them(media):
    rules = UploadRules(accept=(MP4, WEBM, VTT), max_bytes=MiB)
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(64)
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + bytes(64)
    vtt = "\ufeffWEBVTT\n\n00:00.000 --> 00:02.000\nGrüß Gott\n".encode()
    assert check_and_store(upload("a.mp4", mp4, "video/mp4"), rules).content_type == MP4
    assert check_and_store(upload("b.webm", webm, "video/webm"), rules).content_type == WEBM
    assert check_and_store(upload("c.vtt", vtt, "text/vtt"), rules).content_type == VTT
    for name, data in [("d.vtt", b"WEBVTTX\n"), ("e.vtt", b"WEBVTT\n\xff\xfe"),
                       ("f.vtt", b"WEBVTT\n\x07"), ("g.mp4", pdf())]:  # fmt: skip
        with pytest.raises(UploadRejected):
            check_upload(upload(name, data), rules)


def test_display_name_is_sanitised(media):
    stored = check_and_store(upload("Antrag\u202e\x07.pdf", pdf()), RULES)
    assert stored.original_name == "Antrag.pdf"
    assert sanitize_name("C:\\Users\\Ana\\..\\Antrag\x00\u202e\x1b.pdf") == "Antrag.pdf"
    assert sanitize_name("../../etc/passwd") == "passwd"
    assert sanitize_name("...") == "file"
    long = sanitize_name("ä" * 300 + ".pdf")
    assert len(long) == 200
    assert long.endswith(".pdf")


def test_storage_keys_from_outside_cannot_reach_other_files(media):
    for key in ["../settings.py", "blobs/ab/cd/../../x", "/etc/passwd", "blobs/ab/cd/ABC"]:
        with pytest.raises(ValueError, match="not a storage key"):
            open_blob(key)


@pytest.mark.django_db
def test_stored_files_are_not_served_by_any_url(media, client, settings):
    stored = check_and_store(upload("a.pdf", pdf()), RULES)
    for url in [settings.MEDIA_URL + stored.file.key, "/" + stored.file.key]:
        assert client.get(url).status_code == 404


# --- size ------------------------------------------------------------------------------------


def test_file_larger_than_the_rules_is_refused_before_it_is_read(media):
    class Unreadable(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("the content must not be read")

    big = Unreadable("big.pdf", b"%PDF-1.7", "application/pdf")
    big.size = 11 * MiB
    with pytest.raises(UploadRejected) as excinfo:
        check_and_store(big, RULES)
    assert excinfo.value.code == "too_large"
    assert files_in(media) == []
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(big, RULES)
    assert excinfo.value.message == "Die Datei ist größer als 10,0\xa0MB."


def test_the_hard_ceiling_applies_whatever_the_form_allows(media, settings):
    settings.RATHAUS_UPLOAD_MAX_BYTES = 1000
    assert rejected(pdf() + bytes(2000), "a.pdf", UploadRules((PDF,), 100 * MiB)) == "too_large"


def test_file_that_is_larger_than_its_announced_size_is_refused_while_writing(media):
    lying = upload("a.pdf", pdf() + bytes(2 * MiB))
    lying.size = 1000  # what a lying handler would report
    with pytest.raises(UploadRejected) as excinfo:
        check_and_store(lying, UploadRules((PDF,), MiB))
    assert excinfo.value.code == "too_large"
    assert files_in(media) == []


def test_empty_file_is_refused(media):
    assert rejected(b"", "leer.pdf") == "empty"


# --- type ------------------------------------------------------------------------------------


def test_program_renamed_to_pdf_is_refused_naming_the_allowed_types(media):
    assert rejected(EXE, "rechnung.pdf", content_type="application/pdf") == "type_mismatch"
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload("rechnung.pdf", EXE), RULES)
    assert "PDF, JPEG oder PNG" in excinfo.value.message
    assert excinfo.value.message.startswith("Der Inhalt der Datei passt nicht")


def test_program_under_its_own_name_is_not_allowed(media):
    assert rejected(EXE, "setup.exe", content_type="application/x-msdownload") == "type_not_allowed"


def test_accepted_type_that_this_question_does_not_take_is_not_allowed(media):
    assert rejected(image("PNG"), "plan.png", UploadRules((PDF,), MiB)) == "type_not_allowed"


def test_jpeg_named_png_is_a_mismatch(media):
    assert rejected(image("JPEG"), "foto.png", content_type="image/png") == "type_mismatch"


def test_declared_type_that_contradicts_the_content_is_a_mismatch(media):
    assert rejected(image("PNG"), "plan.png", content_type="image/jpeg") == "type_mismatch"
    assert rejected(pdf(), "a.pdf", content_type="text/html") == "type_mismatch"


def test_file_without_a_matching_extension_is_a_mismatch(media):
    assert rejected(pdf(), "antrag", content_type="application/pdf") == "type_mismatch"
    assert rejected(pdf(), "antrag.pdf.html") == "type_mismatch"


def test_text_file_is_not_allowed(media):
    assert (
        rejected(b"Hallo Gemeinde\n", "brief.txt", content_type="text/plain") == "type_not_allowed"
    )


def test_damaged_files_are_refused_as_unreadable(media):
    png = image("PNG")
    assert rejected(png[:40] + bytes(100), "kaputt.png") == "unreadable"
    assert rejected(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "kaputt.pdf") == "unreadable"


# --- PDF with JavaScript ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(pdf(catalog=b"/OpenAction 5 0 R", objects=(JS_ACTION,)), id="open-action"),
        pytest.param(pdf(catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>"), id="launch"),
        pytest.param(
            pdf(
                catalog=b"/Names << /JavaScript 6 0 R >>",
                objects=(JS_ACTION, b"<< /Names [(start) 5 0 R] >>"),
            ),
            id="names-tree",
        ),
        pytest.param(
            pdf(
                page=b"/Annots [6 0 R]",
                objects=(JS_ACTION, b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>"),
            ),
            id="link-annotation",
        ),
        pytest.param(pdf(page=b"/AA << /O 5 0 R >>", objects=(JS_ACTION,)), id="page-open-action"),
        pytest.param(
            pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
            id="hex-escaped-names",
        ),
        pytest.param(pdf(objects=(JS_ACTION,)), id="unreferenced-object"),
        pytest.param(
            pdf(catalog=b"/AcroForm << /Fields [] /XFA 5 0 R >>", objects=(b"[]",)), id="xfa"
        ),
    ],
)
def test_pdf_with_javascript_or_actions_is_refused(media, data):
    assert rejected(data, "antrag.pdf", content_type="application/pdf") == "pdf_javascript"


def test_pdf_with_javascript_in_a_compressed_object_stream_is_refused(media):
    document = pydyf.PDF()
    document.add_page(pydyf.Dictionary({"Type": "/Page", "Parent": document.pages.reference,
                                        "MediaBox": pydyf.Array([0, 0, 595, 842])}))  # fmt: skip
    action = pydyf.Dictionary({"S": "/JavaScript", "JS": pydyf.String("app.alert(1)")})
    document.add_object(action)
    document.catalog["OpenAction"] = action.reference
    buffer = io.BytesIO()
    document.write(buffer, compress=True)
    data = buffer.getvalue()
    assert b"JavaScript" not in data  # only a parser sees it
    assert rejected(data, "antrag.pdf") == "pdf_javascript"


def test_pdf_with_document_javascript_written_by_pypdf_is_refused(media):
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hallo');"))  # the document-level names tree
    buffer = io.BytesIO()
    writer.write(buffer)
    assert rejected(buffer.getvalue(), "antrag.pdf") == "pdf_javascript"
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload("antrag.pdf", buffer.getvalue()), RULES)
    assert "JavaScript" in excinfo.value.message
    assert excinfo.value.message.startswith("Die PDF-Datei enthält")


# --- ZIP-based files -------------------------------------------------------------------------


def test_zip_bomb_renamed_to_pdf_is_refused_by_its_type(media, zip_bomb):
    assert len(zip_bomb) < 2 * MiB
    assert rejected(zip_bomb, "antrag.pdf", content_type="application/pdf") == "type_mismatch"


def test_zip_bomb_is_not_allowed_where_no_documents_are_accepted(media, zip_bomb):
    assert rejected(zip_bomb, "daten.zip", content_type="application/zip") == "type_not_allowed"


@pytest.mark.parametrize("name", ["antrag.docx", "daten.zip", "antrag.odt"])
def test_zip_bomb_is_refused_from_its_central_directory(media, zip_bomb, name):
    assert rejected(zip_bomb, name, OFFICE_RULES) == "zip_bomb"


def test_archive_with_a_suspicious_compression_ratio_is_refused(media):
    data = zeros_zip(64 * MiB)  # below the size limit, but about 1000 : 1
    assert rejected(data, "antrag.docx", OFFICE_RULES) == "zip_bomb"


def test_document_with_a_nested_archive_is_refused(media):
    nested = zip_file({"a.txt": b"x"})
    assert rejected(docx(**{"word/media/image1.png": nested}), "a.docx", OFFICE_RULES) == "zip_bomb"


def test_documents_with_macros_are_refused(media):
    word = docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)})
    assert rejected(word, "antrag.docx", OFFICE_RULES) == "macros"
    writer = odt(**{"Basic/Standard/Module1.xml": b"<script:module/>"})
    assert rejected(writer, "antrag.odt", OFFICE_RULES) == "macros"


def test_plain_zip_named_like_a_document_is_a_mismatch(media):
    assert rejected(zip_file({"a.txt": b"x"}), "antrag.docx", OFFICE_RULES) == "type_mismatch"


# --- virus scanner ---------------------------------------------------------------------------


def test_clean_file_passes_the_real_scanner(clamav, media):
    stored = check_and_store(upload("a.pdf", pdf()), RULES)
    assert (media / stored.file.key).exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("antrag.pdf", pdf(content=b"BT (" + EICAR + b") Tj ET")),
        ("foto.png", image("PNG") + EICAR),  # appended after the image's end
    ],
)
def test_malware_is_refused_without_naming_it_to_the_citizen(clamav, media, caplog, name, data):
    caplog.set_level(logging.WARNING, logger="rathaus.core.files.checks")
    with pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload(name, data), RULES)
    assert excinfo.value.code == "malware"
    assert "EICAR" not in excinfo.value.message
    assert "Rathaus.Test.EICAR" in caplog.text
    assert files_in(media) == []


def test_unreachable_scanner_refuses_the_file(settings, media, tmp_path):
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = str(tmp_path / "no-clamd.sock")
    assert rejected(pdf(), "antrag.pdf") == "scanner_unavailable"
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload("antrag.pdf", pdf()), RULES)
    assert excinfo.value.message == (
        "Die Virenprüfung für Dateien ist gerade nicht erreichbar, deshalb kann die Datei noch "
        "nicht angenommen werden. Ihre übrigen Angaben bleiben erhalten. Bitte versuchen Sie es "
        "später erneut."
    )
    assert (excinfo.value.status, excinfo.value.retry_after) == (503, 300)
    assert files_in(media) == []


# --- decompression bombs ---------------------------------------------------------------------


def _deflated_zeros(gibibytes: int = 1, *, header: bool = True, prefix: bytes = b"") -> bytes:
    """Zeros deflated to about 1 MB per GiB, built without the gigabyte: one full-flushed block of
    a mebibyte of zeros repeated (it refers to nothing before it), then the final block."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = raw.compress(prefix) + raw.flush(zlib.Z_FULL_FLUSH) if prefix else b""
    block = raw.compress(bytes(MiB)) + raw.flush(zlib.Z_FULL_FLUSH)
    count = 1024 * gibibytes
    body = start + block * count + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    if not header:
        return body
    adler = ((count * MiB) % 65521) << 16 | 1  # the Adler-32 of that many zeros
    return b"\x78\xda" + body + adler.to_bytes(4, "big")


def _pdf_with_stream(dictionary: bytes, data: bytes) -> bytes:
    """A PDF whose page draws an image XObject with this stream (object 5)."""
    stream = b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
    stream += b"/BitsPerComponent 8 " + dictionary + b" /Length %d >>\nstream\n" % len(data)
    return pdf(
        page=b"/Resources << /XObject << /Im0 5 0 R >> >>",
        objects=(stream + data + b"\nendstream",),
    )


def test_the_bomb_fixture_really_inflates_to_a_gigabyte():
    inflater = zlib.decompressobj()
    total = 0
    data = _deflated_zeros()
    while data:
        total += len(inflater.decompress(data, 64 * MiB))
        data = inflater.unconsumed_tail
    assert total == 1024 * MiB
    assert inflater.eof
    assert len(_deflated_zeros()) < 1.1 * MiB


@pytest.mark.parametrize(
    ("dictionary", "data"),
    [
        pytest.param(b"/Filter /FlateDecode", _deflated_zeros(), id="flate"),
        pytest.param(b"/Filter /Fl", _deflated_zeros(), id="abbreviated"),
        pytest.param(b"/Filter /Fl#61teDecode", _deflated_zeros(), id="escaped-name"),
        pytest.param(b"/Filter 9 0 R", _deflated_zeros(), id="indirect-filter"),
        pytest.param(b"/Filter [/FlateDecode]", _deflated_zeros(header=False), id="raw-deflate"),
        pytest.param(
            b"/Filter [/FlateDecode /FlateDecode]", zlib.compress(_deflated_zeros(), 9), id="twice"
        ),
        pytest.param(  # what it inflates to looks like a second layer but is not one
            b"/Filter 9 0 R", _deflated_zeros(prefix=b"\x78\x01\xff\xff"), id="false-layer"
        ),
        pytest.param(  # the same behind a declared single filter
            b"/Filter /FlateDecode", _deflated_zeros(prefix=b"\x78\x01\xff\xff"), id="declared"
        ),
    ],
)
def test_a_pdf_that_inflates_to_a_gigabyte_is_refused(media, dictionary, data):
    bomb = _pdf_with_stream(dictionary, data)
    assert len(bomb) < 1.2 * MiB
    assert rejected(bomb, "antrag.pdf") == "pdf_bomb"


def test_the_pdf_bomb_message_is_clear_and_german(media):
    bomb = _pdf_with_stream(b"/Filter /FlateDecode", _deflated_zeros())
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload("antrag.pdf", bomb), RULES)
    assert excinfo.value.message == (
        "Die PDF-Datei enthält gepackte Daten, die entpackt größer als 256,0\xa0MB wären, und kann "
        "nicht angenommen werden. Bitte speichern Sie sie neu, zum Beispiel mit „Als PDF drucken“."
    )
    assert "beschädigt" not in excinfo.value.message


def test_a_pdf_with_ordinary_compressed_streams_is_accepted(media):
    scan = zlib.compress(bytes(8 * MiB))  # a blank page scanned at a high resolution
    stored = check_and_store(
        upload("scan.pdf", _pdf_with_stream(b"/Filter /FlateDecode", scan)), RULES
    )
    assert stored.content_type == PDF


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims this size; Pillow reads the size from the header alone."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return len(data).to_bytes(4, "big") + kind + data + crc.to_bytes(4, "big")

    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    pixels = zlib.compress(b"\0" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "size", [(10_000, 10_000), (30_000, 30_000)], ids=["over-the-limit", "over-twice-the-limit"]
)
def test_an_image_with_too_many_pixels_gets_its_own_message(media, size):
    data = _png_header(*size)
    assert rejected(data, "riesig.png") == "image_too_large"
    with translation.override("de"), pytest.raises(UploadRejected) as excinfo:
        check_and_store(upload("riesig.png", data), RULES)
    message = excinfo.value.message
    assert "beschädigt" not in message
    assert "höchstens 89 Millionen Bildpunkte" in message


# --- request guards --------------------------------------------------------------------------


class GeneratedBody:
    """A request body of ``head``, ``size`` zero bytes and ``tail``, made while it is read."""

    def __init__(self, head: bytes, size: int, tail: bytes) -> None:
        self.parts = [(head, len(head)), (b"", size), (tail, len(tail))]
        self.total = len(head) + size + len(tail)
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = self.total - self.position
        out = bytearray()
        start = 0
        for data, length in self.parts:
            end = start + length
            if self.position < end and len(out) < size:
                take = min(end - self.position, size - len(out))
                offset = self.position - start
                out += data[offset : offset + take] if data else bytes(take)
                self.position += take
            start = end
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("the multipart parser reads in chunks, not lines")


def multipart_request(
    size: int, filename: str = "gross.pdf", data: bytes = b"", content_type: str = "application/pdf"
):
    boundary = "rathaus-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="datei"; filename="{filename}"'
        f"\r\nContent-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    body = GeneratedBody(head + data, size, tail)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/antrag/",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(body.total),
    }
    return WSGIRequest(environ), body


@pytest.fixture
def small_limits(settings, tmp_path):
    settings.RATHAUS_UPLOAD_MAX_BYTES = MiB
    settings.RATHAUS_UPLOAD_REQUEST_MAX_BYTES = 1024 * MiB
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "incoming")
    (tmp_path / "incoming").mkdir()
    return tmp_path / "incoming"


def test_handler_stops_a_200_mb_upload_after_the_limit(small_limits):
    request, body = multipart_request(200 * MiB)
    request.upload_handlers.insert(0, LimitedUploadHandler(request))
    with pytest.raises(UploadTooLarge) as excinfo:
        request.FILES  # noqa: B018
    assert excinfo.value.limit == MiB
    assert excinfo.value.file_name == "gross.pdf"
    # Read: the limit plus at most a few parser chunks of 64 KiB, not 200 MB.
    assert body.position < MiB + 4 * 64 * 1024
    assert files_in(small_limits) == []  # the temporary file of the partial upload is gone


def test_middleware_answers_413_for_a_file_over_the_limit(small_limits):
    request, body = multipart_request(200 * MiB)

    def view(request: HttpRequest) -> HttpResponse:
        raise AssertionError("the view must not run")

    with translation.override("de"):
        response = UploadLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert "zu groß" in response.content.decode()
    assert "1,0\xa0MB" in response.content.decode()
    assert body.position < MiB + 4 * 64 * 1024


def test_request_over_the_request_limit_is_refused_before_reading(small_limits, settings):
    settings.RATHAUS_UPLOAD_REQUEST_MAX_BYTES = 50 * MiB
    request, body = multipart_request(60 * MiB)
    assert request_too_large(request) is True
    response = UploadLimitMiddleware(lambda request: HttpResponse("view"))(request)
    assert response.status_code == 413
    assert body.position == 0


def test_request_size_check_reads_only_the_header():
    request = HttpRequest()
    request.META["CONTENT_LENGTH"] = "1000"
    assert request_too_large(request) is False
    request.META["CONTENT_LENGTH"] = "not a number"
    assert request_too_large(request) is False
    request.META["CONTENT_LENGTH"] = str(10**12)
    assert request_too_large(request) is True


def test_small_upload_passes_the_middleware_and_is_stored(small_limits, media):
    png = image("PNG")
    request, _body = multipart_request(0, filename="plan.png", data=png, content_type="image/png")
    seen: list[object] = []

    def view(request: HttpRequest) -> HttpResponse:
        seen.append(check_and_store(request.FILES["datei"], RULES))
        return HttpResponse("ok")

    response = UploadLimitMiddleware(view)(request)
    assert response.status_code == 200
    assert len(seen) == 1
    assert seen[0].sha512 == hashlib.sha512(png).hexdigest()

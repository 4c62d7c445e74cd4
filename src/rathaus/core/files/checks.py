"""The upload checks: one pipeline that every app runs on a file from outside.

:func:`check_upload` accepts a file only when every check passes, in this order: size (before
anything is read), the real type from the content's magic bytes compared with the accept list,
the file name's extension and the browser's declared type, the content checks of that type (PDF
without JavaScript or actions and without compressed streams that inflate beyond
:data:`PDF_MAX_INFLATED_BYTES`, images that open as what they claim and have at most
:data:`IMAGE_MAX_PIXELS` pixels, office documents without archive bombs, nested archives or
macros), and the virus scanner (ADR 0008, ADR 0027). The file is written
once, in chunks, to a private temporary file while its SHA-256 and SHA-512 are computed; a file
that fails a check is removed again. :func:`rathaus.core.files.check_and_store` then keeps it as
a content-addressed blob (ADR 0019).

The guards that work before a view sees the files are in :mod:`rathaus.core.files.limits`.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, gettext_lazy
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import LimitReachedError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from rathaus.core.files.inflation import PDF_MAX_INFLATED_BYTES, pdf_inflates_too_far
from rathaus.core.files.limits import file_limit, size_in_words
from rathaus.core.scanning import ScannerUnavailable, get_scanner

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 8192  # what the type detector looks at
TEMP_DIR = "tmp"  # below MEDIA_ROOT: a checked file is renamed from there into the store
MAX_NAME_CHARS = 200

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ZIP = "application/zip"
MP4 = "video/mp4"
WEBM = "video/webm"
VTT = "text/vtt"


@dataclass(frozen=True)
class FileType:
    """A type that uploads may have: its label for people, extensions and declared aliases."""

    mime: str
    label: str
    extensions: tuple[str, ...]
    aliases: tuple[str, ...] = ()  # other declared content types that browsers send for it
    pil_format: str = ""  # Pillow must open the file as this format
    zip_based: bool = False


_ZIP_DECLARED = (ZIP, "application/x-zip-compressed")
SUPPORTED_TYPES: dict[str, FileType] = {
    kind.mime: kind
    for kind in (
        FileType(PDF, "PDF", (".pdf",), ("application/x-pdf",)),
        FileType(JPEG, "JPEG", (".jpg", ".jpeg"), ("image/jpg", "image/pjpeg"), "JPEG"),
        FileType(PNG, "PNG", (".png",), ("image/x-png",), "PNG"),
        FileType(WEBP, "WebP", (".webp",), (), "WEBP"),
        FileType(HEIC, "HEIC", (".heic", ".heif"), ("image/heif",)),
        FileType(DOCX, "Word (DOCX)", (".docx",), _ZIP_DECLARED, zip_based=True),
        FileType(ODT, "OpenDocument (ODT)", (".odt",), _ZIP_DECLARED, zip_based=True),
        # Staff upload videos in sign language and their captions (ADR 0024).
        FileType(MP4, "MP4", (".mp4", ".m4v"), ("video/x-m4v",)),
        FileType(WEBM, "WebM", (".webm",)),
        FileType(VTT, "WebVTT", (".vtt",), ("text/plain",)),
    )
}
# Browsers send these when they do not know the type; they say nothing about the content.
_UNSPECIFIC_DECLARED = {"", "application/octet-stream", "binary/octet-stream",
                        "application/x-download", "application/force-download",
                        "application/unknown"}  # fmt: skip

# ZIP-based documents: limits read from the central directory, without extracting anything.
ZIP_MAX_MEMBERS = 2000
ZIP_MAX_TOTAL_BYTES = 256 * 1024 * 1024
ZIP_MAX_RATIO = 100  # uncompressed/compressed, for a member or the whole archive
ZIP_RATIO_MIN_BYTES = 1024 * 1024  # small members may compress better without harm
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf\x27\x1c", b"Rar!",
                  b"BZh", b"\xfd7zXZ\x00", b"MSCF")  # fmt: skip

# PDF: dictionary keys and action types that run code or act without the reader asking.
_PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/AA", "/XFA"}
_PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/RichMediaExecute"}
_PDF_ACTIVE_NAMES = {b"JS", b"JavaScript", b"AA", b"XFA", b"Launch", b"ImportData",
                     b"RichMediaExecute"}  # fmt: skip
_PDF_MAX_OBJECTS = 500_000
_PDF_TOKEN = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)|/([^\s/<>\[\]()%{}]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# Images: Pillow's own limit, stated in the message; above it an image is a decompression bomb.
IMAGE_MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
# Retry-After (seconds) when the virus scanner cannot be reached.
SCANNER_RETRY_AFTER_SECONDS = 300


@dataclass(frozen=True)
class UploadRules:
    """What one file question accepts: MIME types (see SUPPORTED_TYPES) and a size limit."""

    accept: tuple[str, ...]
    max_bytes: int


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, still in its private temporary file."""

    path: Path
    original_name: str
    content_type: str
    size: int
    sha256: str
    sha512: str

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


class UploadRejected(Exception):
    """A file was refused; ``code`` for programs, ``message`` (translated) for the citizen.

    ``status`` is the HTTP status an answer should have: 413 for a file over the limit, 503
    (with ``Retry-After: retry_after``) when the virus scanner cannot be reached — the file
    itself may be fine, try again later — and 422 for everything else.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)  # str() is what a person may read; the code stays apart
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return {"too_large": 413, "scanner_unavailable": 503}.get(self.code, 422)

    @property
    def retry_after(self) -> int | None:
        return SCANNER_RETRY_AFTER_SECONDS if self.code == "scanner_unavailable" else None


# --- messages --------------------------------------------------------------------------------


def allowed_in_words(accept: tuple[str, ...]) -> str:
    labels = [SUPPORTED_TYPES[mime].label if mime in SUPPORTED_TYPES else mime for mime in accept]
    if len(labels) <= 1:
        return "".join(labels)
    return gettext("%(list)s or %(last)s") % {"list": ", ".join(labels[:-1]), "last": labels[-1]}


_MESSAGES = {
    "too_large": gettext_lazy("The file is larger than %(limit)s."),
    "empty": gettext_lazy("The file is empty."),
    "type_not_allowed": gettext_lazy(
        "This type of file is not accepted here. Please upload a file of type %(types)s."
    ),
    "type_mismatch": gettext_lazy(
        "The content of the file does not match its name or type. Please upload a file of "
        "type %(types)s."
    ),
    "pdf_javascript": gettext_lazy(
        "The PDF contains JavaScript or automatic actions and cannot be accepted. Please save "
        "it again without them, for example with “Print as PDF”."
    ),
    "pdf_bomb": gettext_lazy(
        "The PDF contains packed data that would unpack to more than %(inflated)s and cannot be "
        "accepted. Please save it again, for example with “Print as PDF”."
    ),
    "image_too_large": gettext_lazy(
        "The image has too many pixels; at most %(pixels)s million are accepted. Please save "
        "it with a smaller size or resolution, or take a photo with a lower resolution."
    ),
    "zip_bomb": gettext_lazy(
        "The document is packed in an unusual way or contains further archives and cannot be "
        "accepted."
    ),
    "macros": gettext_lazy(
        "The document contains macros and cannot be accepted. Please save it without macros."
    ),
    "malware": gettext_lazy("The file contains malware and was not accepted."),
    "scanner_unavailable": gettext_lazy(
        "The virus check for files is not available right now, so the file cannot be accepted "
        "yet. Your other entries are kept. Please try again later."
    ),
    "unreadable": gettext_lazy("The file cannot be read. It may be damaged."),
}
REJECTION_CODES = tuple(_MESSAGES)


def _reject(code: str, rules: UploadRules, limit: int = 0) -> UploadRejected:
    values = {
        "limit": size_in_words(limit),
        "types": allowed_in_words(rules.accept),
        "inflated": size_in_words(PDF_MAX_INFLATED_BYTES),
        "pixels": IMAGE_MAX_PIXELS // 1_000_000,
    }
    return UploadRejected(code, str(_MESSAGES[code]) % values)


# --- names and storage -----------------------------------------------------------------------


def sanitize_name(name: str) -> str:
    """A display name: no directories, no control or format characters, at most 200 chars."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    # Category C covers control characters and format characters such as U+202E (right-to-left
    # override), which would let "rechnung<U+202E>fdp.exe" be shown as "rechnungexe.pdf".
    base = "".join(char for char in base if not unicodedata.category(char).startswith("C"))
    base = base.strip().strip(".").strip() or "file"
    if len(base) > MAX_NAME_CHARS:
        suffix = PurePosixPath(base).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        base = base[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
    return base


def _new_temporary() -> Path:
    """A new, empty private file (mode 0600) in MEDIA_ROOT/tmp (mode 0700)."""
    directory = Path(settings.MEDIA_ROOT) / TEMP_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=directory)
    os.close(fd)
    return Path(name)


def _write(
    uploaded: UploadedFile, target: Path, limit: int, rules: UploadRules
) -> tuple[int, str, str]:
    """Write the upload in chunks into the empty private file; its size, SHA-256 and SHA-512."""
    fd = os.open(target, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
    digest = hashlib.sha512()
    digest256 = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)  # whatever the umask says
        for chunk in uploaded.chunks(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise _reject("too_large", rules, limit)
            digest.update(chunk)
            digest256.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest256.hexdigest(), digest.hexdigest()


# --- type detection --------------------------------------------------------------------------


_VTT_AFTER = (b"", b" ", b"\t", b"\n", b"\r")


def _detect(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP  # which document it is, is decided from the central directory
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text.startswith(b"WEBVTT") and text[6:7] in _VTT_AFTER:
        return VTT  # a text format without magic bytes: its first line is the signature
    kind = filetype.guess(head)
    return str(kind.mime) if kind is not None else "application/octet-stream"


def _declared(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _claims(kind: FileType, extension: str, declared: str) -> bool:
    return extension in kind.extensions or declared == kind.mime


def _check_type(detected: str, name: str, declared: str, rules: UploadRules) -> None:
    extension = PurePosixPath(name).suffix.lower()
    accepted = [SUPPORTED_TYPES[mime] for mime in rules.accept if mime in SUPPORTED_TYPES]
    if detected not in rules.accept or detected not in SUPPORTED_TYPES:
        # A file that claims to be an accepted type but is something else is a mismatch.
        if any(_claims(kind, extension, declared) for kind in accepted):
            raise _reject("type_mismatch", rules)
        raise _reject("type_not_allowed", rules)
    kind = SUPPORTED_TYPES[detected]
    if extension not in kind.extensions:
        raise _reject("type_mismatch", rules)
    if declared not in {*_UNSPECIFIC_DECLARED, kind.mime, *kind.aliases}:
        raise _reject("type_mismatch", rules)


# --- content checks --------------------------------------------------------------------------


def _inspect_zip(path: Path, rules: UploadRules) -> tuple[str, bool]:
    """The document type inside a ZIP container, and whether it has macros.

    Only the central directory and the first bytes of each member are read, so an archive bomb
    is refused before anything is unpacked.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise _reject("zip_bomb", rules)
            total = sum(member.file_size for member in members)
            packed = sum(member.compress_size for member in members)
            if total > ZIP_MAX_TOTAL_BYTES:
                raise _reject("zip_bomb", rules)
            if total > ZIP_RATIO_MIN_BYTES and total > ZIP_MAX_RATIO * max(packed, 1):
                raise _reject("zip_bomb", rules)
            for member in members:
                if member.file_size > ZIP_RATIO_MIN_BYTES and (
                    member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
                ):
                    raise _reject("zip_bomb", rules)
                if member.flag_bits & 0x1:
                    raise _reject("unreadable", rules)  # encrypted: cannot be inspected
                if member.file_size >= 4 and not member.is_dir():
                    with archive.open(member) as content:
                        if content.read(8).startswith(_ARCHIVE_MAGIC):
                            raise _reject("zip_bomb", rules)
            names = {member.filename for member in members}
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                macros = any(name.lower().endswith("vbaproject.bin") for name in names)
                return DOCX, macros
            mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
            if (
                mimetype is not None
                and mimetype.file_size < 100
                and archive.read(mimetype).strip() == ODT.encode()
            ):
                macros = any(name.startswith(("Basic/", "Scripts/")) for name in names)
                return ODT, macros
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise _reject("unreadable", rules) from None
    except NotImplementedError:  # a compression method zipfile does not know
        raise _reject("unreadable", rules) from None
    return ZIP, False


def _pdf_has_active_content(path: Path) -> bool:
    """True when the PDF holds JavaScript, automatic actions or XFA; see both checks below."""
    return _pdf_objects_active(path) or _pdf_raw_names_active(path)


def _pdf_objects_active(path: Path) -> bool:
    """Walk every object reachable from the trailer (catalogue, names trees, pages, annotations,
    form fields), including objects inside compressed object streams."""
    with open(path, "rb") as fh:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("encrypted with a password")
        if not isinstance(reader.trailer["/Root"], DictionaryObject) or not reader.pages:
            raise ValueError("no document catalogue or no pages")
        stack: list[Any] = [reader.trailer]
        seen: set[tuple[int, int]] = set()
        visited = 0
        while stack:
            item = stack.pop()
            if isinstance(item, IndirectObject):
                key = (item.idnum, item.generation)
                if key in seen:
                    continue
                seen.add(key)
                item = item.get_object()
            visited += 1
            if visited > _PDF_MAX_OBJECTS:
                raise ValueError("too many objects")
            if isinstance(item, DictionaryObject):
                if _PDF_ACTIVE_KEYS.intersection(item.keys()):
                    return True
                action = dict.get(item, "/S")
                if isinstance(action, IndirectObject):
                    action = action.get_object()
                if action in _PDF_ACTIVE_ACTIONS:
                    return True
                stack.extend(dict.values(item))  # unresolved, so that cycles are caught above
            elif isinstance(item, ArrayObject):
                stack.extend(item)
    return False


def _pdf_raw_names_active(path: Path) -> bool:
    """Scan the file's bytes outside stream data for the same names (``#xx`` escapes decoded).

    This sees what the object walk does not: objects that no reference reaches, older
    revisions of an incrementally updated file, damaged cross-reference tables that a viewer
    would repair differently.
    """
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        position = 0
        while match := _PDF_TOKEN.search(data, position):
            name = match.group(1)
            if name is None:  # stream data: skip to its end
                end = data.find(b"endstream", match.end())
                if end < 0:
                    return False
                position = end + len(b"endstream")
                continue
            decoded = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
            if decoded in _PDF_ACTIVE_NAMES:
                return True
            position = match.end()
    return False


def _check_pdf(path: Path, rules: UploadRules) -> None:
    try:
        bomb = pdf_inflates_too_far(path)
    except (OSError, ValueError):  # an empty or unreadable file
        raise _reject("unreadable", rules) from None
    if bomb:
        raise _reject("pdf_bomb", rules)
    try:
        active = _pdf_has_active_content(path)
    except LimitReachedError:  # pypdf's own limit, e.g. in an encrypted file's object stream
        raise _reject("pdf_bomb", rules) from None
    except Exception:  # pypdf raises many types for damaged files
        logger.info("upload rejected: PDF cannot be parsed", exc_info=True)
        raise _reject("unreadable", rules) from None
    if active:
        raise _reject("pdf_javascript", rules)


def _check_image(path: Path, pil_format: str, rules: UploadRules) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[pil_format]) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise _reject("image_too_large", rules)
                image.verify()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject("image_too_large", rules) from None
    except Exception:  # Pillow raises many types for damaged images
        raise _reject("unreadable", rules) from None


def _check_text(path: Path, rules: UploadRules) -> None:
    """A text file (captions) must be UTF-8 without control characters other than line ends."""
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise _reject("unreadable", rules) from None
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text):
        raise _reject("unreadable", rules)


def _scan(path: Path, rules: UploadRules, sha512: str) -> None:
    scanner = get_scanner()
    try:
        with open(path, "rb") as fh:
            result = scanner.scan(fh)
    except ScannerUnavailable as exc:
        logger.error("upload refused: virus scanner %s unavailable: %s", scanner.name, exc)
        raise _reject("scanner_unavailable", rules) from None
    if not result.clean:
        logger.warning("upload refused: %s found %s in sha512:%s", scanner.name,
                       result.signature, sha512)  # fmt: skip
        raise _reject("malware", rules)


# --- the entry point -------------------------------------------------------------------------


def check_upload(uploaded: UploadedFile, rules: UploadRules) -> CheckedUpload:
    """Check an uploaded file against the rules, or raise UploadRejected.

    The checked file stays in a private temporary file until the caller stores or discards
    it; nothing stays on disk when a check fails.
    """
    limit = file_limit(rules.max_bytes)
    original_name = sanitize_name(uploaded.name or "")
    if uploaded.size is not None and uploaded.size > limit:
        raise _reject("too_large", rules, limit)
    if uploaded.size == 0:
        raise _reject("empty", rules)
    partial = _new_temporary()
    try:
        size, sha256, sha512 = _write(uploaded, partial, limit, rules)
        if size == 0:
            raise _reject("empty", rules)
        detected = _detect(partial)
        macros = False
        if detected == ZIP and any(
            SUPPORTED_TYPES[mime].zip_based for mime in rules.accept if mime in SUPPORTED_TYPES
        ):
            detected, macros = _inspect_zip(partial, rules)
        _check_type(detected, original_name, _declared(uploaded.content_type), rules)
        kind = SUPPORTED_TYPES[detected]
        if macros:
            raise _reject("macros", rules)
        if detected == PDF:
            _check_pdf(partial, rules)
        elif kind.pil_format:
            _check_image(partial, kind.pil_format, rules)
        elif detected == VTT:
            _check_text(partial, rules)
        _scan(partial, rules, sha512)
    except BaseException as exc:
        partial.unlink(missing_ok=True)
        if isinstance(exc, UploadRejected):
            logger.info("upload rejected: %s", exc.code)
        raise
    return CheckedUpload(partial, original_name, detected, size, sha256, sha512)

"""Reading an xdomea 3.0.0 hand-over (0503 ZIP) into new files of the e-file (ADR 0045).

Everything is checked before anything is kept: the ZIP (size, number of members, compression
ratio, encryption, names without folders or ``..``), the message against the official schema
(its errors named with their lines), each primary file it names (present, size and SHA-256 as
the message states them, virus scan). Only then are the blobs stored and the files, documents
and versions created, in one transaction; when that fails the blobs stored for it are removed
again. Each Akte or Vorgang becomes one file (documents of its Vorgänge and Teilakten included);
loose documents of the message go into one more file. A message already imported is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO, Any, BinaryIO, cast

from django.db import transaction
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

from rathaus.core import files as stored_files
from rathaus.core.files.checks import (
    ZIP_MAX_MEMBERS,
    ZIP_MAX_RATIO,
    ZIP_MAX_TOTAL_BYTES,
    ZIP_RATIO_MIN_BYTES,
)
from rathaus.core.models import OrgUnit
from rathaus.core.scanning import ScannerUnavailable, get_scanner
from rathaus.documents import services
from rathaus.documents import xdomea_schema as xs
from rathaus.documents.models import Document, File, Subject

MESSAGE_MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024


class ImportRejected(Exception):
    """The ZIP is not taken; ``problems`` names every reason found (nothing was stored)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class IncomingVersion:
    member: str  # the primary file in the ZIP
    filename: str
    media_type: str
    sha256: str = ""  # as the message states it (may be empty)
    size: int | None = None
    reason: str = ""
    final: bool = False


@dataclass
class IncomingDocument:
    object_id: str
    title: str
    kind: str
    direction: str
    received_on: dt.date | None
    sender: str
    versions: list[IncomingVersion] = field(default_factory=list)


@dataclass
class IncomingFile:
    title: str
    number: str
    documents: list[IncomingDocument] = field(default_factory=list)


@dataclass
class Incoming:
    process_id: str
    sender: str
    files: list[IncomingFile]


@dataclass(frozen=True)
class Imported:
    process_id: str
    sender: str
    files: tuple[File, ...]


# --- the ZIP ------------------------------------------------------------------------------------


def _safe_member(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and "\\" not in name
        and ":" not in name
        and len(path.parts) == 1
        and not name.startswith(".")
        and "\x00" not in name
    )


def _check_archive(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        raise ImportRejected([_("The ZIP holds too many files (at most %s).") % ZIP_MAX_MEMBERS])
    total = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members)
    if total > ZIP_MAX_TOTAL_BYTES or (
        total > ZIP_RATIO_MIN_BYTES and total > ZIP_MAX_RATIO * max(packed, 1)
    ):
        raise ImportRejected([_("The ZIP unpacks to too much data (a ZIP bomb?).")])
    problems = []
    by_name: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        if not _safe_member(member.filename) or member.is_dir():
            problems.append(_("Refused file name in the ZIP: %s") % member.filename[:200])
        elif member.flag_bits & 0x1:
            problems.append(_("Encrypted file in the ZIP: %s") % member.filename)
        elif member.file_size > ZIP_RATIO_MIN_BYTES and (
            member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1)
        ):
            problems.append(_("%s unpacks to too much data (a ZIP bomb?).") % member.filename)
        elif member.filename in by_name:
            problems.append(_("File name twice in the ZIP: %s") % member.filename)
        else:
            by_name[member.filename] = member
    if problems:
        raise ImportRejected(problems)
    return by_name


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    """The member's content, never more than ``limit`` bytes whatever its header says."""
    with archive.open(member) as handle:
        content = handle.read(limit + 1)
    if len(content) > limit:
        raise ImportRejected([_("%s is too large.") % member.filename])
    return content


def _digest(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with archive.open(member) as handle:
        for piece in iter(lambda: handle.read(_CHUNK), b""):
            size += len(piece)
            if size > member.file_size:  # the header lied: a bomb in disguise
                raise ImportRejected([_("%s is larger than the ZIP says.") % member.filename])
            digest.update(piece)
    return digest.hexdigest(), size


# --- the message --------------------------------------------------------------------------------


def _text(element: Any, *path: str) -> str:
    for name in path:
        if element is None:
            return ""
        element = element.find(xs.q(name))
    return (element.text or "").strip() if element is not None else ""


def _extension(document: Any) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The rathaus extension of a Dokument: its own fields, and the fields per version group."""
    for extension in document.findall(xs.q("AnwendungsspezifischeErweiterung")):
        if _text(extension, "Kennung") != xs.EXTENSION_ID:
            continue
        own = {_text(f, "Name"): _text(f, "Wert") for f in extension.findall(xs.q("Feld"))}
        groups = {
            _text(group, "Name"): {
                _text(f, "Name"): _text(f, "Wert") for f in group.findall(xs.q("Feld"))
            }
            for group in extension.findall(xs.q("Feldgruppe"))
        }
        return own, groups
    return {}, {}


def _date_or_none(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _document(element: Any) -> IncomingDocument:
    own, groups = _extension(element)
    received_in = _text(element, "Posteingangsdatum")
    sent_out = _text(element, "Postausgangsdatum")
    direction = own.get(xs.FIELD_DIRECTION, "")
    if direction not in Document.Direction.values:
        direction = "in" if received_in else "out" if sent_out else "internal"
    kind = own.get(xs.FIELD_KIND, "")
    sender = _text(element, "Absender", "Institution", "Name") or _text(
        element, "Absender", "Name", "Familienname", "Name"
    )
    document = IncomingDocument(
        object_id=_text(element, "Identifikation", "ID").lower(),
        title=_text(element, "AllgemeineMetadaten", "Betreff"),
        kind=kind if kind in Document.Kind.values else Document.Kind.OTHER,
        direction=direction,
        received_on=_date_or_none(own.get(xs.FIELD_RECEIVED, "") or received_in or sent_out),
        sender=sender,
    )
    versions = element.findall(xs.q("Version"))
    numbers = [_text(version, "Nummer") for version in versions]
    if all(number.isdigit() for number in numbers):
        versions = [
            v for _n, v in sorted(zip(numbers, versions, strict=False), key=lambda p: int(p[0]))
        ]
    for version in versions:
        form = version.find(xs.q("Format"))  # the first format is the version's content
        member = _text(form, "Primaerdokument", "Dateiname")
        original = _text(form, "Primaerdokument", "DateinameOriginal")
        stripped = re.sub(r"^[0-9a-fA-F-]{36}_?", "", member)
        filename = original or (stripped if stripped and not stripped.startswith(".") else member)
        extra = groups.get(f"Version {_text(version, 'Nummer')}", {})
        size = extra.get(xs.FIELD_SIZE, "")
        document.versions.append(
            IncomingVersion(
                member=member,
                filename=PurePosixPath(filename.replace("\\", "/")).name[:200] or member,
                media_type=extra.get(xs.FIELD_MEDIA_TYPE)
                or xs.media_type_for(
                    _text(form, "Name", "code"), _text(form, "SonstigerName"), filename
                ),
                sha256=extra.get(xs.FIELD_SHA256, "").lower(),
                size=int(size) if size.isdigit() else None,
                reason=extra.get(xs.FIELD_REASON, ""),
                final=extra.get(xs.FIELD_FINAL, "") in {"true", "1"},
            )
        )
    if not document.title:
        document.title = document.versions[0].filename if document.versions else _("Document")
    return document


def _documents_of(container: Any) -> list[IncomingDocument]:
    """Every Dokument (and Anlage) below an Akte or Vorgang, in the order of the message."""
    return [_document(element) for element in container.iter(xs.q("Dokument"), xs.q("Anlage"))]


def parse(root: Any) -> Incoming:
    """The files of a valid 0503 message."""
    head = root.find(xs.q("Kopf"))
    sender = _text(head, "Absender", "Institution", "Name") or _text(
        head, "Absender", "Organisationseinheit", "Name"
    )
    found: list[IncomingFile] = []
    loose = IncomingFile(
        title=_("Documents from %s") % (sender or _("an xdomea message")), number=""
    )
    for item in root.findall(xs.q("Schriftgutobjekt")):
        for element in item:
            if element.tag in (xs.q("Akte"), xs.q("Vorgang")):
                number = _text(element, "AllgemeineMetadaten", "Kennzeichen")
                title = _text(element, "AllgemeineMetadaten", "Betreff") or number
                found.append(
                    IncomingFile(
                        title=title or _("Imported file"),
                        number=number,
                        documents=_documents_of(element),
                    )
                )
            elif element.tag == xs.q("Dokument"):
                loose.documents += _documents_of(element)
    if loose.documents:
        found.append(loose)
    return Incoming(process_id=_text(head, "ProzessID").lower(), sender=sender, files=found)


def read(archive: zipfile.ZipFile) -> tuple[Incoming, dict[str, zipfile.ZipInfo]]:
    """Check the ZIP and its message; the message's files and the ZIP's members by name."""
    members = _check_archive(archive)
    messages = [name for name in members if xs.MESSAGE_MEMBER.match(name)]
    if len(messages) != 1:
        expected = "<ProzessID>_Aussonderung.Aussonderung.0503.xml"
        raise ImportRejected([_("The ZIP must hold exactly one message %s.") % expected])
    data = _read_member(archive, members[messages[0]], MESSAGE_MAX_BYTES)
    try:
        root = etree.fromstring(data, xs.parser())
    except etree.XMLSyntaxError as exc:
        raise ImportRejected([_("The message is not well-formed XML: %s") % exc]) from None
    errors = xs.schema_errors(etree.ElementTree(root))
    if errors:
        raise ImportRejected([_("The message does not match the xdomea 3.0.0 schema:"), *errors])
    if root.tag != xs.q(xs.MESSAGE_NAMES[xs.HAND_OVER]):
        raise ImportRejected([_("This is not a hand-over message (0503).")])
    incoming = parse(root)
    if xs.MESSAGE_MEMBER.match(messages[0]).group(1).lower() != incoming.process_id:  # type: ignore[union-attr]
        raise ImportRejected([_("The message's name does not match its process id.")])
    return incoming, members


def _check_content(
    incoming: Incoming, archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]
) -> None:
    problems: list[str] = []
    seen: set[str] = set()
    scanner = get_scanner()
    if not incoming.files:
        problems.append(_("The message holds no file or document."))
    for file in incoming.files:
        for document in file.documents:
            if document.object_id in seen:
                problems.append(_("Document %s appears twice.") % document.object_id)
            seen.add(document.object_id)
            if not document.versions:
                problems.append(_("The document “%s” has no primary file.") % document.title)
            for version in document.versions:
                member = members.get(version.member)
                if member is None:
                    problems.append(_("Primary file missing from the ZIP: %s") % version.member)
                    continue
                sha256, size = _digest(archive, member)
                if version.sha256 and version.sha256 != sha256:
                    problems.append(
                        _("%s does not have the SHA-256 the message states.") % version.member
                    )
                elif version.size is not None and version.size != size:
                    problems.append(
                        _("%s does not have the size the message states.") % version.member
                    )
                version.sha256, version.size = sha256, size
                try:
                    with archive.open(member) as handle:
                        result = scanner.scan(cast(BinaryIO, handle))
                except ScannerUnavailable:
                    raise ImportRejected(
                        [_("The virus scanner is not available; try again later.")]
                    ) from None
                if not result.clean:
                    problems.append(_("%s contains a virus.") % version.member)
    if problems:
        raise ImportRejected(problems)


# --- storing ------------------------------------------------------------------------------------


def import_zip(
    source: str | IO[bytes],
    *,
    unit: OrgUnit,
    subject: Subject | None = None,
    user: Any = None,
) -> Imported:
    """Import the 0503 ZIP at ``source`` (path or open binary file) into new open files of
    ``unit`` under ``subject`` (default: the catch-all subject); :class:`ImportRejected`
    names every problem, and then nothing is kept."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRejected([_("This is not a ZIP file.")]) from None
    with archive:
        try:
            incoming, members = read(archive)
            if Document.objects.filter(
                source__startswith=f"xdomea:{incoming.process_id}:"
            ).exists():
                raise ImportRejected([_("This message has been imported already.")])
            _check_content(incoming, archive, members)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            zlib.error,
            EOFError,
            NotImplementedError,
        ):
            raise ImportRejected([_("The ZIP file is damaged.")]) from None
        kept: list[stored_files.StoredFile] = []
        try:
            with transaction.atomic():
                subject = subject or services.unassigned_subject(unit.authority)
                created = tuple(
                    _create(
                        file,
                        incoming,
                        archive,
                        members,
                        kept,
                        unit=unit,
                        subject=subject,
                        user=user,
                    )
                    for file in incoming.files
                )
        except BaseException:
            for stored in kept:
                stored_files.forget(stored)
            raise
    return Imported(process_id=incoming.process_id, sender=incoming.sender, files=created)


def _create(
    incoming_file: IncomingFile,
    incoming: Incoming,
    archive: zipfile.ZipFile,
    members: dict[str, zipfile.ZipInfo],
    kept: list[stored_files.StoredFile],
    *,
    unit: OrgUnit,
    subject: Subject,
    user: Any,
) -> File:
    file = services.create_file(
        unit=unit,
        title=incoming_file.title,
        user=user,
        subject=subject,
        origin=File.Origin.IMPORT,
        origin_detail=incoming.sender,
    )
    for document in incoming_file.documents:
        contents = []
        for version in document.versions:
            data = _read_member(archive, members[version.member], members[version.member].file_size)
            stored = stored_files.store_bytes(
                data, name=version.filename, media_type=version.media_type
            )
            kept.append(stored)
            contents.append(services.NewContent(stored, version.filename))
        first, *later = document.versions
        made = services.add_document(
            file,
            contents[0],
            title=document.title,
            kind=document.kind,
            direction=document.direction,
            user=user,
            received_on=document.received_on,
            sender=document.sender,
            source=f"xdomea:{incoming.process_id}:{document.object_id}",
            final=first.final,
        )
        if made.file_id != file.pk:  # the same message imported at the same moment
            raise ImportRejected([_("This message has been imported already.")])
        for version, content in zip(later, contents[1:], strict=True):
            new = services.add_version(made, content, user=user, reason=version.reason)
            if version.final:
                services.mark_final(new, user)
    services.record_event(
        file,
        "file_imported",
        user,
        sender=incoming.sender,
        process_id=incoming.process_id,
        number=incoming_file.number,
    )
    return file

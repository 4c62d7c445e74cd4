"""xdomea 3.0.0 messages about files: 0501 (offer list) and 0503 (hand-over with content).

Each message is one process (its ``ProzessID``, a new UUID) and one ZIP named
``<ProzessID>_<Nachrichtentyp>.zip`` holding ``<ProzessID>_<Nachrichtentyp>.xml`` and, for 0503,
every version of every document as a primary file ``<UUID>_<name>.<ext>`` beside it. Files,
documents and versions keep the same UUIDs in every message. A message is validated against the
official schema before it is written; an invalid one raises :class:`ExportFailed` (a bug, never
a file the archive receives). Exporting changes no file (callers note it in the files' history with
:func:`record_export`); handing over is a separate step (:mod:`rathaus.documents.handover`,
ADR 0045).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from lxml import etree  # type: ignore[import-untyped]

from rathaus.core.files import open_blob
from rathaus.core.models import Authority
from rathaus.documents import xdomea_schema as xs
from rathaus.documents.models import AccessRecord, Document, File, Subject, Version
from rathaus.documents.services import record_access, record_event


class ExportFailed(Exception):
    """The message could not be made: invalid against the schema, or a stored file is missing
    or no longer has its recorded SHA-256."""


@dataclass(frozen=True)
class Message:
    """A message written: its kind, process id, ZIP name and the files in it."""

    kind: str
    process_id: str
    zip_name: str
    file_numbers: tuple[str, ...]
    primary_files: int


def exportable(authority: Authority) -> QuerySet[File]:
    """The files of the authority that still have their content (not destroyed, not handed
    over), with everything a message needs."""
    versions = Prefetch("versions", queryset=Version.objects.order_by("number"))
    documents = Prefetch(
        "documents",
        queryset=Document.objects.order_by("created_at", "pk").prefetch_related(versions),
    )
    return (
        File.objects.filter(authority=authority)
        .exclude(status__in=[File.Status.DESTROYED, File.Status.HANDED_OVER])
        .select_related("subject", "org_unit", "authority")
        .prefetch_related(documents)
        .order_by("number")
    )


def receiver_name(authority: Authority) -> str:
    """Who receives the messages: ``RATHAUS_XDOMEA_ARCHIVE``, else the parent authority, else
    the state archive of the authority's Land."""
    configured = str(getattr(settings, "RATHAUS_XDOMEA_ARCHIVE", "") or "").strip()
    if configured:
        return configured
    if authority.parent_id is not None and authority.parent is not None:
        return authority.parent.name
    with translation.override("de"):
        return f"Landesarchiv {authority.get_state_display()}"


# --- building the XML ---------------------------------------------------------------------------


def _sub(parent: Any, name: str, text: str | None = None) -> Any:
    element = etree.SubElement(parent, xs.q(name))
    if text is not None:
        element.text = text
    return element


def _code(parent: Any, name: str, code: str, **attributes: str) -> Any:
    element = _sub(parent, name)
    for key, value in attributes.items():
        element.set(key, value)
    etree.SubElement(element, "code").text = code
    return element


def _timestamp(moment: dt.datetime) -> str:
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _date(moment: dt.datetime) -> str:
    return timezone.localtime(moment).date().isoformat()


def _contact(parent: Any, name: str, institution: str, *, key: str = "", short: str = "") -> None:
    contact = _sub(parent, name)
    if key:
        identification = _sub(contact, "Behoerdenkennung")
        schluessel = _sub(identification, "Behoerdenschluessel")
        etree.SubElement(schluessel, "code").text = key
        etree.SubElement(schluessel, "name").text = institution
    organisation = _sub(contact, "Institution")
    _sub(organisation, "Name", institution)
    if short:
        _sub(organisation, "Kurzbezeichnung", short)


def _header(root: Any, kind: str, process_id: str, authority: Authority, receiver: str) -> None:
    head = _sub(root, "Kopf")
    _sub(head, "ProzessID", process_id)
    _code(head, "Nachrichtentyp", kind)
    _sub(head, "Erstellungszeitpunkt", _timestamp(timezone.now()))
    _contact(head, "Absender", authority.name, key=authority.ars, short=authority.slug)
    parent = authority.parent if authority.parent_id else None
    if parent is not None and receiver == parent.name:
        _contact(head, "Empfaenger", receiver, key=parent.ars, short=parent.slug)
    else:
        _contact(head, "Empfaenger", receiver)
    system = _sub(head, "SendendesSystem")
    _sub(system, "Produktname", xs.PRODUCT)
    _sub(system, "Version", xs.product_version())
    if kind == xs.HAND_OVER:
        _sub(head, "Importbestaetigung", "1")  # fixed by the schema
        _sub(head, "RueckmeldungArchivkennung", "true")
    _sub(head, "Empfangsbestaetigung", "true")


def _disposal_codes(subject: Subject) -> tuple[str, str]:
    """(Aussonderungsart, Bewertungsvorschlag): a subject "offer to the archive" leaves the
    decision to the archive (B) and proposes keeping (A); "destroy" is V for both."""
    if subject.disposal == Subject.Disposal.ARCHIVE:
        return "B", "A"
    return "V", "V"


def _file_element(parent: Any, file: File, *, with_content: bool) -> list[tuple[Version, str]]:
    """The Akte of ``file``; returns each version with its primary file name (0503 only)."""
    key = file.authority.ars
    akte = _sub(parent, "Akte")
    _sub(_sub(akte, "Identifikation"), "ID", xs.object_id("file", key, file.pk))
    general = _sub(akte, "AllgemeineMetadaten")
    _sub(general, "Betreff", file.title)
    _sub(general, "Kennzeichen", file.number)
    _sub(general, "Federfuehrung", file.org_unit.name)
    _code(general, "Medium", "001")  # electronic only
    plan = _sub(general, "Aktenplaneinheit")
    _sub(plan, "Kennzeichen", file.subject.code)
    _sub(plan, "Inhaltsangabe", file.subject.title)
    archival = _sub(akte, "ArchivspezifischeMetadaten")
    duration = _sub(archival, "Aufbewahrungsdauer")
    if file.subject.retention_years is None:
        _sub(duration, "Unbefristet", "1")  # fixed by the schema
    else:
        _sub(duration, "AnzahlJahre", str(file.subject.retention_years))
    kind, proposal = _disposal_codes(file.subject)
    _code(_sub(archival, "Aussonderungsart"), "Aussonderungsart", kind)
    _code(archival, "Bewertungsvorschlag", proposal)
    if file.retention_ends_on:
        _sub(archival, "Aufbewahrungsende", file.retention_ends_on.isoformat())
    lifetime = _sub(akte, "Laufzeit")
    _sub(lifetime, "Beginn", _date(file.created_at))
    if file.closed_at:
        _sub(lifetime, "Ende", _date(file.closed_at))
    primary: list[tuple[Version, str]] = []
    if with_content:
        content = _sub(akte, "Akteninhalt")
        for position, document in enumerate(file.documents.all(), start=1):
            primary += _document_element(content, document, position, key)
    _sub(akte, "ZdA", "true" if file.closed_at else "false")
    if file.closed_at:
        _sub(akte, "ZdADatum", _date(file.closed_at))
    return primary


def _field(parent: Any, name: str, value: str, datatype: str) -> None:
    field = _sub(parent, "Feld")
    _sub(field, "Name", name)
    _code(field, "Datentyp", datatype)
    _sub(field, "Wert", value)


def _document_element(
    parent: Any, document: Document, position: int, key: str
) -> list[tuple[Version, str]]:
    element = _sub(parent, "Dokument")
    identification = _sub(element, "Identifikation")
    _sub(identification, "ID", xs.object_id("document", key, document.pk))
    _sub(identification, "NummerImUebergeordnetenContainer", str(position))
    _sub(_sub(element, "AllgemeineMetadaten"), "Betreff", document.title)
    if document.received_on and document.direction == Document.Direction.INCOMING:
        _sub(element, "Posteingangsdatum", document.received_on.isoformat())
    elif document.received_on and document.direction == Document.Direction.OUTGOING:
        _sub(element, "Postausgangsdatum", document.received_on.isoformat())
    with translation.override("de"):
        _sub(element, "Typ", str(document.get_kind_display()))
    versions = list(document.versions.all())
    primary = []
    for version in versions:
        name = xs.primary_file_name(xs.object_id("version", key, version.pk), version.filename)
        primary.append((version, name))
        item = _sub(element, "Version")
        _sub(item, "Nummer", str(version.number))
        form = _sub(item, "Format")
        code = xs.format_code(version.media_type)
        _code(form, "Name", code, listVersionID=xs.FORMAT_LIST_VERSION)
        if code == xs.FORMAT_OTHER:
            _sub(form, "SonstigerName", version.media_type)
        _sub(form, "Version", "")
        file_element = _sub(form, "Primaerdokument")
        _sub(file_element, "Dateiname", name)
        _sub(file_element, "DateinameOriginal", version.filename)
        _sub(file_element, "DatumUhrzeit", _timestamp(version.created_at))
    if document.sender:
        _sub(_sub(_sub(element, "Absender"), "Institution"), "Name", document.sender)
    extension = _sub(element, "AnwendungsspezifischeErweiterung")
    _sub(extension, "Kennung", xs.EXTENSION_ID)
    _sub(extension, "Name", xs.PRODUCT)
    _sub(extension, "Beschreibung", "Angaben der E-Akte von rathaus ohne Platz in xdomea")
    for version in versions:
        group = _sub(extension, "Feldgruppe")
        _sub(group, "Name", f"Version {version.number}")
        _sub(group, "Beschreibung", "Prüfsumme, Größe und Art der Primärdatei")
        _field(group, xs.FIELD_SHA256, version.sha256, xs.DATATYPE_HEX)
        _field(group, xs.FIELD_SIZE, str(version.size), xs.DATATYPE_UNSIGNED_LONG)
        _field(group, xs.FIELD_MEDIA_TYPE, version.media_type, xs.DATATYPE_STRING)
        _field(group, xs.FIELD_REASON, version.reason, xs.DATATYPE_STRING)
        _field(group, xs.FIELD_FINAL, "true" if version.final else "false", xs.DATATYPE_BOOLEAN)
    _field(extension, xs.FIELD_KIND, document.kind, xs.DATATYPE_STRING)
    _field(extension, xs.FIELD_DIRECTION, document.direction, xs.DATATYPE_STRING)
    if document.received_on:
        _field(extension, xs.FIELD_RECEIVED, document.received_on.isoformat(), xs.DATATYPE_DATE)
    return primary


def build_message(
    kind: str,
    files: Sequence[File],
    *,
    authority: Authority,
    receiver: str | None = None,
    process_id: str | None = None,
) -> tuple[Any, list[tuple[Version, str]]]:
    """The message's XML tree (validated) and, for 0503, the versions and their file names."""
    if kind not in xs.MESSAGE_NAMES:
        raise ExportFailed(f"unknown message kind {kind!r}; use 0501 or 0503")
    if not files:
        raise ExportFailed("a message needs at least one file")
    for file in files:
        if file.authority_id != authority.pk:
            raise ExportFailed(f"{file.number} belongs to another authority")
        if file.is_gone:
            raise ExportFailed(f"{file.number} has no content any more ({file.status})")
    process_id = process_id or str(uuid.uuid4())
    root = etree.Element(xs.q(xs.MESSAGE_NAMES[kind]), nsmap=xs.NSMAP)
    _header(root, kind, process_id, authority, receiver or receiver_name(authority))
    primary: list[tuple[Version, str]] = []
    for file in files:
        primary += _file_element(
            _sub(root, "Schriftgutobjekt"), file, with_content=kind == xs.HAND_OVER
        )
    errors = xs.schema_errors(etree.ElementTree(root))
    if errors:
        raise ExportFailed("the message does not match the xdomea schema: " + "; ".join(errors))
    return root, primary


def write_zip(
    kind: str,
    files: Sequence[File],
    target: IO[bytes],
    *,
    authority: Authority,
    receiver: str | None = None,
    process_id: str | None = None,
) -> Message:
    """Write the message and (0503) its primary files as one ZIP into ``target``."""
    process_id = process_id or str(uuid.uuid4())
    root, primary = build_message(
        kind, files, authority=authority, receiver=receiver, process_id=process_id
    )
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(xs.message_file_name(process_id, kind), xml)
        for version, name in primary:
            _copy_verified(version, name, archive)
    return Message(
        kind=kind,
        process_id=process_id,
        zip_name=xs.message_file_name(process_id, kind).removesuffix(".xml") + ".zip",
        file_numbers=tuple(file.number for file in files),
        primary_files=len(primary),
    )


def _copy_verified(version: Version, name: str, archive: zipfile.ZipFile) -> None:
    """Copy the version's blob into the ZIP in pieces, checking its SHA-256 on the way."""
    digest = hashlib.sha256()
    try:
        with open_blob(version.file.key) as source, archive.open(name, "w") as sink:
            for piece in iter(lambda: source.read(64 * 1024), b""):
                digest.update(piece)
                sink.write(piece)
    except (OSError, ValueError) as exc:
        raise ExportFailed(f"{version.filename}: the stored file cannot be read ({exc})") from None
    if digest.hexdigest() != version.sha256:
        raise ExportFailed(f"{version.filename}: the stored file no longer has its SHA-256")


def record_export(files: Iterable[File], message: Message, receiver: str, user: Any) -> None:
    """Note in each file's history (and the audit log) that its content left in a message: the
    hand-over step later hands over only files a recorded 0503 carried. A 0503 carries every
    version, so each is also in the file's access log as downloaded."""
    for file in files:
        carried = sorted(Version.objects.filter(document__file=file).values_list("pk", flat=True))
        extra = {"versions": carried} if message.kind == xs.HAND_OVER else {}
        record_event(
            file, "xdomea_exported", user, message=message.kind, process_id=message.process_id,
            receiver=receiver[:300], **extra,
        )  # fmt: skip
        if message.kind == xs.HAND_OVER:
            for version in Version.objects.filter(document__file=file).select_related("document"):
                record_access(version, user, AccessRecord.Action.DOWNLOAD)


def files_by_number(authority: Authority, numbers: Iterable[str]) -> list[File]:
    """The named files of the authority, in the order given; ExportFailed names unknown ones."""
    wanted = list(dict.fromkeys(numbers))
    found = {file.number: file for file in exportable(authority).filter(number__in=wanted)}
    missing = [number for number in wanted if number not in found]
    if missing:
        raise ExportFailed("no such file with content here: " + ", ".join(missing))
    return [found[number] for number in wanted]

"""What the xdomea 3.0.0 hand-over messages share: the schema, codes, names and safe parsing.

The schemas are the official ones, shipped in ``documents/data/xdomea-3.0.0`` (see its README)
and compiled once per process. ``rathaus.documents.xdomea_export`` writes the messages 0501
(Anbieteverzeichnis: files offered to the archive, metadata only) and 0503 (Aussonderung: the
files with their documents and every version as primary files, in one ZIP);
``rathaus.documents.xdomea_import`` reads a 0503 ZIP back into new files (ADR 0045).
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from functools import cache
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

NS = "urn:xoev-de:xdomea:schema:3.0.0"
NSMAP = {"xdomea": NS}  # the specification demands this prefix
SCHEMA_PATH = (
    Path(__file__).resolve().parent
    / "data"
    / "xdomea-3.0.0"
    / "xdomea_3.0.0"
    / "xdomea-Nachrichten-AussonderungDurchfuehren.xsd"
)

OFFER = "0501"
HAND_OVER = "0503"
MESSAGE_NAMES = {
    OFFER: "Aussonderung.Anbieteverzeichnis.0501",
    HAND_OVER: "Aussonderung.Aussonderung.0503",
}
PRODUCT = "rathaus"

# Extension fields (AnwendungsspezifischeErweiterung) that keep what xdomea has no place for.
EXTENSION_ID = "urn:rathaus:xdomea:dokument:1"
FIELD_KIND = "Dokumentart"
FIELD_DIRECTION = "Richtung"
FIELD_RECEIVED = "Datum"
FIELD_SHA256 = "SHA-256"
FIELD_SIZE = "Groesse"
FIELD_MEDIA_TYPE = "Medientyp"
FIELD_REASON = "Aenderungsgrund"
FIELD_FINAL = "Endgueltig"
DATATYPE_STRING = "038"
DATATYPE_HEX = "018"
DATATYPE_UNSIGNED_LONG = "043"
DATATYPE_BOOLEAN = "003"
DATATYPE_DATE = "005"

# Code list "Dateiformat" 1.0: media type -> code; everything else is "100" (Sonstiges) with
# the media type as SonstigerName.
FORMAT_LIST_VERSION = "1.0"
FORMAT_OTHER = "100"
FORMAT_CODES = {
    "image/bmp": "001",
    "text/csv": "002",
    "message/rfc822": "006",
    "text/html": "008",
    "image/jpeg": "011",
    "application/vnd.oasis.opendocument.presentation": "013",
    "application/vnd.oasis.opendocument.spreadsheet": "014",
    "application/vnd.oasis.opendocument.text": "015",
    "application/pdf": "018",
    "image/png": "019",
    "application/rtf": "022",
    "image/tiff": "024",
    "application/xml": "030",
    "text/xml": "030",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "035",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "036",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "037",
    "text/plain": "045",
}
MEDIA_TYPES = {code: media for media, code in reversed(FORMAT_CODES.items())}
MEDIA_TYPES["044"] = "application/pdf"  # PDF/A

# The object UUIDs stay the same in every message about the same object (specification 2.4.2).
_OBJECT_NAMESPACE = uuid.UUID("6d1f0c9e-3b7a-5b8e-9a57-0d7c1b0e4f21")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
MESSAGE_MEMBER = re.compile(rf"^({_UUID})_Aussonderung\.Aussonderung\.0503\.xml$")
_UNSAFE_NAME = re.compile(r"[^0-9A-Za-zÄÖÜäöüß._-]+")


def q(name: str) -> str:
    """The qualified tag of an xdomea element."""
    return f"{{{NS}}}{name}"


def object_id(kind: str, authority_key: str, pk: int) -> str:
    """The UUID of a file, document or version, stable across messages and exports."""
    return str(uuid.uuid5(_OBJECT_NAMESPACE, f"{kind}:{authority_key}:{pk}"))


def message_file_name(process_id: str, kind: str) -> str:
    """``<ProzessID>_<Nachrichtentyp>.xml``; the ZIP has the same name ending in ``.zip``."""
    return f"{process_id}_{MESSAGE_NAMES[kind]}.xml"


def primary_file_name(version_id: str, filename: str) -> str:
    """``<UUID>_<name>.<ext>`` (stringDateinameType), reduced to characters safe in any ZIP."""
    stem = PurePosixPath(filename).stem
    suffix = PurePosixPath(filename).suffix.lower()
    safe_stem = _UNSAFE_NAME.sub("_", stem).strip("._")[:80]
    safe_suffix = _UNSAFE_NAME.sub("", suffix)[:10]
    return f"{version_id}_{safe_stem}{safe_suffix}" if safe_stem else f"{version_id}{safe_suffix}"


def format_code(media_type: str) -> str:
    return FORMAT_CODES.get(media_type.split(";")[0].strip().lower(), FORMAT_OTHER)


def media_type_for(code: str, other_name: str, filename: str) -> str:
    """The media type of an imported primary file: from its format code, its SonstigerName
    when that is a media type, else from the file name."""
    if code in MEDIA_TYPES:
        return MEDIA_TYPES[code]
    if re.fullmatch(r"[a-z]+/[0-9A-Za-z.+-]+", other_name.strip()):
        return other_name.strip()
    guessed, _encoding = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def product_version() -> str:
    try:
        return metadata.version("rathaus")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@cache
def schema() -> Any:
    """The compiled schema of the Aussonderung messages (compiled once per process)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))


def parser() -> Any:
    """A parser for messages from outside: no entities, no DTDs, nothing from the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def schema_errors(document: Any) -> list[str]:
    """The schema's complaints about ``document``, each with its line (empty when valid)."""
    checker = schema()
    if checker.validate(document):
        return []
    return [
        _("line %(line)s: %(message)s") % {"line": error.line, "message": error.message}
        for error in checker.error_log
    ]

"""Checks of the values the catalogue writes into RDF (shared by the staff forms and the
import): EU file type codes, media types, and addresses that Turtle can write as IRIs.

An address with a space, a control character or one of ``<>"{}|^`\\`` cannot be written as an
IRI (``<…>`` in Turtle): the export would break or write a different address.
"""

from __future__ import annotations

import re

FILE_TYPE_BASES = (
    "http://publications.europa.eu/resource/authority/file-type/",
    "https://publications.europa.eu/resource/authority/file-type/",
)
MEDIA_TYPE_BASES = (
    "http://www.iana.org/assignments/media-types/",
    "https://www.iana.org/assignments/media-types/",
)
_FILE_TYPE = re.compile(r"[A-Z0-9_.-]{1,50}")
# RFC 6838: type "/" subtype, each of restricted name characters.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_NOT_IN_MAILTO = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f?#%/]')


def file_type(value: str) -> str | None:
    """The EU file type code of ``value`` (a code in any case or its EU URI), None if it is
    none."""
    code = value.strip()
    for base in FILE_TYPE_BASES:
        code = code.removeprefix(base)
    code = code.upper()
    return code if _FILE_TYPE.fullmatch(code) else None


def media_type(value: str) -> str | None:
    """The media type ``type/subtype`` of ``value`` (also its IANA URI), None if it is none."""
    text = value.strip()
    for base in MEDIA_TYPE_BASES:
        text = text.removeprefix(base)
    text = text.lower()
    return text if _MEDIA_TYPE.fullmatch(text) else None


def writable_iri(value: str) -> bool:
    """True if ``value`` can be written as an IRI in Turtle and RDF/XML."""
    return not _NOT_IN_IRI.search(value)


def writable_mailto(email: str) -> bool:
    """True if ``mailto:`` + ``email`` is an IRI that names just this address."""
    return not _NOT_IN_MAILTO.search(email)

"""What the reader makes of a message (groups, fields, rules) and what the conversion returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rathaus.forms.xdatenfelder.constants import (
    JSON,
)


class XDatenfelderError(Exception):
    """The file is not a usable XDatenfelder schema; str(exc) names the problem."""


@dataclass(frozen=True)
class ConvertedForm:
    identifier: str
    version: str
    title: str
    description: str
    standard: str
    schema: JSON
    layout: JSON
    warnings: list[str]
    # code lists (URN, version) referenced by fields but not available: asked as free text
    missing_code_lists: list[tuple[str, str]] = field(default_factory=list)


# (URN, version) -> the list's (code, label) pairs, or None when it is not available
CodeListLookup = Callable[[str, str], list[tuple[str, str]] | None]


# --- the parsed document ---------------------------------------------------------------------


@dataclass
class _Rule:
    id: str
    version: str
    name: str
    text: str
    definition: str = ""  # the rule itself (XDF 2 `definition`, XDF 3 `freitextRegel`)


@dataclass
class _Field:
    id: str
    version: str
    name: str
    label: str
    help: str
    feldart: str
    datentyp: str
    constraints: dict[str, str]
    content: str
    values: list[tuple[str, str]]
    code_list: str
    code_list_ref: tuple[str, str] | None  # (URN, version) of a referenced code list
    media_types: list[str]
    max_size: int | None
    rules: list[_Rule]
    editor_note: str = ""  # beschreibung, definition, bezug, ...: for staff, not for citizens


@dataclass
class _Group:
    id: str
    version: str
    name: str
    label: str
    help: str
    kind: str
    rules: list[_Rule]
    children: list[_Child]
    editor_note: str = ""


@dataclass
class _Child:
    min: int
    max: int | None  # None: unbounded ("*")
    element: _Field | _Group


@dataclass
class _Document:
    id: str
    version: str
    name: str
    title: str
    description: str
    rules: list[_Rule]
    children: list[_Child]
    editor_note: str = ""

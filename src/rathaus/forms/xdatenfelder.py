"""Convert a FIM XDatenfelder 2.0 or 3.0.0 schema (XML) into a form definition (docs/forms.md).

`convert(xml)` reads one XDatenfelder message and returns a `ConvertedForm` with a JSON Schema
(draft 2020-12) for the data and a layout (steps, elements, widgets, notes). It is pure: no
database, no network, no files. Anything that is not a usable schema raises `XDatenfelderError`
with an English message that names the problem, the element and, where known, the line.

Accepted input
--------------
- Namespaces `urn:xoev-de:fim:standard:xdatenfelder_2` (standard "xdatenfelder-2") and
  `urn:xoev-de:fim:standard:xdatenfelder_3.0.0` ("xdatenfelder-3"); any other root namespace is
  rejected.
- Messages `xdatenfelder.stammdatenschema.0102` (a Stammdatenschema) and
  `xdatenfelder.datenfeldgruppe.0103` (a single Datenfeldgruppe, which then plays the part of the
  schema: its contents become the form).
- Parsing uses defusedxml with DTDs forbidden, so entity expansion ("billion laughs") and
  external entities are refused before they can do harm.
- The structure is checked against the elements each version defines: an unknown element, a
  repeated element that may occur once, a missing or empty `<id>`, a malformed cardinality or
  code element and an unknown XDF 3 `freigabestatus` code are errors. XDF 3 only: an *empty*
  repeated element next to a filled one is ignored with a warning (as the reference parser
  flxbe/xdatenfelder-xml does).

Mapping
-------
- Structure: every Datenfeldgruppe directly under the schema becomes a step holding one `group`
  element for it; consecutive top-level Datenfelder share a step titled like the schema. A group
  is an object property (`"repeat": false`), or, when its cardinality allows more than one
  (`0:*`, `1:3`, ...), an array of objects (`"repeat": true`) with `minItems`/`maxItems`.
  A nested group's help text is shown as a `static` element at the top of the group.
- Cardinality `min:max`: `min >= 1` puts the property into its object's `required` list.
- Repeatable fields (max > 1): a file field is an array of uploads anyway, so the cardinality
  becomes its `minItems`/`maxItems`; a select field with inline values becomes `checkboxes`;
  every other field is wrapped in a repeatable group of the same name whose items hold the one
  field as property `value` (widgets ask for single values only).
- Property names: the FIM id plus a slug of the name, lower case `[a-z0-9_]`, e.g.
  `f60000227_familienname`; unique within their object (`_2`, `_3`, ... on a clash). Every field
  and group property carries `x-fim-id` and `x-fim-version` (a wrapped repeatable field carries
  them on its `value`); the schema root carries the schema's id and version. Every object has
  `"additionalProperties": false`. Fields shown as static text (`label`, `obj`) have no property.
- Labels: `bezeichnungEingabe` (schema: XDF 2 `bezeichnungEingabe`, XDF 3 `bezeichnung`), else
  `name`. A field's help: `hilfetextEingabe`, else `beschreibung`. A group's help (the step
  description, or a static text at the top of a nested group) is `hilfetextEingabe` only: a
  group's `beschreibung` is written for editors. The form's description: `hilfetext`, else
  `beschreibung`.
- Data types (`datentyp`, with `feldart`):
  `text` -> text (textarea above 1000 characters), `text_latin` -> text (DIN 91379 not checked),
  `date` -> date, `bool` -> yesno, `num`/`num_currency` -> number, `num_int` -> number
  (integer), `file` -> file, `time`/`datetime` -> text (warning), `obj` -> static text (warning).
  `feldart` `select` with inline values (XDF 3 `werte`) -> `enum` of the codes plus `choices`
  with their names (`radio` up to 5 values, else `select`). A code list that is only referenced
  by URN (`codelisteReferenz`, the usual case in XDF 2) is not in the file: the field becomes a
  text field and a warning names the list and its version. `feldart` `label` -> a `static`
  element (`inhalt` as text, the label as title) and no property. `hidden`/`locked` (XDF 3) are
  asked as ordinary fields (warning).
- `praezisierung` (XDF 2: a JSON object of strings, XDF 3: attributes): `minLength`,
  `maxLength` and `pattern` for text, `minValue`/`maxValue` -> `minimum`/`maximum` for numbers.
  Patterns are XML Schema patterns, which match the whole value, so they are anchored as
  `^(?:...)$`. A length or a numeric bound that is not a number is an error naming the field; a
  bound that does not apply to the data type is dropped with a warning.
- `inhalt` of an input field becomes the schema `default` when it fits the field.
- Rules (`regel`) cannot be executed: each distinct rule becomes one German line in
  `layout["notes"]` with its id, name, text (`definition`/`freitextRegel`, `beschreibung`) and
  the elements (with their data paths) it is attached to. None is dropped.
- `warnings` lists everything converted with a loss, for the import report.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.utils.text import slugify

__all__ = ["ConvertedForm", "XDatenfelderError", "convert", "slug_for"]

JSON = dict[str, Any]

NS_V2: Final = "urn:xoev-de:fim:standard:xdatenfelder_2"
NS_V3: Final = "urn:xoev-de:fim:standard:xdatenfelder_3.0.0"
STANDARD_V2: Final = "xdatenfelder-2"
STANDARD_V3: Final = "xdatenfelder-3"
_STANDARDS: Final = {NS_V2: STANDARD_V2, NS_V3: STANDARD_V3}

SCHEMA_MESSAGE: Final = "xdatenfelder.stammdatenschema.0102"
GROUP_MESSAGE: Final = "xdatenfelder.datenfeldgruppe.0103"

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_DEPTH: Final = 40
TEXTAREA_ABOVE: Final = 1000  # a text field with a larger maxLength is a textarea
RADIO_UP_TO: Final = 5  # up to this many choices are radio buttons, more a select box
SLUG_WORDS_MAX: Final = 40
ADD_LABEL: Final = "Weiteren Eintrag hinzufügen"

# XProzess status code list, used by XDF 3 `freigabestatus`.
_FREIGABESTATUS: Final = frozenset({"1", "2", "3", "4", "5", "6", "7", "8"})
_DATENTYPEN: Final = frozenset(
    {"text", "text_latin", "date", "time", "datetime", "bool", "num", "num_int", "num_currency"}
    | {"file", "obj"}
)
_FELDARTEN: Final = frozenset({"input", "select", "label", "hidden", "locked"})
_CONSTRAINT_KEYS: Final = frozenset({"minLength", "maxLength", "minValue", "maxValue", "pattern"})
_EMPTY_SCRIPT: Final = re.compile(r"^function\s+\w*\s*\(\s*\)\s*\{\s*\}$")
_CARDINALITY: Final = re.compile(r"^([0-9]+)\s*:\s*([0-9]+|\*)$")
_WHOLE_NUMBER: Final = re.compile(r"^[0-9]+$")
_ISO_DATE: Final = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_BOOLEANS: Final = {"true": True, "1": True, "ja": True, "false": False, "0": False, "nein": False}
_TRANSLITERATION: Final = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "Ss"}
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


def convert(xml: bytes) -> ConvertedForm:
    """Convert one XDatenfelder 2.0 / 3.0.0 message into a form definition."""
    root, lines = _parse(xml)
    namespace, _, local = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", "")
    if not local:
        raise XDatenfelderError(
            f"unknown namespace: the root element <{root.tag}> has no XDatenfelder namespace"
        )
    standard = _STANDARDS.get(namespace)
    if standard is None:
        raise XDatenfelderError(
            f"unknown namespace '{namespace}' of the root element <{local}>; expected "
            f"'{NS_V2}' (XDatenfelder 2.0) or '{NS_V3}' (XDatenfelder 3.0.0)"
        )
    reader = _Reader(namespace, standard, lines)
    document = reader.read_message(root)
    builder = _Builder(document)
    schema, layout = builder.build()
    return ConvertedForm(
        identifier=document.id,
        version=document.version,
        title=document.title,
        description=document.description,
        standard=standard,
        schema=schema,
        layout=layout,
        warnings=_unique(reader.warnings + builder.warnings),
    )


def slug_for(converted: ConvertedForm) -> str:
    """A URL slug that stays the same for every version of the schema, e.g. "s00000246"."""
    slug = slugify(converted.identifier) or slugify(_ascii(converted.title))
    return slug[:80].strip("-") or "formular"


# --- parsing ---------------------------------------------------------------------------------


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: Any, attrs: dict[Any, Any], /) -> Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def _parse(xml: bytes) -> tuple[Element, dict[Element, int]]:
    if not isinstance(xml, bytes | bytearray):
        raise XDatenfelderError("expected the file content as bytes")
    if not xml.strip():
        raise XDatenfelderError("the file is empty")
    if len(xml) > MAX_BYTES:
        raise XDatenfelderError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(bytes(xml))
        root = parser.close()
    except DefusedXmlException as exc:
        raise XDatenfelderError(
            f"the file declares a DTD or entities, which are not allowed: {exc}"
        ) from exc
    except ParseError as exc:
        raise XDatenfelderError(f"the file is not well-formed XML: {exc}") from exc
    except (ValueError, LookupError) as exc:
        raise XDatenfelderError(f"the file cannot be read as XML: {exc}") from exc
    return root, builder.lines


# --- the parsed document ---------------------------------------------------------------------


@dataclass
class _Rule:
    id: str
    version: str
    name: str
    text: str


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
    media_types: list[str]
    max_size: int | None
    rules: list[_Rule]


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


_Parts = dict[str, list[Element]]


@dataclass(frozen=True)
class _Spec:
    single: frozenset[str]
    multiple: frozenset[str] = frozenset()


def _spec(single: set[str], multiple: set[str] | None = None) -> _Spec:
    return _Spec(frozenset(single), frozenset(multiple or set()))


_V2_BASE: Final = {
    "identifikation",
    "name",
    "bezeichnungEingabe",
    "bezeichnungAusgabe",
    "beschreibung",
    "definition",
    "bezug",
    "status",
    "gueltigAb",
    "gueltigBis",
    "fachlicherErsteller",
    "versionshinweis",
    "freigabedatum",
    "veroeffentlichungsdatum",
}
_V2_ELEMENT: Final = _V2_BASE | {"schemaelementart", "hilfetextEingabe", "hilfetextAusgabe"}
_V2: Final = {
    "schema": _spec(
        _V2_BASE
        | {
            "hilfetext",
            "ableitungsmodifikationenStruktur",
            "ableitungsmodifikationenRepraesentation",
        },
        {"regel", "struktur"},
    ),
    "group": _spec(_V2_ELEMENT, {"regel", "struktur"}),
    "field": _spec(
        _V2_ELEMENT | {"feldart", "datentyp", "praezisierung", "inhalt", "codelisteReferenz"},
        {"regel"},
    ),
    "rule": _spec(_V2_BASE | {"script"}),
    "struktur": _spec({"anzahl", "bezug", "enthaelt"}),
    "codelisteReferenz": _spec({"identifikation", "genericodeIdentification"}),
    "genericodeIdentification": _spec(
        {"canonicalIdentification", "version", "canonicalVersionUri"}
    ),
}
_V3_BASE: Final = {
    "identifikation",
    "name",
    "beschreibung",
    "definition",
    "freigabestatus",
    "statusGesetztAm",
    "statusGesetztDurch",
    "gueltigAb",
    "gueltigBis",
    "versionshinweis",
    "veroeffentlichungsdatum",
    "letzteAenderung",
    "fachlicherErsteller",
}
_V3_BASE_MULTIPLE: Final = {"bezug", "relation", "stichwort"}
_V3_ELEMENT: Final = _V3_BASE | {
    "bezeichnungEingabe",
    "bezeichnungAusgabe",
    "schemaelementart",
    "hilfetextEingabe",
    "hilfetextAusgabe",
}
_V3: Final = {
    "schema": _spec(
        _V3_BASE
        | {"bezeichnung", "hilfetext", "dokumentsteckbrief"}
        | {"ableitungsmodifikationenStruktur", "ableitungsmodifikationenRepraesentation"},
        _V3_BASE_MULTIPLE | {"regel", "struktur"},
    ),
    "group": _spec(_V3_ELEMENT | {"art"}, _V3_BASE_MULTIPLE | {"regel", "struktur"}),
    "field": _spec(
        _V3_ELEMENT
        | {"feldart", "datentyp", "praezisierung", "inhalt", "vorbefuellung", "werte"}
        | {"codelisteReferenz", "codeKey", "nameKey", "helpKey", "maxSize"},
        _V3_BASE_MULTIPLE | {"mediaType", "regel"},
    ),
    "rule": _spec(
        {"identifikation", "name", "beschreibung", "freitextRegel", "fachlicherErsteller"}
        | {"letzteAenderung", "typ", "skript"},
        {"bezug", "stichwort", "param", "ziel", "fehler"},
    ),
    "struktur": _spec({"anzahl", "enthaelt"}, {"bezug"}),
    "codelisteReferenz": _spec({"canonicalIdentification", "version", "canonicalVersionUri"}),
    "werte": _spec(set(), {"wert"}),
    "wert": _spec({"code", "name", "hilfe"}),
}
_IDENTIFICATION: Final = _spec({"id", "version"})


class _Reader:
    """Checks the XML structure of one version and reads it into `_Document`."""

    def __init__(self, namespace: str, standard: str, lines: dict[Element, int]) -> None:
        self.namespace = namespace
        self.v3 = standard == STANDARD_V3
        self.specs = _V3 if self.v3 else _V2
        self.lines = lines
        self.warnings: list[str] = []

    # helpers

    def _local(self, element: Element) -> str | None:
        prefix = f"{{{self.namespace}}}"
        return element.tag[len(prefix) :] if element.tag.startswith(prefix) else None

    def _where(self, element: Element) -> str:
        line = self.lines.get(element)
        return f" (line {line})" if line else ""

    def _context(self, element: Element) -> str:
        """'<datenfeld> F123': the element and its FIM id when it has one."""
        name = self._local(element) or element.tag
        ident = element.find(f"{{{self.namespace}}}identifikation/{{{self.namespace}}}id")
        ident_text = (ident.text or "").strip() if ident is not None else ""
        return f"<{name}> {ident_text}" if ident_text else f"<{name}>"

    def _children(self, element: Element, spec: _Spec, context: str) -> _Parts:
        parts: _Parts = {}
        for child in element:
            name = self._local(child)
            if name is None or (name not in spec.single and name not in spec.multiple):
                raise XDatenfelderError(
                    f"unexpected element <{name or child.tag}> in {context}{self._where(child)}"
                )
            parts.setdefault(name, []).append(child)
        for name, found in parts.items():
            if name not in spec.single or len(found) < 2:
                continue
            filled = [item for item in found if not _is_empty(item)]
            if self.v3 and len(filled) <= 1:
                self.warnings.append(
                    f"ignored an empty repeated element <{name}> in {context}"
                    f"{self._where(found[1])}"
                )
                parts[name] = filled or found[:1]
                continue
            raise XDatenfelderError(
                f"duplicate element <{name}> in {context}{self._where(found[1])}: "
                "it may occur only once"
            )
        return parts

    def _text(self, element: Element, context: str) -> str:
        if len(element):
            child = element[0]
            raise XDatenfelderError(
                f"unexpected element <{self._local(child) or child.tag}> in "
                f"<{self._local(element)}> of {context}{self._where(child)}"
            )
        return element.text or ""

    def _optional(self, parts: _Parts, name: str, context: str) -> str:
        found = parts.get(name)
        return self._text(found[0], context) if found else ""

    def _required(self, parts: _Parts, name: str, context: str, owner: Element) -> str:
        if name not in parts:
            raise XDatenfelderError(f"missing <{name}> in {context}{self._where(owner)}")
        return self._text(parts[name][0], context)

    def _code(self, element: Element, context: str) -> str:
        """The value of a code element: `<xdf:feldart><code>input</code></xdf:feldart>`."""
        name = self._local(element)
        codes = [child for child in element if child.tag == "code"]
        for child in element:
            if child.tag != "code":
                raise XDatenfelderError(
                    f"unexpected element <{self._local(child) or child.tag}> in <{name}> of "
                    f"{context}{self._where(child)}"
                )
        if not codes:
            raise XDatenfelderError(
                f"missing <code> in <{name}> of {context}{self._where(element)}"
            )
        if len(codes) > 1:
            raise XDatenfelderError(
                f"duplicate element <code> in <{name}> of {context}{self._where(codes[1])}"
            )
        value = self._text(codes[0], context).strip()
        if not value:
            raise XDatenfelderError(f"empty <code> in <{name}> of {context}{self._where(codes[0])}")
        return value

    def _identification(self, parts: _Parts, owner: Element, context: str) -> tuple[str, str]:
        if "identifikation" not in parts:
            raise XDatenfelderError(f"missing <identifikation> in {context}{self._where(owner)}")
        element = parts["identifikation"][0]
        where = f"<identifikation> of {context}"
        ident = self._children(element, _IDENTIFICATION, where)
        if "id" not in ident:
            raise XDatenfelderError(f"missing <id> in {where}{self._where(element)}")
        value = self._text(ident["id"][0], where).strip()
        if not value:
            raise XDatenfelderError(f"empty <id> in {where}{self._where(ident['id'][0])}")
        version = self._optional(ident, "version", where).strip()
        return value, version

    def _check_status(self, parts: _Parts, context: str) -> None:
        if self.v3 and "freigabestatus" in parts:
            element = parts["freigabestatus"][0]
            code = self._code(element, context)
            if code not in _FREIGABESTATUS:
                raise XDatenfelderError(
                    f"invalid freigabestatus code '{code}' in {context}{self._where(element)}; "
                    "expected 1 to 8"
                )
        if not self.v3 and "status" in parts:
            self._code(parts["status"][0], context)

    # messages and elements

    def read_message(self, root: Element) -> _Document:
        local = self._local(root) or root.tag
        if local == SCHEMA_MESSAGE:
            body = "stammdatenschema"
        elif local == GROUP_MESSAGE:
            body = "datenfeldgruppe"
        else:
            raise XDatenfelderError(
                f"unknown root element <{local}>: expected <{SCHEMA_MESSAGE}> (a "
                f"Stammdatenschema) or <{GROUP_MESSAGE}> (a Datenfeldgruppe)"
            )
        parts = self._children(root, _spec({"header", body}), f"<{local}>")
        if body not in parts:
            raise XDatenfelderError(f"missing <{body}> in <{local}>{self._where(root)}")
        element = parts[body][0]
        if body == "stammdatenschema":
            return self._read_schema(element)
        group = self._read_group(element, depth=0)
        return _Document(
            id=group.id,
            version=group.version,
            name=group.name,
            title=group.label,
            description=group.help,
            rules=group.rules,
            children=group.children,
        )

    def _read_schema(self, element: Element) -> _Document:
        context = self._context(element)
        parts = self._children(element, self.specs["schema"], context)
        ident, version = self._identification(parts, element, context)
        name = _one_line(self._required(parts, "name", context, element))
        title_tag = "bezeichnung" if self.v3 else "bezeichnungEingabe"
        title = _one_line(self._optional(parts, title_tag, context)) or name or ident
        description = _paragraphs(self._optional(parts, "hilfetext", context)) or _paragraphs(
            self._optional(parts, "beschreibung", context)
        )
        self._check_status(parts, context)
        return _Document(
            id=ident,
            version=version,
            name=name,
            title=title,
            description=description,
            rules=[self._read_rule(rule) for rule in parts.get("regel", [])],
            children=[self._read_structure(item, 1) for item in parts.get("struktur", [])],
        )

    def _read_structure(self, element: Element, depth: int) -> _Child:
        context = "<struktur>"
        parts = self._children(element, self.specs["struktur"], context)
        cardinality = self._required(parts, "anzahl", context, element).strip()
        match = _CARDINALITY.match(cardinality)
        high = None if match is None or match.group(2) == "*" else int(match.group(2))
        if match is None or (high is not None and (high < 1 or high < int(match.group(1)))):
            raise XDatenfelderError(
                f"invalid <anzahl> '{cardinality}' in <struktur>{self._where(element)}: expected "
                "'min:max' with max >= 1 and max >= min, such as '0:1', '1:1', '1:3' or '0:*'"
            )
        low = int(match.group(1))
        if "enthaelt" not in parts:
            raise XDatenfelderError(f"missing <enthaelt> in <struktur>{self._where(element)}")
        contains = parts["enthaelt"][0]
        inner = self._children(
            contains, _spec(set(), {"datenfeld", "datenfeldgruppe"}), "<enthaelt>"
        )
        items = [item for found in inner.values() for item in found]
        if len(items) != 1:
            raise XDatenfelderError(
                f"<enthaelt>{self._where(contains)} must hold exactly one <datenfeld> or "
                f"<datenfeldgruppe>, found {len(items)}"
            )
        item = items[0]
        if self._local(item) == "datenfeld":
            return _Child(low, high, self._read_field(item))
        return _Child(low, high, self._read_group(item, depth))

    def _read_group(self, element: Element, depth: int) -> _Group:
        context = self._context(element)
        if depth > MAX_DEPTH:
            raise XDatenfelderError(
                f"groups are nested deeper than {MAX_DEPTH} levels at {context}"
                f"{self._where(element)}"
            )
        parts = self._children(element, self.specs["group"], context)
        ident, version = self._identification(parts, element, context)
        name = _one_line(self._required(parts, "name", context, element))
        self._check_status(parts, context)
        kind = self._code(parts["art"][0], context) if "art" in parts else ""
        return _Group(
            id=ident,
            version=version,
            name=name,
            label=_one_line(self._optional(parts, "bezeichnungEingabe", context)) or name or ident,
            # Only the citizen-facing help text: a group's description is written for editors
            # and would be shown as a paragraph of its own.
            help=_paragraphs(self._optional(parts, "hilfetextEingabe", context)),
            kind=kind,
            rules=[self._read_rule(rule) for rule in parts.get("regel", [])],
            children=[self._read_structure(item, depth + 1) for item in parts.get("struktur", [])],
        )

    def _help(self, parts: _Parts, context: str) -> str:
        return _paragraphs(self._optional(parts, "hilfetextEingabe", context)) or _paragraphs(
            self._optional(parts, "beschreibung", context)
        )

    def _read_field(self, element: Element) -> _Field:
        context = self._context(element)
        parts = self._children(element, self.specs["field"], context)
        ident, version = self._identification(parts, element, context)
        name = _one_line(self._required(parts, "name", context, element))
        self._check_status(parts, context)
        for required in ("feldart", "datentyp"):
            if required not in parts:
                raise XDatenfelderError(f"missing <{required}> in {context}{self._where(element)}")
        feldart = self._code(parts["feldart"][0], context)
        datentyp = self._code(parts["datentyp"][0], context)
        constraints: dict[str, str] = {}
        if "praezisierung" in parts:
            constraints = self._constraints(parts["praezisierung"][0], ident, context)
        max_size: int | None = None
        if "maxSize" in parts:
            raw = self._text(parts["maxSize"][0], context).strip()
            if raw:
                if not _WHOLE_NUMBER.match(raw):
                    raise XDatenfelderError(f"invalid <maxSize> '{raw}' in field {ident}")
                max_size = int(raw)
        return _Field(
            id=ident,
            version=version,
            name=name,
            label=_one_line(self._optional(parts, "bezeichnungEingabe", context)) or name or ident,
            help=self._help(parts, context),
            feldart=feldart,
            datentyp=datentyp,
            constraints=constraints,
            content=self._optional(parts, "inhalt", context).strip(),
            values=self._values(parts, ident, context),
            code_list=self._code_list(parts, context),
            media_types=[
                value
                for item in parts.get("mediaType", [])
                if (value := self._text(item, context).strip())
            ],
            max_size=max_size,
            rules=[self._read_rule(rule) for rule in parts.get("regel", [])],
        )

    def _constraints(self, element: Element, ident: str, context: str) -> dict[str, str]:
        if self.v3:
            text = self._text(element, context).strip()
            if text:
                self.warnings.append(
                    f"field {ident}: the text '{_shorten(text)}' of <praezisierung> is ignored"
                )
            return {
                key: value.strip()
                for key, value in element.attrib.items()
                if key in _CONSTRAINT_KEYS and value.strip()
            }
        text = self._text(element, context).strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            self.warnings.append(
                f"field {ident}: <praezisierung> '{_shorten(text)}' is not a JSON object and is "
                "ignored"
            )
            return {}
        result: dict[str, str] = {}
        for key, value in data.items():
            if key not in _CONSTRAINT_KEYS:
                self.warnings.append(f"field {ident}: praezisierung '{key}' is not supported")
                continue
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise XDatenfelderError(
                    f"invalid praezisierung {key} {value!r} in field {ident}{self._where(element)}"
                )
            if str(value).strip():
                result[key] = str(value).strip()
        return result

    def _values(self, parts: _Parts, ident: str, context: str) -> list[tuple[str, str]]:
        if "werte" not in parts:
            return []
        values: list[tuple[str, str]] = []
        seen: set[str] = set()
        element = parts["werte"][0]
        items = self._children(element, self.specs["werte"], f"<werte> of {context}")
        for item in items.get("wert", []):
            where = f"<wert> of {context}"
            value = self._children(item, self.specs["wert"], where)
            code = self._required(value, "code", where, item).strip()
            if not code:
                raise XDatenfelderError(f"empty <code> in {where}{self._where(item)}")
            if code in seen:
                raise XDatenfelderError(
                    f"duplicate code '{code}' in <werte> of field {ident}{self._where(item)}"
                )
            seen.add(code)
            values.append((code, _one_line(self._optional(value, "name", where)) or code))
        return values

    def _code_list(self, parts: _Parts, context: str) -> str:
        """A readable reference to the code list ('urn:... version 3'), '' without one."""
        if "codelisteReferenz" not in parts:
            return ""
        element = parts["codelisteReferenz"][0]
        where = f"<codelisteReferenz> of {context}"
        reference = self._children(element, self.specs["codelisteReferenz"], where)
        if self.v3:
            generic = reference
        else:
            generic = {}
            if "genericodeIdentification" in reference:
                generic = self._children(
                    reference["genericodeIdentification"][0],
                    self.specs["genericodeIdentification"],
                    where,
                )
        urn = self._optional(generic, "canonicalIdentification", where).strip()
        version = self._optional(generic, "version", where).strip()
        uri = self._optional(generic, "canonicalVersionUri", where).strip()
        if not self.v3 and not urn and "identifikation" in reference:
            ident = self._children(reference["identifikation"][0], _IDENTIFICATION, where)
            urn = self._optional(ident, "id", where).strip()
        if not urn:
            return uri or ("(no identification)" if not _is_empty(element) else "")
        return f"{urn} version {version}" if version else urn

    def _read_rule(self, element: Element) -> _Rule:
        context = self._context(element)
        parts = self._children(element, self.specs["rule"], context)
        ident, version = self._identification(parts, element, context)
        name = _one_line(self._required(parts, "name", context, element))
        self._check_status(parts, context)
        main = "freitextRegel" if self.v3 else "definition"
        script = _one_line(self._optional(parts, "skript" if self.v3 else "script", context))
        texts = _unique(
            [
                _one_line(self._optional(parts, main, context)),
                _one_line(self._optional(parts, "beschreibung", context)),
            ]
        )
        text = " ".join(texts)
        if script and not _EMPTY_SCRIPT.match(script):
            text = f"{text} [Skript: {_shorten(script, 300)}]" if text else f"Skript: {script}"
        return _Rule(ident, version, name, text or "(ohne Beschreibung)")


# --- building schema and layout --------------------------------------------------------------


@dataclass
class _Result:
    """One converted child: its property (None for a static element) and its layout element."""

    name: str | None
    schema: JSON | None
    element: JSON
    required: bool = False


@dataclass
class _RuleUse:
    rule: _Rule
    # element ("Gruppe G60000093 „Anschrift“") -> the data paths it has in the form
    places: dict[str, list[str]] = field(default_factory=dict)


class _Builder:
    def __init__(self, document: _Document) -> None:
        self.document = document
        self.warnings: list[str] = []
        self.rules: dict[tuple[str, str], _RuleUse] = {}

    def build(self) -> tuple[JSON, JSON]:
        document = self.document
        self._record_rules(document.rules, "das gesamte Formular", [])
        properties: JSON = {}
        required: list[str] = []
        names: set[str] = set()
        steps: list[JSON] = []
        step_ids: set[str] = set()
        field_step: JSON | None = None
        field_steps = 0
        for child in document.children:
            element = child.element
            if isinstance(element, _Group):
                field_step = None
                name = _unique_name(element, names)
                result = self._group(child, element, name, [name], nested=False)
                step: JSON = {"id": _step_id(name, step_ids), "title": element.label}
                if element.help:
                    step["description"] = element.help
                step["elements"] = [result.element]
                steps.append(step)
            else:
                if field_step is None:
                    field_steps += 1
                    title = document.title
                    field_step = {
                        "id": _step_id("angaben", step_ids),
                        "title": title if field_steps == 1 else f"{title} ({field_steps})",
                        "elements": [],
                    }
                    steps.append(field_step)
                result = self._field(child, element, names, [])
                field_step["elements"].append(result.element)
            if result.name is not None and result.schema is not None:
                properties[result.name] = result.schema
                if result.required:
                    required.append(result.name)
        if not document.children:
            self.warnings.append(f"schema {document.id} contains no fields or groups")
            steps.append(
                {
                    "id": _step_id("angaben", step_ids),
                    "title": document.title,
                    "elements": [
                        {"static": document.description or "Dieses Formular enthält keine Fragen."}
                    ],
                }
            )
        schema: JSON = {
            "$schema": JSON_SCHEMA_DIALECT,
            "type": "object",
            "title": document.title,
        }
        if document.description:
            schema["description"] = document.description
        schema["x-fim-id"] = document.id
        schema["x-fim-version"] = document.version
        schema["properties"] = properties
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        return schema, {"steps": steps, "notes": self._notes()}

    # rules

    def _record_rules(self, rules: list[_Rule], place: str, path: list[str]) -> None:
        for rule in rules:
            use = self.rules.setdefault((rule.id, rule.version), _RuleUse(rule))
            paths = use.places.setdefault(place, [])
            if path:
                paths.append(".".join(path))

    def _notes(self) -> list[str]:
        notes = []
        for (ident, version), use in self.rules.items():
            rule = use.rule
            places = [
                f"{place} ({'; '.join(paths)})" if paths else place
                for place, paths in use.places.items()
            ]
            head = f"Regel {ident}" + (f" (Version {version})" if version else "")
            notes.append(f"{head} {rule.name}: {rule.text} (gilt für {'; '.join(places)})")
        return notes

    # groups

    def _group(
        self, child: _Child, group: _Group, name: str, path: list[str], *, nested: bool
    ) -> _Result:
        repeat = child.max is None or child.max > 1
        self._record_rules(group.rules, f"Gruppe {group.id} „{group.label}“", path)
        if group.kind:
            self.warnings.append(
                f"group {group.id} „{group.label}“: group type (art) '{group.kind}' is not "
                "evaluated; the group is asked like any other"
            )
        if not group.children:
            self.warnings.append(f"group {group.id} „{group.label}“ contains no fields")
        properties: JSON = {}
        required: list[str] = []
        elements: list[JSON] = []
        names: set[str] = set()
        item_path = [*path, "*"] if repeat else path
        if nested and group.help:
            elements.append({"static": group.help})
        for member in group.children:
            element = member.element
            if isinstance(element, _Group):
                member_name = _unique_name(element, names)
                result = self._group(
                    member, element, member_name, [*item_path, member_name], nested=True
                )
            else:
                result = self._field(member, element, names, item_path)
            elements.append(result.element)
            if result.name is not None and result.schema is not None:
                properties[result.name] = result.schema
                if result.required:
                    required.append(result.name)
        obj: JSON = {"type": "object", "properties": properties}
        if required:
            obj["required"] = required
        obj["additionalProperties"] = False
        meta: JSON = {"title": group.label, "x-fim-id": group.id, "x-fim-version": group.version}
        layout: JSON = {"group": name, "label": group.label, "repeat": repeat}
        if repeat:
            schema: JSON = {**meta, "type": "array", "items": obj}
            _set_bounds(schema, child)
            layout["add_label"] = ADD_LABEL
        else:
            schema = {**meta, **obj}
        if not elements:  # the engine needs something to show for every group
            elements.append({"static": "Zu diesem Abschnitt gibt es keine Fragen."})
        layout["elements"] = elements
        return _Result(name, schema, layout, required=child.min >= 1)

    # fields

    def _field(self, child: _Child, item: _Field, names: set[str], path: list[str]) -> _Result:
        place = f"Feld {item.id} „{item.label}“"
        if _is_static(item):
            self._record_rules(item.rules, place, [])
            return _Result(None, None, self._static(item))
        name = _unique_name(item, names)
        self._record_rules(item.rules, place, [*path, name])
        repeat = child.max is None or child.max > 1
        required = child.min >= 1
        value, element = self._value(item)
        element = {"field": name, **element}
        if element["widget"] == "file":
            # An upload question holds a list of files anyway: the cardinality bounds the list.
            schema: JSON = {
                **value,
                "type": "array",
                "items": {"type": "string", "format": "upload"},
            }
            _set_bounds(schema, child, always_max=True)
            return _Result(name, schema, element, required)
        if repeat and "enum" in value:
            schema = {key: val for key, val in value.items() if key not in ("enum", "default")}
            schema["type"] = "array"
            schema["items"] = {"type": "string", "enum": value["enum"]}
            schema["uniqueItems"] = True
            _set_bounds(schema, child)
            element["widget"] = "checkboxes"
            return _Result(name, schema, element, required)
        if repeat:
            # Widgets ask for one value: a repeatable field is a repeatable group of one field.
            schema = {
                "title": item.label,
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"value": value},
                    "required": ["value"],
                    "additionalProperties": False,
                },
            }
            _set_bounds(schema, child)
            layout: JSON = {
                "group": name,
                "label": item.label,
                "repeat": True,
                "add_label": ADD_LABEL,
                "elements": [{**element, "field": "value"}],
            }
            return _Result(name, schema, layout, required)
        return _Result(name, value, element, required)

    def _upload_rules(self, item: _Field, ident: str) -> tuple[list[str], int]:
        """The accepted types and size of a file question, within what uploads can check."""
        from django.conf import settings

        from rathaus.forms.uploads import SUPPORTED_TYPES

        accept = [media for media in item.media_types or [] if media in SUPPORTED_TYPES]
        unknown = [media for media in item.media_types or [] if media not in SUPPORTED_TYPES]
        if unknown:
            self.warnings.append(
                f"{ident}: file types {', '.join(unknown)} cannot be checked and are not accepted"
            )
        if not accept:
            accept = list(DEFAULT_FILE_TYPES)
        ceiling = int(settings.RATHAUS_UPLOAD_MAX_BYTES)
        size = min(item.max_size or DEFAULT_FILE_SIZE, ceiling)
        if item.max_size and item.max_size > ceiling:
            self.warnings.append(
                f"{ident}: the file size limit {item.max_size} is above the installation's "
                f"limit and was lowered to {ceiling} bytes"
            )
        return accept, size

    def _static(self, item: _Field) -> JSON:
        if item.feldart != "label":
            self.warnings.append(
                f"field {item.id} „{item.label}“: datentyp 'obj' (a static object) cannot be "
                "imported; it is shown as a static text"
            )
        return {"static": item.content or item.help or item.label, "title": item.label}

    def _value(self, item: _Field) -> tuple[JSON, JSON]:
        """The schema of one value of the field and its layout element (without `field`)."""
        ident = f"field {item.id} „{item.label}“"
        schema: JSON = {"title": item.label, "x-fim-id": item.id, "x-fim-version": item.version}
        element: JSON = {"widget": "text", "label": item.label}
        if item.help:
            element["help"] = item.help
        lengths = self._lengths(item)  # checked for every data type: a bad number is an error
        constraints = item.constraints
        feldart = item.feldart
        if feldart not in _FELDARTEN:
            self.warnings.append(f"{ident}: unknown feldart '{feldart}', asked as an input field")
            feldart = "input"
        if feldart in ("hidden", "locked"):
            self.warnings.append(f"{ident}: feldart '{feldart}' is asked as an ordinary field")
        datentyp = item.datentyp
        if datentyp not in _DATENTYPEN:
            self.warnings.append(f"{ident}: unknown datentyp '{datentyp}', asked as free text")
            datentyp = "text"

        if feldart == "select":
            if item.values:
                schema["type"] = "string"
                schema["enum"] = [code for code, _ in item.values]
                element["widget"] = "radio" if len(item.values) <= RADIO_UP_TO else "select"
                element["choices"] = [{"value": code, "label": text} for code, text in item.values]
                self._default(item, schema)
                return schema, element
            if item.code_list:
                self.warnings.append(
                    f"{ident}: code list {item.code_list} is not contained in the file; the "
                    "field is asked as free text (add the code list's values as choices)"
                )
            else:
                self.warnings.append(
                    f"{ident}: select field without values or code list; asked as free text"
                )
            datentyp = "text"

        if datentyp == "file":
            element["widget"] = "file"
            element["accept"], element["max_size"] = self._upload_rules(item, ident)
            self._ignore(item, constraints, _CONSTRAINT_KEYS, "a file")
            if item.content:
                self.warnings.append(f"{ident}: the default value of a file field is ignored")
            return schema, element
        if datentyp == "bool":
            schema["type"] = "boolean"
            element["widget"] = "yesno"
            self._ignore(item, constraints, _CONSTRAINT_KEYS, "a yes/no question")
        elif datentyp in ("num", "num_int", "num_currency"):
            schema["type"] = "integer" if datentyp == "num_int" else "number"
            element["widget"] = "number"
            if datentyp == "num_currency":
                self.warnings.append(
                    f"{ident}: datentyp 'num_currency' is asked as a plain number (two decimal "
                    "places are not enforced)"
                )
            self._bounds(item, schema)
            self._ignore(item, constraints, {"minLength", "maxLength", "pattern"}, "a number")
        elif datentyp == "date":
            schema["type"] = "string"
            schema["format"] = "date"
            element["widget"] = "date"
            self._ignore(item, constraints, {"minValue", "maxValue"}, "a date (not enforced)")
            self._ignore(item, constraints, {"minLength", "maxLength", "pattern"}, "a date")
        else:
            if datentyp in ("time", "datetime"):
                self.warnings.append(
                    f"{ident}: datentyp '{datentyp}' has no widget; it is asked as free text"
                )
            elif datentyp == "text_latin":
                self.warnings.append(
                    f"{ident}: datentyp 'text_latin' is asked as free text; the DIN 91379 "
                    "character set is not checked"
                )
            schema["type"] = "string"
            schema.update(lengths)
            if "pattern" in constraints:
                self._pattern(item, schema)
            self._ignore(item, constraints, {"minValue", "maxValue"}, "a text")
            if lengths.get("maxLength", 0) > TEXTAREA_ABOVE:
                element["widget"] = "textarea"
        self._default(item, schema)
        return schema, element

    def _ignore(
        self, item: _Field, constraints: dict[str, str], keys: Iterable[str], what: str
    ) -> None:
        dropped = sorted(key for key in keys if key in constraints)
        if dropped:
            self.warnings.append(
                f"field {item.id} „{item.label}“: praezisierung {', '.join(dropped)} does not "
                f"apply to {what} and is ignored"
            )

    @staticmethod
    def _lengths(item: _Field) -> dict[str, int]:
        lengths: dict[str, int] = {}
        for key in ("minLength", "maxLength"):
            if key in item.constraints:
                raw = item.constraints[key]
                if not _WHOLE_NUMBER.match(raw):
                    raise XDatenfelderError(
                        f"invalid praezisierung {key} '{raw}' in field {item.id}: expected a "
                        "whole number"
                    )
                lengths[key] = int(raw)
        if lengths.get("minLength", 0) > lengths.get("maxLength", math.inf):
            raise XDatenfelderError(
                f"invalid praezisierung in field {item.id}: minLength {lengths['minLength']} "
                f"is greater than maxLength {lengths['maxLength']}"
            )
        return lengths

    @staticmethod
    def _bounds(item: _Field, schema: JSON) -> None:
        for key, keyword in (("minValue", "minimum"), ("maxValue", "maximum")):
            if key in item.constraints:
                schema[keyword] = _number(item.constraints[key], f"praezisierung {key}", item.id)
        if schema.get("minimum", -math.inf) > schema.get("maximum", math.inf):
            raise XDatenfelderError(
                f"invalid praezisierung in field {item.id}: minValue {schema['minimum']} is "
                f"greater than maxValue {schema['maximum']}"
            )

    def _pattern(self, item: _Field, schema: JSON) -> None:
        raw = item.constraints["pattern"]
        pattern = _anchored(raw)
        try:
            re.compile(pattern)
        except re.error:
            self.warnings.append(
                f"field {item.id} „{item.label}“: praezisierung pattern '{_shorten(raw)}' is "
                "not a usable regular expression and is dropped"
            )
        else:
            schema["pattern"] = pattern

    def _default(self, item: _Field, schema: JSON) -> None:
        content = item.content
        if not content:
            return
        value: Any = content
        kind = schema.get("type")
        problem = ""
        if "enum" in schema:
            if content not in schema["enum"]:
                problem = "is not one of the choices"
        elif kind == "boolean":
            value = _BOOLEANS.get(content.lower())
            if value is None:
                problem = "is not a yes/no value"
        elif kind in ("number", "integer"):
            try:
                value = _number(content, "inhalt", item.id)
            except XDatenfelderError:
                problem = "is not a number"
            else:
                if kind == "integer" and not isinstance(value, int):
                    problem = "is not a whole number"
        elif schema.get("format") == "date":
            if not _is_iso_date(content):
                problem = "is not a date (YYYY-MM-DD)"
        elif not schema.get("minLength", 0) <= len(content) <= schema.get("maxLength", math.inf):
            problem = "does not fit the length limits"
        elif "pattern" in schema and not re.search(schema["pattern"], content):
            problem = "does not match the pattern"
        if problem:
            self.warnings.append(
                f"field {item.id} „{item.label}“: the default value (inhalt) "
                f"'{_shorten(content)}' {problem} and is dropped"
            )
            return
        schema["default"] = value


# --- small helpers ---------------------------------------------------------------------------


def _set_bounds(schema: JSON, child: _Child, *, always_max: bool = False) -> None:
    if child.min > 0:
        schema["minItems"] = child.min
    if child.max is not None and (always_max or child.max > 1):
        schema["maxItems"] = child.max


def _is_static(item: _Field) -> bool:
    return item.feldart == "label" or item.datentyp == "obj"


def _is_empty(element: Element) -> bool:
    return len(element) == 0 and not (element.text or "").strip() and not element.attrib


def _number(raw: str, key: str, ident: str) -> int | float:
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise XDatenfelderError(f"invalid {key} '{raw}' in field {ident}: expected a number")
    return int(value) if value.is_integer() and re.fullmatch(r"[+-]?\d+(\.0*)?", text) else value


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_ISO_DATE.match(text))


def _anchored(pattern: str) -> str:
    """XML Schema patterns match the whole value; JSON Schema patterns match anywhere."""
    return f"^(?:{pattern})$"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _slug_words(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower()).strip("_")
    if len(words) <= SLUG_WORDS_MAX:
        return words
    cut = words[:SLUG_WORDS_MAX]
    return cut.rsplit("_", 1)[0] if "_" in cut else cut


def _property_name(ident: str, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", _ascii(ident).lower()).strip("_") or "element"
    if not base[0].isalpha():
        base = f"x{base}"
    words = _slug_words(name)
    return f"{base}_{words}" if words else base


def _unique_name(element: _Field | _Group, taken: set[str]) -> str:
    return _unique_id(_property_name(element.id, element.name), taken)


DEFAULT_FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")
DEFAULT_FILE_SIZE = 10 * 1024 * 1024


def _step_id(base: str, taken: set[str]) -> str:
    """A step id the engine accepts: at most 41 characters, unique in the form."""
    return _unique_id(base[:36].rstrip("_-") or "schritt", taken)


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    taken.add(candidate)
    return candidate


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    """Lines joined, paragraphs (blank lines) kept: the form shows them as paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join(p for p in (_one_line(part) for part in paragraphs) if p)


def _shorten(text: str, limit: int = 80) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unique(items: list[str]) -> list[str]:
    return [item for item in dict.fromkeys(items) if item]

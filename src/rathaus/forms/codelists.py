"""Code lists: genericode files (the OASIS format XRepository publishes), stored by URN and
version, and the fields of a form version that take their choices from them (ADR 0032).

A FIM field that references a code list carries ``"x-code-list": {"urn": ..., "version": ...}``
in its JSON Schema and its layout element. When the list is stored, the schema gets its codes as
``enum`` and the element its labels as ``choices``; when it is not, the field is free text and
the version cannot be published until the list is imported (`fill`) or staff accept free text
(`FormVersion.code_list_free_text`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from rathaus.forms.models import CodeList

NS = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"
MAX_BYTES = 20 * 1024 * 1024
RADIO_UP_TO = 5
# Column names that hold what people read, best first (XRepository lists vary).
_LABEL_COLUMNS = ("beschreibung", "name", "wert", "bezeichnung", "label", "description")

Codes = list[tuple[str, str]]
Lookup = Callable[[str, str], Codes | None]


class CodeListError(ValueError):
    """The file is not a usable genericode code list; the message says why."""


@dataclass(frozen=True)
class ParsedCodeList:
    urn: str
    version: str
    name: str
    codes: Codes


def _local(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child) == name:
            return child
    return None


def _text(element: Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return " ".join((found.text or "").split()) if found is not None else ""


def parse(xml: bytes) -> ParsedCodeList:
    """Read one genericode 1.0 CodeList; raises CodeListError naming what is wrong."""
    if not xml.strip():
        raise CodeListError("the file is empty")
    if len(xml) > MAX_BYTES:
        raise CodeListError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        root = fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise CodeListError(
            f"the file declares a DTD or entities, which are not allowed: {exc}"
        ) from None
    except (ParseError, ValueError, LookupError) as exc:
        raise CodeListError(f"the file is not well-formed XML: {exc}") from None
    if root.tag != f"{{{NS}}}CodeList":
        raise CodeListError(
            f"the root element is <{_local(root)}>, not a genericode <CodeList> in the "
            f"namespace {NS}"
        )
    ident = _child(root, "Identification")
    urn = _text(ident, "CanonicalUri")
    version = _text(ident, "Version")
    if not urn or not version:
        raise CodeListError("<Identification> needs a <CanonicalUri> and a <Version>")
    name = _text(ident, "LongName") or _text(ident, "ShortName") or urn
    code_column, label_column = _columns(root)
    rows = _child(root, "SimpleCodeList")
    if rows is None:
        raise CodeListError("the file has no <SimpleCodeList>")
    codes: Codes = []
    seen: set[str] = set()
    for number, row in enumerate((r for r in rows if _local(r) == "Row"), start=1):
        values = {}
        for value in row:
            if _local(value) == "Value":
                values[value.get("ColumnRef", "")] = _text(value, "SimpleValue")
        code = values.get(code_column, "")
        if not code:
            raise CodeListError(f"row {number} has no value in the code column {code_column!r}")
        if code in seen:
            raise CodeListError(f"row {number}: the code {code!r} occurs twice")
        seen.add(code)
        codes.append((code, values.get(label_column, "") or code))
    if not codes:
        raise CodeListError("the code list has no rows")
    return ParsedCodeList(urn[:300], version[:100], name[:300], codes)


def _columns(root: Element) -> tuple[str, str]:
    """The code column (the recommended key, else the first key) and the label column."""
    columns = _child(root, "ColumnSet")
    if columns is None:
        raise CodeListError("the file has no <ColumnSet>")
    ids = [col.get("Id", "") for col in columns if _local(col) == "Column"]
    keys = [key for key in columns if _local(key) == "Key"]
    recommended = [key for key in keys if "empfohleneCodeSpalte" in _all_tags(key)]
    chosen = recommended or keys
    ref = _child(chosen[0], "ColumnRef") if chosen else None
    code = ref.get("Ref", "") if ref is not None else ""
    if not code or code not in ids:
        raise CodeListError("<ColumnSet> has no <Key> that names one of its columns")
    others = [column for column in ids if column != code]
    for wanted in _LABEL_COLUMNS:
        for column in others:
            if column.lower() == wanted:
                return code, column
    return code, others[0] if others else code


def _all_tags(element: Element) -> set[str]:
    return {_local(item) for item in element.iter()}


def store(parsed: ParsedCodeList) -> tuple[CodeList, bool]:
    """Stores (or replaces) the list with this URN and version; True when it is new."""
    code_list, created = CodeList.objects.update_or_create(
        urn=parsed.urn,
        version=parsed.version,
        defaults={"name": parsed.name, "codes": [list(item) for item in parsed.codes]},
    )
    return code_list, created


def lookup(urn: str, version: str) -> Codes | None:
    """The codes of a stored list: the given version, or the newest if no version is given."""
    lists = CodeList.objects.filter(urn=urn)
    found = lists.filter(version=version).first() if version else lists.last()
    if found is None:
        return None
    return [(str(code), str(label)) for code, label in found.codes]


# --- form versions ------------------------------------------------------------------------------


def _marked(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict (schema or layout element) that carries an x-code-list reference."""
    if isinstance(node, dict):
        if isinstance(node.get("x-code-list"), dict):
            yield node
        for value in node.values():
            yield from _marked(value)
    elif isinstance(node, list):
        for value in node:
            yield from _marked(value)


def _reference(node: dict[str, Any]) -> tuple[str, str]:
    ref = node["x-code-list"]
    return str(ref.get("urn", "")), str(ref.get("version", ""))


def missing(schema: Any) -> list[tuple[str, str]]:
    """The code lists (URN, version) whose fields are still free text, each once."""
    found = [_reference(node) for node in _marked(schema) if "enum" not in node]
    return list(dict.fromkeys(found))


def choices_element(element: dict[str, Any], codes: Codes) -> None:
    """Makes a layout element ask for one of the codes."""
    element["widget"] = "radio" if len(codes) <= RADIO_UP_TO else "select"
    element["choices"] = [{"value": code, "label": label} for code, label in codes]


def fill(schema: Any, layout: Any, find: Lookup = lookup) -> list[tuple[str, str]]:
    """Gives every referencing field whose list is now stored its codes (in place); returns
    the references still missing."""
    still: list[tuple[str, str]] = []
    for node in _marked(schema):
        if "enum" in node:
            continue
        codes = find(*_reference(node))
        if codes is None:
            still.append(_reference(node))
            continue
        for key in ("minLength", "maxLength", "pattern", "default"):
            node.pop(key, None)
        node["enum"] = [code for code, _ in codes]
    for element in _marked(layout):
        if element.get("widget") in ("text", "textarea") and "field" in element:
            codes = find(*_reference(element))
            if codes is not None:
                choices_element(element, codes)
    return list(dict.fromkeys(still))

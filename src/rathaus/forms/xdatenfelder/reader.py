"""Reading an XDatenfelder 2.0 or 3.0.0 message into the parsed document, checking its
structure against the version's elements."""

from __future__ import annotations

import json
from xml.etree.ElementTree import Element

from rathaus.forms.xdatenfelder.constants import (
    _CARDINALITY,
    _CONSTRAINT_KEYS,
    _EMPTY_SCRIPT,
    _FREIGABESTATUS,
    _WHOLE_NUMBER,
    GROUP_MESSAGE,
    MAX_DEPTH,
    SCHEMA_MESSAGE,
    STANDARD_V3,
)
from rathaus.forms.xdatenfelder.document import (
    XDatenfelderError,
    _Child,
    _Document,
    _Field,
    _Group,
    _Rule,
)
from rathaus.forms.xdatenfelder.helpers import (
    _is_empty,
    _one_line,
    _paragraphs,
    _shorten,
    _unique,
)
from rathaus.forms.xdatenfelder.structure import (
    _IDENTIFICATION,
    _V2,
    _V3,
    _Parts,
    _Spec,
    _spec,
)
from rathaus.forms.xdatenfelder.texts import EDITOR_ELEMENTS, editor_note


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

    def _identified(
        self, element: Element, kind: str, context: str
    ) -> tuple[_Parts, str, str, str]:
        """The children of a group, field or rule, and what each of them has, checked: its FIM
        id and version, its name and (in 3.0.0) its release status."""
        parts = self._children(element, self.specs[kind], context)
        ident, version = self._identification(parts, element, context)
        name = _one_line(self._required(parts, "name", context, element))
        self._check_status(parts, context)
        return parts, ident, version, name

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
        # Only the citizen-facing help text: `beschreibung` is written for editors (ADR 0034).
        description = _paragraphs(self._optional(parts, "hilfetext", context))
        self._check_status(parts, context)
        return _Document(
            id=ident,
            version=version,
            name=name,
            title=title,
            description=description,
            rules=[self._read_rule(rule) for rule in parts.get("regel", [])],
            children=[self._read_structure(item, 1) for item in parts.get("struktur", [])],
            editor_note=self._editor_note(parts, context),
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
        parts, ident, version, name = self._identified(element, "group", context)
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
            editor_note=self._editor_note(parts, context),
        )

    def _help(self, parts: _Parts, context: str) -> str:
        """The help shown to citizens: `hilfetextEingabe` only (ADR 0034)."""
        return _paragraphs(self._optional(parts, "hilfetextEingabe", context))

    def _editor_note(self, parts: _Parts, context: str) -> str:
        return editor_note(
            {
                name: [self._text(item, context) for item in parts.get(name, [])]
                for name, _title in EDITOR_ELEMENTS
            }
        )

    def _read_field(self, element: Element) -> _Field:
        context = self._context(element)
        parts, ident, version, name = self._identified(element, "field", context)
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
        code_list, code_list_ref = self._code_list(parts, context)
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
            code_list=code_list,
            code_list_ref=code_list_ref,
            media_types=[
                value
                for item in parts.get("mediaType", [])
                if (value := self._text(item, context).strip())
            ],
            max_size=max_size,
            rules=[self._read_rule(rule) for rule in parts.get("regel", [])],
            editor_note=self._editor_note(parts, context),
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

    def _code_list(self, parts: _Parts, context: str) -> tuple[str, tuple[str, str] | None]:
        """A readable reference to the code list ('urn:... version 3'), '' without one, and
        its (URN, version) when it names a URN."""
        if "codelisteReferenz" not in parts:
            return "", None
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
            return uri or ("(no identification)" if not _is_empty(element) else ""), None
        return (f"{urn} version {version}" if version else urn), (urn, version)

    def _read_rule(self, element: Element) -> _Rule:
        context = self._context(element)
        parts, ident, version, name = self._identified(element, "rule", context)
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
        definition = _one_line(self._optional(parts, main, context))
        return _Rule(ident, version, name, text or "(ohne Beschreibung)", definition)

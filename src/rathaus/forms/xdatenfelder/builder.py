"""The parsed document converted into a JSON Schema (draft 2020-12) and a layout."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rathaus.forms.xdatenfelder.constants import (
    _BOOLEANS,
    _CONSTRAINT_KEYS,
    _DATENTYPEN,
    _FELDARTEN,
    _WHOLE_NUMBER,
    ADD_LABEL,
    AUTOCOMPLETE,
    DEFAULT_FILE_SIZE,
    DEFAULT_FILE_TYPES,
    JSON,
    JSON_SCHEMA_DIALECT,
    RADIO_UP_TO,
    TEXTAREA_ABOVE,
)
from rathaus.forms.xdatenfelder.document import (
    CodeListLookup,
    XDatenfelderError,
    _Child,
    _Document,
    _Field,
    _Group,
    _Rule,
)
from rathaus.forms.xdatenfelder.helpers import (
    _date_bounds,
    _is_iso_date,
    _is_static,
    _number,
    _set_bounds,
    _shorten,
    _step_id,
    _unique_name,
)
from rathaus.forms.xdatenfelder.patterns import PatternError
from rathaus.forms.xdatenfelder.patterns import translate as translate_pattern
from rathaus.forms.xdatenfelder.rules import apply as apply_rules

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
    def __init__(self, document: _Document, code_lists: CodeListLookup | None = None) -> None:
        self.document = document
        self.code_lists = code_lists
        self.missing_code_lists: list[tuple[str, str]] = []
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
                if result.element:  # a hidden field shows nothing
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
        layout: JSON = {"steps": steps}
        uses = [
            (use.rule, [p for paths in use.places.values() for p in (paths or [""])])
            for use in self.rules.values()
        ]
        outcome = apply_rules(schema, layout, uses)
        untranslated = {
            (item["id"], item["version"]): item["reason"] for item in outcome.untranslated
        }
        layout["notes"] = self._notes(untranslated)
        layout["translated_rules"] = outcome.translated
        layout["untranslated_rules"] = outcome.untranslated
        return schema, layout

    # rules

    def _record_rules(self, rules: list[_Rule], place: str, path: list[str]) -> None:
        for rule in rules:
            use = self.rules.setdefault((rule.id, rule.version), _RuleUse(rule))
            paths = use.places.setdefault(place, [])
            if path:
                paths.append(".".join(path))

    def _notes(self, untranslated: dict[tuple[str, str], str]) -> list[str]:
        notes = []
        for (ident, version), use in self.rules.items():
            if (ident, version) not in untranslated:
                continue
            rule = use.rule
            places = [
                f"{place} ({'; '.join(paths)})" if paths else place
                for place, paths in use.places.items()
            ]
            head = f"Regel {ident}" + (f" (Version {version})" if version else "")
            notes.append(
                f"{head} {rule.name}: {rule.text} (gilt für {'; '.join(places)}; nicht "
                f"übersetzt: {untranslated[(ident, version)]})"
            )
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
            if result.element:  # a hidden field shows nothing
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
        if item.feldart == "hidden":
            self._record_rules(item.rules, place, [])
            self.warnings.append(
                f"field {item.id} „{item.label}“: feldart 'hidden' is neither shown nor asked"
                + (f"; its value '{_shorten(item.content)}' is not stored" if item.content else "")
            )
            return _Result(None, None, {})
        if _is_static(item):
            self._record_rules(item.rules, place, [])
            return _Result(None, None, self._static(item))
        name = _unique_name(item, names)
        self._record_rules(item.rules, place, [*path, name])
        repeat = child.max is None or child.max > 1
        required = child.min >= 1
        value, element = self._value(item)
        element = {"field": name, **element}
        if element["widget"] == "text" and item.id in AUTOCOMPLETE:
            element["autocomplete"] = AUTOCOMPLETE[item.id]
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
            moved = ("enum", "default", "x-code-list")
            schema = {key: val for key, val in value.items() if key not in moved}
            schema["type"] = "array"
            schema["items"] = {"type": "string", "enum": value["enum"]}
            if "x-code-list" in value:
                schema["items"]["x-code-list"] = value["x-code-list"]
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

        from rathaus.core.files import SUPPORTED_TYPES

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
        if item.feldart == "locked":
            self.warnings.append(
                f"field {item.id} „{item.label}“: feldart 'locked' is shown as text (its "
                "value) and not asked"
            )
        elif item.feldart != "label":
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
            if item.code_list_ref is not None:
                urn, list_version = item.code_list_ref
                reference = {"urn": urn, "version": list_version}
                schema["x-code-list"] = reference
                element["x-code-list"] = reference
                codes = self.code_lists(urn, list_version) if self.code_lists else None
                if codes:
                    schema["type"] = "string"
                    schema["enum"] = [code for code, _ in codes]
                    element["widget"] = "radio" if len(codes) <= RADIO_UP_TO else "select"
                    element["choices"] = [{"value": code, "label": text} for code, text in codes]
                    self._default(item, schema)
                    return schema, element
                if item.code_list_ref not in self.missing_code_lists:
                    self.missing_code_lists.append(item.code_list_ref)
                self.warnings.append(
                    f"{ident}: code list {item.code_list} is not available; the field is asked "
                    "as free text until it is imported (rathaus import-codelist FILE)"
                )
            elif item.code_list:
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
                schema["format"] = "amount"  # at most two decimal places
            self._bounds(item, schema)
            self._ignore(item, constraints, {"minLength", "maxLength", "pattern"}, "a number")
        elif datentyp == "date":
            schema["type"] = "string"
            schema["format"] = "date"
            element["widget"] = "date"
            self.warnings.extend(_date_bounds(item, schema))
            self._ignore(item, constraints, {"minLength", "maxLength", "pattern"}, "a date")
        else:
            if datentyp == "time":
                schema["format"] = "clock-time"  # 14:30
            elif datentyp == "datetime":
                self.warnings.append(
                    f"{ident}: datentyp 'datetime' has no widget; it is asked as free text"
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
        ident = f"field {item.id} „{item.label}“: praezisierung pattern '{_shorten(raw)}'"
        try:
            translated = translate_pattern(raw)
        except PatternError as exc:
            self.warnings.append(
                f"{ident} cannot be translated ({exc}); only its length and type are checked"
            )
            return
        schema["pattern"] = translated.server
        schema["x-fim-pattern"] = raw
        schema["x-html-pattern"] = translated.browser
        self.warnings.extend(f"{ident}: {note}" for note in translated.notes)

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

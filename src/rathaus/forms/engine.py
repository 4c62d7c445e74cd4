"""The forms engine: reads a form version (JSON Schema + layout), turns posted answers into data,
validates data with German messages and prepares everything the templates show.

The format is described in ``docs/forms.md``. Nothing here touches the database, so the same
functions serve the pages, the API and the property tests.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from jsonschema.exceptions import ValidationError as SchemaValidationError
from stdnum import iban as stdnum_iban

WIDGETS = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "iban",
        "number",
        "date",
        "radio",
        "select",
        "checkboxes",
        "yesno",
        "address",
        "file",
    }
)
# The JSON types each widget stores; a definition that mixes them up is refused.
WIDGET_TYPES: dict[str, set[str]] = {
    "text": {"string"},
    "textarea": {"string"},
    "email": {"string"},
    "phone": {"string"},
    "iban": {"string"},
    "number": {"number", "integer"},
    "date": {"string"},
    "radio": {"string", "integer", "number", "boolean"},
    "select": {"string", "integer", "number"},
    "checkboxes": {"array"},
    "yesno": {"boolean"},
    "address": {"object"},
    "file": {"array"},
}
ADDRESS_PARTS = ("street", "postal_code", "place")
PREFILL_SOURCES = frozenset(
    {"first_name", "last_name", "date_of_birth", "email", "phone", "address"}
)
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_PHONE = re.compile(r"^\+?[0-9 ()/\-]{3,30}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_INDEX = re.compile(r"^\d+$")


class DefinitionError(ValueError):
    """A form definition that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --- formats -------------------------------------------------------------------------------------

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("email")
def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@FORMAT_CHECKER.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _ISO_DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@FORMAT_CHECKER.checks("iban")
def _is_iban(value: object) -> bool:
    return not isinstance(value, str) or bool(stdnum_iban.is_valid(value))


@FORMAT_CHECKER.checks("phone")
def _is_phone(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_PHONE.match(value)) and sum(ch.isdigit() for ch in value) >= 3


@FORMAT_CHECKER.checks("upload")
def _is_upload(value: object) -> bool:
    return not isinstance(value, str) or bool(UPLOAD_ID.match(value))


@FORMAT_CHECKER.checks("postal-code-de")
def _is_postal_code(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"\d{5}", value))


# --- layout --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    path: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    filled: bool = False

    def holds(self, data: Mapping[str, Any]) -> bool:
        value = get_path(data, self.path)
        if self.filled:
            return value not in (None, "", [], {})
        if self.one_of is not None:
            return value in self.one_of
        return bool(value == self.equals)


@dataclass(frozen=True)
class Choice:
    value: Any
    label: str


@dataclass(frozen=True)
class Element:
    """One entry of a step: a question (``field``), a group or a static text."""

    kind: str  # "field", "group" or "static"
    name: str = ""
    widget: str = ""
    label: str = ""
    help: str = ""
    text: str = ""
    autocomplete: str = ""
    prefill: str = ""
    repeat: bool = False
    add_label: str = ""
    accept: tuple[str, ...] = ()
    max_size: int = 0
    condition: Condition | None = None
    choices: tuple[Choice, ...] = ()
    elements: tuple[Element, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    description: str
    elements: tuple[Element, ...]


class FormSpec:
    """A checked form version, ready to render and validate."""

    def __init__(self, schema: Mapping[str, Any], layout: Mapping[str, Any]) -> None:
        problems = definition_problems(schema, layout)
        if problems:
            raise DefinitionError(problems)
        self.schema = schema
        self.layout = layout
        self.validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
        self.steps: tuple[Step, ...] = tuple(
            Step(
                id=str(step["id"]),
                title=str(step.get("title", "")),
                description=str(step.get("description", "")),
                elements=tuple(_build(schema, schema, raw) for raw in step["elements"]),
            )
            for step in layout["steps"]
        )
        self.notes: list[str] = [str(note) for note in layout.get("notes", [])]
        self.field_templates: dict[str, Element] = dict(self.fields())
        self.group_templates: dict[str, Element] = {}
        self._step_by_template: dict[str, int] = {}
        for index, step in enumerate(self.steps):
            for path, element in _all_paths(step.elements, ""):
                self._step_by_template[path] = index
                if element.kind == "group":
                    self.group_templates[path] = element

    # paths ---------------------------------------------------------------------------------------

    def step_index(self, step_id: str) -> int | None:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return None

    def fields(self) -> Iterator[tuple[str, Element]]:
        """Every question with its path template (repeat indexes as ``*``)."""
        for step in self.steps:
            yield from _fields(step.elements, "")

    def step_of_template(self, template: str) -> int | None:
        parts = template.split(".")
        while parts:
            found = self._step_by_template.get(".".join(parts))
            if found is not None:
                return found
            parts.pop()
        return None

    # reading posted answers ----------------------------------------------------------------------

    def read_step(self, index: int, post: Any, data: Mapping[str, Any]) -> dict[str, Any]:
        """The data after the answers posted for one step (a Django QueryDict or similar).

        Values that cannot be converted are kept as typed, so that nothing is lost and the
        validation can say what is wrong.
        """
        result: dict[str, Any] = _deepcopy(data)
        _read_elements(self.steps[index].elements, post, result, "")
        return self.prune(result)

    def prune(self, data: dict[str, Any]) -> dict[str, Any]:
        """Drop the answers of questions that are hidden by their condition."""
        for step in self.steps:
            _prune(step.elements, data, data)
        return data

    def hidden_answers(self, data: Any) -> list[str]:
        """Paths answered although their condition says the question is not asked."""
        found: list[str] = []
        if isinstance(data, dict):
            for step in self.steps:
                _hidden(step.elements, data, data, "", found)
        return found

    def repeat_action(self, post: Any, data: dict[str, Any]) -> bool:
        """Handle the add/remove buttons of repeatable groups; True if one was pressed."""
        add = post.get("_add")
        if add:
            entries = get_path(data, add)
            if entries is None:
                entries = []
            if isinstance(entries, list) and self._is_repeat_path(add):
                entries.append({})
                set_path(data, add, entries)
                return True
        remove = post.get("_remove")
        if remove and "." in remove:
            parent, _sep, index = remove.rpartition(".")
            entries = get_path(data, parent)
            if _INDEX.match(index) and isinstance(entries, list) and int(index) < len(entries):
                del entries[int(index)]
                if not entries:
                    delete_path(data, parent)
                return True
        return False

    def _is_repeat_path(self, path: str) -> bool:
        template = template_of(path)
        group = self.group_templates.get(template)
        return group is not None and group.repeat

    # validation ----------------------------------------------------------------------------------

    def errors(self, data: Any, step: int | None = None) -> dict[str, list[str]]:
        """German messages by field path ("" for the form as a whole); only one step if given."""
        result: dict[str, list[str]] = {}
        for error in self.validator.iter_errors(data):
            for path, message in _messages(error, self.field_templates, self.group_templates):
                if step is not None and self.step_of_template(template_of(path)) != step:
                    continue
                messages = result.setdefault(path, [])
                if message not in messages:
                    messages.append(message)
        return result

    def unexpected_paths(self, data: Any, prefix: str = "", template: str = "") -> list[str]:
        """Keys in the data that are neither a question nor a group of this form."""
        if not isinstance(data, dict):
            return []
        found = []
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            inner = f"{template}.{key}" if template else str(key)
            if inner in self.field_templates:
                continue
            group = self.group_templates.get(inner)
            if group is None:
                found.append(path)
            elif group.repeat and isinstance(value, list):
                for index, entry in enumerate(value):
                    found.extend(self.unexpected_paths(entry, f"{path}.{index}", inner + ".*"))
            else:
                found.extend(self.unexpected_paths(value, path, inner))
        return found

    def is_valid(self, data: Any) -> bool:
        return not any(True for _error in self.validator.iter_errors(data))

    # prefill ------------------------------------------------------------------------------------

    def prefill_fields(self) -> list[tuple[str, Element]]:
        """Questions outside repeatable groups that the account's profile can answer."""
        return [
            (path, element)
            for path, element in self.fields()
            if element.prefill and "*" not in path.split(".")
        ]


def _deepcopy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _deepcopy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_deepcopy(item) for item in value]
    return value


def _resolve(root: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
    seen = 0
    while isinstance(schema, Mapping) and "$ref" in schema and seen < 10:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return {}
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        schema = target
        seen += 1
    return schema if isinstance(schema, Mapping) else {}


def _properties(root: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = _resolve(root, schema).get("properties", {})
    return props if isinstance(props, Mapping) else {}


def _types(schema: Mapping[str, Any]) -> set[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return {declared}
    if isinstance(declared, list):
        return {str(item) for item in declared}
    if "enum" in schema or "oneOf" in schema or "const" in schema:
        return {"string"}
    if "$ref" in schema:
        return {"object"}
    return set()


def _choices_from_schema(schema: Mapping[str, Any]) -> tuple[Choice, ...]:
    if isinstance(schema.get("oneOf"), list):
        return tuple(
            Choice(option["const"], str(option.get("title", option["const"])))
            for option in schema["oneOf"]
            if isinstance(option, Mapping) and "const" in option
        )
    if isinstance(schema.get("enum"), list):
        return tuple(Choice(value, str(value)) for value in schema["enum"])
    return ()


def _condition(raw: Any) -> Condition | None:
    if not isinstance(raw, Mapping):
        return None
    path = str(raw["field"])
    if raw.get("filled"):
        return Condition(path, filled=True)
    if "in" in raw:
        return Condition(path, one_of=tuple(raw["in"]))
    return Condition(path, equals=raw.get("equals"))


def _build(root: Mapping[str, Any], parent: Mapping[str, Any], raw: Mapping[str, Any]) -> Element:
    condition = _condition(raw.get("show_if"))
    parent_schema = _resolve(root, parent)
    required_names = parent_schema.get("required", [])
    if "static" in raw:
        return Element(
            kind="static",
            text=str(raw["static"]),
            label=str(raw.get("title", "")),
            condition=condition,
        )
    if "group" in raw:
        name = str(raw["group"])
        schema = _resolve(root, _properties(root, parent)[name])
        repeat = bool(raw.get("repeat"))
        inner = _resolve(root, schema.get("items", {})) if repeat else schema
        return Element(
            kind="group",
            name=name,
            label=str(raw.get("label", name)),
            help=str(raw.get("help", "")),
            repeat=repeat,
            add_label=str(raw.get("add_label", "")),
            condition=condition,
            elements=tuple(_build(root, inner, child) for child in raw.get("elements", [])),
            schema=schema,
            required=name in required_names,
        )
    name = str(raw["field"])
    schema = _resolve(root, _properties(root, parent)[name])
    widget = str(raw["widget"])
    choices: tuple[Choice, ...] = ()
    if widget in {"radio", "select", "checkboxes"}:
        source = _resolve(root, schema.get("items", {})) if widget == "checkboxes" else schema
        from_schema = _choices_from_schema(source)
        labels = {
            str(item["value"]): str(item.get("label", item["value"]))
            for item in raw.get("choices", [])
            if isinstance(item, Mapping) and "value" in item
        }
        choices = tuple(Choice(c.value, labels.get(str(c.value), c.label)) for c in from_schema)
    return Element(
        kind="field",
        name=name,
        widget=widget,
        label=str(raw.get("label", name)),
        help=str(raw.get("help", "")),
        autocomplete=str(raw.get("autocomplete", "")),
        prefill=str(raw.get("prefill", "")),
        accept=tuple(str(item) for item in raw.get("accept", [])),
        max_size=int(raw.get("max_size", 0) or 0),
        condition=condition,
        choices=choices,
        schema=schema,
        required=name in required_names,
    )


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _fields(elements: Iterable[Element], prefix: str) -> Iterator[tuple[str, Element]]:
    for element in elements:
        if element.kind == "field":
            yield _join(prefix, element.name), element
        elif element.kind == "group":
            inner = _join(prefix, element.name) + (".*" if element.repeat else "")
            yield from _fields(element.elements, inner)


def _all_paths(elements: Iterable[Element], prefix: str) -> Iterator[tuple[str, Element]]:
    for element in elements:
        if element.kind == "static":
            continue
        path = _join(prefix, element.name)
        yield path, element
        if element.kind == "group":
            yield from _all_paths(element.elements, path + (".*" if element.repeat else ""))


def template_of(path: str) -> str:
    return ".".join("*" if _INDEX.match(part) else part for part in path.split(".")) if path else ""


# --- data paths ----------------------------------------------------------------------------------


def get_path(data: Any, path: str) -> Any:
    current = data
    for part in path.split(".") if path else []:
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and _INDEX.match(part) and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    current: Any = data
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if isinstance(current, list):
            position = int(part)
            while len(current) <= position:
                current.append({})
            if not isinstance(current[position], dict | list):
                current[position] = {}
            current = current[position]
            continue
        child = current.get(part)
        if not isinstance(child, dict | list):
            child = [] if _INDEX.match(following) else {}
            current[part] = child
        current = child
    last = parts[-1]
    if isinstance(current, list):
        position = int(last)
        while len(current) <= position:
            current.append({})
        current[position] = value
    else:
        current[last] = value


def delete_path(data: dict[str, Any], path: str) -> None:
    parent_path, _sep, last = path.rpartition(".")
    parent = get_path(data, parent_path) if parent_path else data
    if isinstance(parent, dict):
        parent.pop(last, None)


# --- reading posts -------------------------------------------------------------------------------


def _convert(element: Element, raw: str) -> Any:
    """The stored value of one posted text; the raw text when it cannot be converted."""
    value = raw.strip()
    widget = element.widget
    if widget == "iban":
        return re.sub(r"\s+", "", value).upper()
    if widget == "number":
        text = value.replace(" ", "").replace(",", ".")
        try:
            if _types(element.schema) == {"integer"} and re.fullmatch(r"-?\d+", text):
                return int(text)
            number = float(text)
        except ValueError:
            return value
        if number != number or number in (float("inf"), float("-inf")):
            return value
        return (
            int(number) if number.is_integer() and "integer" in _types(element.schema) else number
        )
    if widget == "date":
        german = _GERMAN_DATE.match(value)
        if german:
            day, month, year = (int(part) for part in german.groups())
            try:
                return datetime.date(year, month, day).isoformat()
            except ValueError:
                return value
        return value
    if widget in {"radio", "select"}:
        for choice in element.choices:
            if str(choice.value) == value:
                return choice.value
        return value
    return value


def _read_elements(
    elements: Iterable[Element], post: Any, data: dict[str, Any], prefix: str
) -> None:
    for element in elements:
        if element.kind == "static":
            continue
        path = _join(prefix, element.name)
        if element.kind == "group":
            if element.repeat:
                count_raw = post.get(f"{path}.__count", "")
                count = int(count_raw) if _INDEX.match(count_raw or "") else 0
                count = min(count, 500)
                for index in range(count):
                    _read_elements(element.elements, post, data, f"{path}.{index}")
            else:
                _read_elements(element.elements, post, data, path)
                if get_path(data, path) == {}:
                    delete_path(data, path)
            continue
        _read_field(element, post, data, path)


def _read_field(element: Element, post: Any, data: dict[str, Any], path: str) -> None:
    widget = element.widget
    if widget == "file":
        return  # files arrive through the upload handling of the view
    if f"{path}.__present" not in post:
        return  # not on the page that was posted (hidden by a condition)
    if widget == "checkboxes":
        chosen = [str(item) for item in post.getlist(path)]
        values = [choice.value for choice in element.choices if str(choice.value) in chosen]
        unknown = [item for item in chosen if item not in {str(c.value) for c in element.choices}]
        values.extend(unknown)
        _store(data, path, values)
        return
    if widget == "yesno":
        answer = post.get(path, "")
        _store(data, path, True if answer == "yes" else False if answer == "no" else None)
        return
    if widget == "address":
        parts = {part: post.get(f"{path}.{part}", "").strip() for part in ADDRESS_PARTS}
        _store(data, path, {key: value for key, value in parts.items() if value})
        return
    raw = post.get(path, "")
    _store(data, path, _convert(element, raw) if raw.strip() else None)


def _store(data: dict[str, Any], path: str, value: Any) -> None:
    if value in (None, "", [], {}):
        if get_path(data, path) is not None:
            delete_path(data, path)
        return
    set_path(data, path, value)


def _prune(elements: Iterable[Element], root: dict[str, Any], scope: Any) -> None:
    if not isinstance(scope, dict):
        return
    for element in elements:
        if element.kind == "static":
            continue
        if element.condition is not None and not element.condition.holds(root):
            scope.pop(element.name, None)
            continue
        if element.kind == "group":
            value = scope.get(element.name)
            entries = value if element.repeat and isinstance(value, list) else [value]
            for entry in entries:
                _prune(element.elements, root, entry)


def _hidden(
    elements: Iterable[Element], root: dict[str, Any], scope: Any, prefix: str, found: list[str]
) -> None:
    if not isinstance(scope, dict):
        return
    for element in elements:
        if element.kind == "static" or element.name not in scope:
            continue
        path = _join(prefix, element.name)
        if element.condition is not None and not element.condition.holds(root):
            found.append(path)
            continue
        if element.kind == "group":
            value = scope[element.name]
            if element.repeat and isinstance(value, list):
                for index, entry in enumerate(value):
                    _hidden(element.elements, root, entry, f"{path}.{index}", found)
            elif not element.repeat:
                _hidden(element.elements, root, value, path, found)


# --- messages ------------------------------------------------------------------------------------


def _path_of(parts: Iterable[Any]) -> str:
    return ".".join(str(part) for part in parts)


def _known(path: str, templates: Mapping[str, Element], groups: Mapping[str, Element]) -> str:
    """The nearest question or group path at or above ``path``."""
    parts = path.split(".") if path else []
    while parts:
        candidate = ".".join(parts)
        if template_of(candidate) in templates or template_of(candidate) in groups:
            return candidate
        parts.pop()
    return ""


def _messages(
    error: SchemaValidationError,
    templates: Mapping[str, Element],
    groups: Mapping[str, Element],
) -> Iterator[tuple[str, str]]:
    base = _path_of(error.absolute_path)
    keyword = str(error.validator)
    if keyword in {"required", "dependentRequired"}:
        names = error.validator_value if keyword == "required" else []
        if keyword == "dependentRequired" and isinstance(error.validator_value, Mapping):
            names = [n for values in error.validator_value.values() for n in values]
        instance = error.instance if isinstance(error.instance, dict) else {}
        for name in names if isinstance(names, list) else []:
            if name in instance:
                continue
            path = _join(base, str(name))
            known = _known(path, templates, groups)
            element = templates.get(template_of(known)) or groups.get(template_of(known))
            yield known, _required_message(element)
        return
    if keyword in {"additionalProperties", "unevaluatedProperties"}:
        instance = error.instance if isinstance(error.instance, dict) else {}
        schema = error.schema if isinstance(error.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        for key in sorted(str(key) for key in instance if key not in allowed):
            path = _join(base, key)
            yield path, _("Unknown field: %(names)s.") % {"names": path}
        return
    known = _known(base, templates, groups)
    element = templates.get(template_of(known)) or groups.get(template_of(known))
    yield known, _message(error, keyword, element)


def _required_message(element: Element | None) -> str:
    if element is None:
        return _("Please answer this question.")
    if element.kind == "group":
        return _("Please fill in this part.")
    if element.widget == "file":
        return _("Please upload a file.")
    if element.widget in {"radio", "select", "yesno"}:
        return _("Please choose an answer.")
    if element.widget == "checkboxes":
        return _("Please choose at least one answer.")
    return _("Please fill in this field.")


def _message(error: SchemaValidationError, keyword: str, element: Element | None) -> str:
    limit = error.validator_value
    widget = element.widget if element is not None else ""
    if keyword == "type":
        if limit == "integer":
            return _("Please enter a whole number.")
        if limit == "number":
            return _("Please enter a number.")
        return _("This answer does not have the expected form.")
    if keyword == "maxLength":
        return _("Please shorten your answer to at most %(limit)s characters.") % {"limit": limit}
    if keyword == "minLength":
        return _("Please enter at least %(limit)s characters.") % {"limit": limit}
    if keyword == "format":
        return {
            "email": _("Please enter an e-mail address such as name@example.com."),
            "date": _("Please enter a valid date, for example 31.12.1980."),
            "iban": _("Please check the IBAN: its check digits do not match."),
            "phone": _("Please enter a phone number (digits, spaces and + / - ( ) only)."),
            "postal-code-de": _("A German postal code has five digits."),
            "upload": _("This file could not be found. Please upload it again."),
        }.get(str(limit), _("This answer does not have the expected form."))
    if keyword in {"minimum", "exclusiveMinimum"}:
        return _("Please enter a number of at least %(limit)s.") % {"limit": limit}
    if keyword in {"maximum", "exclusiveMaximum"}:
        return _("Please enter a number of at most %(limit)s.") % {"limit": limit}
    if keyword in {"enum", "const", "oneOf", "anyOf"}:
        return _("Please choose one of the answers offered.")
    if keyword == "minItems":
        if widget == "file":
            return _("Please upload at least %(limit)s files.") % {"limit": limit}
        return _("Please give at least %(limit)s entries.") % {"limit": limit}
    if keyword == "maxItems":
        if widget == "file":
            return _("Please upload at most %(limit)s files.") % {"limit": limit}
        return _("Please give at most %(limit)s entries.") % {"limit": limit}
    if keyword == "uniqueItems":
        return _("Please choose each answer only once.")
    if keyword == "pattern":
        return _("This answer does not have the expected form.")
    return _("This answer is not valid.")


# --- checking a definition -----------------------------------------------------------------------


def definition_problems(schema: Any, layout: Any) -> list[str]:
    """Everything that makes a schema/layout pair unusable, in words for staff; [] if none."""
    problems: list[str] = []
    if not isinstance(schema, Mapping):
        return ["The schema must be a JSON object."]
    if not isinstance(layout, Mapping):
        return ["The layout must be a JSON object."]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(part) for part in exc.absolute_path) or "(top)"
        return [f"The schema is not valid JSON Schema 2020-12 at {where}: {exc.message}"]
    if _resolve(schema, schema).get("type") != "object":
        problems.append('The schema must describe an object ("type": "object").')
    steps = layout.get("steps")
    if not isinstance(steps, list) or not steps:
        return [*problems, "The layout needs a non-empty list of steps."]
    seen_ids: set[str] = set()
    used: dict[str, int] = {}
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, Mapping) or not isinstance(step.get("elements"), list):
            problems.append(f"Step {number} needs an id, a title and a list of elements.")
            continue
        step_id = str(step.get("id", ""))
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,40}", step_id):
            problems.append(
                f"Step {number} needs an id of lower-case letters, digits, - or _ "
                f"(got {step_id!r})."
            )
        elif step_id in seen_ids:
            problems.append(f"Step id {step_id!r} is used twice.")
        seen_ids.add(step_id)
        _check_elements(schema, schema, step["elements"], "", f"step {step_id!r}", problems, used)
    for path in _schema_paths(schema, schema, ""):
        if path not in used:
            problems.append(f"The schema property {path!r} is not asked for in the layout.")
    for path, count in used.items():
        if count > 1:
            problems.append(f"The property {path!r} appears {count} times in the layout.")
    condition_paths = set(used)
    for number, step in enumerate(steps, start=1):
        if isinstance(step, Mapping) and isinstance(step.get("elements"), list):
            for condition in _conditions(step["elements"]):
                target = template_of(str(condition.get("field", "")))
                if target not in condition_paths:
                    problems.append(
                        f"A show_if condition in step {number} refers to {target!r}, "
                        "which is not a question of this form."
                    )
    return problems


def _conditions(elements: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    for raw in elements:
        if not isinstance(raw, Mapping):
            continue
        if isinstance(raw.get("show_if"), Mapping):
            yield raw["show_if"]
        if isinstance(raw.get("elements"), list):
            yield from _conditions(raw["elements"])


def _schema_paths(root: Mapping[str, Any], schema: Any, prefix: str) -> Iterator[str]:
    for name in _properties(root, schema):
        yield _join(prefix, name)


def _check_elements(
    root: Mapping[str, Any],
    parent: Mapping[str, Any],
    elements: list[Any],
    prefix: str,
    where: str,
    problems: list[str],
    used: dict[str, int],
) -> None:
    properties = _properties(root, parent)
    for raw in elements:
        if not isinstance(raw, Mapping):
            problems.append(f"An element in {where} is not a JSON object.")
            continue
        if "show_if" in raw:
            show_if = raw["show_if"]
            if not isinstance(show_if, Mapping) or not isinstance(show_if.get("field"), str):
                problems.append(f"A show_if in {where} needs a 'field' path.")
        if "static" in raw:
            if not isinstance(raw["static"], str):
                problems.append(f"A static text in {where} must be a string.")
            continue
        if "group" in raw:
            name = str(raw["group"])
            path = _join(prefix, name)
            if name not in properties:
                problems.append(f"The group {path!r} in {where} is not a property of the schema.")
                continue
            used[path] = used.get(path, 0) + 1
            schema = _resolve(root, properties[name])
            if raw.get("repeat"):
                if _types(schema) != {"array"}:
                    problems.append(f'The repeatable group {path!r} needs "type": "array".')
                    continue
                inner = _resolve(root, schema.get("items", {}))
                inner_prefix = path + ".*"
            else:
                if _types(schema) != {"object"}:
                    problems.append(f'The group {path!r} needs "type": "object".')
                    continue
                inner = schema
                inner_prefix = path
            children = raw.get("elements")
            if not isinstance(children, list) or not children:
                problems.append(f"The group {path!r} needs a list of elements.")
                continue
            _check_elements(root, inner, children, inner_prefix, where, problems, used)
            for sub in _schema_paths(root, inner, inner_prefix):
                if sub not in used:
                    problems.append(f"The schema property {sub!r} is not asked for in the layout.")
                    used[sub] = 1
            continue
        if "field" not in raw:
            problems.append(f"An element in {where} needs 'field', 'group' or 'static'.")
            continue
        name = str(raw["field"])
        path = _join(prefix, name)
        if name not in properties:
            problems.append(f"The field {path!r} in {where} is not a property of the schema.")
            continue
        used[path] = used.get(path, 0) + 1
        widget = raw.get("widget")
        if widget not in WIDGETS:
            problems.append(
                f"The field {path!r} has an unknown widget {widget!r} "
                f"(known: {', '.join(sorted(WIDGETS))})."
            )
            continue
        schema = _resolve(root, properties[name])
        types = _types(schema)
        if types and not types & WIDGET_TYPES[str(widget)]:
            problems.append(
                f"The field {path!r} uses the widget {widget!r}, which cannot hold "
                f"{'/'.join(sorted(types))} values."
            )
        if widget in {"radio", "select"} and not _choices_from_schema(schema):
            problems.append(f"The choice field {path!r} needs enum or oneOf values.")
        if widget == "checkboxes" and not _choices_from_schema(
            _resolve(root, schema.get("items", {}))
        ):
            problems.append(f"The checkboxes field {path!r} needs items with enum values.")
        if widget == "file":
            accept = raw.get("accept")
            from django.conf import settings

            from rathaus.forms.uploads import SUPPORTED_TYPES

            if not isinstance(accept, list) or not accept:
                problems.append(f"The file field {path!r} needs an 'accept' list of types.")
            else:
                unknown = [str(item) for item in accept if item not in SUPPORTED_TYPES]
                if unknown:
                    problems.append(
                        f"The file field {path!r} accepts {', '.join(unknown)}, which uploads "
                        f"cannot check (supported: {', '.join(sorted(SUPPORTED_TYPES))})."
                    )
            ceiling = settings.RATHAUS_UPLOAD_MAX_BYTES
            if not isinstance(raw.get("max_size"), int) or raw["max_size"] < 1:
                problems.append(f"The file field {path!r} needs 'max_size' in bytes.")
            elif raw["max_size"] > ceiling:
                problems.append(
                    f"The file field {path!r} allows {raw['max_size']} bytes; the installation's "
                    f"limit RATHAUS_UPLOAD_MAX_BYTES is {ceiling}."
                )
        if raw.get("prefill") and raw["prefill"] not in PREFILL_SOURCES:
            problems.append(
                f"The field {path!r} prefills from {raw['prefill']!r}; known: "
                f"{', '.join(sorted(PREFILL_SOURCES))}."
            )

"""The layout read into elements: steps, questions, groups, static texts, choices and their
show_if conditions, with the schema part each question stores into."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from rathaus.forms.engine.paths import get_path, join


def filled(value: Any) -> bool:
    """Whether an answer is given: not missing, not empty text, not an empty list or group."""
    return value not in (None, "", [], {})


@dataclass(frozen=True)
class Condition:
    path: str
    equals: Any = None
    one_of: tuple[Any, ...] | None = None
    filled: bool = False

    def holds(self, data: Mapping[str, Any]) -> bool:
        value = get_path(data, self.path)
        if self.filled:
            return filled(value)
        if self.one_of is not None:
            return value in self.one_of
        return bool(value == self.equals)

    def for_browser(self) -> dict[str, Any]:
        """The condition as forms.js reads it (``data-show-if`` and the rules' ``when``)."""
        return {
            "field": self.path,
            "equals": self.equals,
            "in": list(self.one_of) if self.one_of is not None else None,
            "filled": self.filled,
        }


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
    in_area: bool = False  # an address that must lie in the authority's area
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


def resolve(root: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
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


def schema_properties(root: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    props = resolve(root, schema).get("properties", {})
    return props if isinstance(props, Mapping) else {}


def types_of(schema: Mapping[str, Any]) -> set[str]:
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


def choices_from_schema(schema: Mapping[str, Any]) -> tuple[Choice, ...]:
    if isinstance(schema.get("oneOf"), list):
        return tuple(
            Choice(option["const"], str(option.get("title", option["const"])))
            for option in schema["oneOf"]
            if isinstance(option, Mapping) and "const" in option
        )
    if isinstance(schema.get("enum"), list):
        return tuple(Choice(value, str(value)) for value in schema["enum"])
    return ()


def condition_of(raw: Any) -> Condition | None:
    if not isinstance(raw, Mapping):
        return None
    path = str(raw["field"])
    if raw.get("filled"):
        return Condition(path, filled=True)
    if "in" in raw:
        return Condition(path, one_of=tuple(raw["in"]))
    return Condition(path, equals=raw.get("equals"))


def build(root: Mapping[str, Any], parent: Mapping[str, Any], raw: Mapping[str, Any]) -> Element:
    condition = condition_of(raw.get("show_if"))
    parent_schema = resolve(root, parent)
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
        schema = resolve(root, schema_properties(root, parent)[name])
        repeat = bool(raw.get("repeat"))
        inner = resolve(root, schema.get("items", {})) if repeat else schema
        return Element(
            kind="group",
            name=name,
            label=str(raw.get("label", name)),
            help=str(raw.get("help", "")),
            repeat=repeat,
            add_label=str(raw.get("add_label", "")),
            condition=condition,
            elements=tuple(build(root, inner, child) for child in raw.get("elements", [])),
            schema=schema,
            required=name in required_names,
        )
    name = str(raw["field"])
    schema = resolve(root, schema_properties(root, parent)[name])
    widget = str(raw["widget"])
    choices: tuple[Choice, ...] = ()
    if widget in {"radio", "select", "checkboxes"}:
        source = resolve(root, schema.get("items", {})) if widget == "checkboxes" else schema
        from_schema = choices_from_schema(source)
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
        in_area=raw.get("in_area") is True,
        accept=tuple(str(item) for item in raw.get("accept", [])),
        max_size=int(raw.get("max_size", 0) or 0),
        condition=condition,
        choices=choices,
        schema=schema,
        required=name in required_names,
    )


def fields_of(elements: Iterable[Element], prefix: str) -> Iterator[tuple[str, Element]]:
    for element in elements:
        if element.kind == "field":
            yield join(prefix, element.name), element
        elif element.kind == "group":
            inner = join(prefix, element.name) + (".*" if element.repeat else "")
            yield from fields_of(element.elements, inner)


def all_paths(elements: Iterable[Element], prefix: str) -> Iterator[tuple[str, Element]]:
    for element in elements:
        if element.kind == "static":
            continue
        path = join(prefix, element.name)
        yield path, element
        if element.kind == "group":
            yield from all_paths(element.elements, path + (".*" if element.repeat else ""))

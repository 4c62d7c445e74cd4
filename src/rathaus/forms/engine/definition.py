"""Checking a schema/layout pair before it is used: every problem in words for staff."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from rathaus.forms.engine.extensions import script_problems
from rathaus.forms.engine.layout import choices_from_schema, resolve, schema_properties, types_of
from rathaus.forms.engine.paths import join, template_of
from rathaus.forms.engine.rules import problems as rule_problems
from rathaus.forms.engine.widgets import PREFILL_SOURCES, WIDGET_TYPES, WIDGETS


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
    if resolve(schema, schema).get("type") != "object":
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
    problems.extend(rule_problems(layout.get("rules"), condition_paths))
    problems.extend(script_problems(layout.get("scripts")))
    for key in ("untranslated_rules", "translated_rules"):
        if key in layout and not isinstance(layout[key], list):
            problems.append(f"The layout's {key!r} must be a list.")
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
    for name in schema_properties(root, schema):
        yield join(prefix, name)


def _check_elements(
    root: Mapping[str, Any],
    parent: Mapping[str, Any],
    elements: list[Any],
    prefix: str,
    where: str,
    problems: list[str],
    used: dict[str, int],
) -> None:
    properties = schema_properties(root, parent)

    def asked(kind: str, name: str) -> str | None:
        """The path of the property a group or field asks for, counted as asked; None (and the
        problem) when the schema has no such property."""
        path = join(prefix, name)
        if name not in properties:
            problems.append(f"The {kind} {path!r} in {where} is not a property of the schema.")
            return None
        used[path] = used.get(path, 0) + 1
        return path

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
            path = asked("group", name)
            if path is None:
                continue
            schema = resolve(root, properties[name])
            if raw.get("repeat"):
                if types_of(schema) != {"array"}:
                    problems.append(f'The repeatable group {path!r} needs "type": "array".')
                    continue
                inner = resolve(root, schema.get("items", {}))
                inner_prefix = path + ".*"
            else:
                if types_of(schema) != {"object"}:
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
        path = asked("field", name)
        if path is None:
            continue
        widget = raw.get("widget")
        if widget not in WIDGETS:
            problems.append(
                f"The field {path!r} has an unknown widget {widget!r} "
                f"(known: {', '.join(sorted(WIDGETS))})."
            )
            continue
        schema = resolve(root, properties[name])
        types = types_of(schema)
        if types and not types & WIDGET_TYPES[str(widget)]:
            problems.append(
                f"The field {path!r} uses the widget {widget!r}, which cannot hold "
                f"{'/'.join(sorted(types))} values."
            )
        if widget in {"radio", "select"} and not choices_from_schema(schema):
            problems.append(f"The choice field {path!r} needs enum or oneOf values.")
        if widget == "checkboxes" and not choices_from_schema(
            resolve(root, schema.get("items", {}))
        ):
            problems.append(f"The checkboxes field {path!r} needs items with enum values.")
        if widget == "file":
            accept = raw.get("accept")
            from django.conf import settings

            from rathaus.core.files import SUPPORTED_TYPES

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
        if "in_area" in raw and (widget != "address" or not isinstance(raw["in_area"], bool)):
            problems.append(f"The field {path!r}: 'in_area' is true or false, on addresses only.")
        if raw.get("prefill") and raw["prefill"] not in PREFILL_SOURCES:
            problems.append(
                f"The field {path!r} prefills from {raw['prefill']!r}; known: "
                f"{', '.join(sorted(PREFILL_SOURCES))}."
            )

"""Posted answers turned into data, and answers hidden by a condition dropped."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from rathaus.forms.engine.layout import Element, filled, types_of
from rathaus.forms.engine.paths import INDEX, delete_path, get_path, join, set_path
from rathaus.forms.engine.widgets import ADDRESS_PARTS

_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def deepcopy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: deepcopy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [deepcopy(item) for item in value]
    return value


def _convert(element: Element, raw: str) -> Any:
    """The stored value of one posted text; the raw text when it cannot be converted."""
    value = raw.strip()
    widget = element.widget
    if widget == "iban":
        return re.sub(r"\s+", "", value).upper()
    if widget == "number":
        text = value.replace(" ", "").replace(",", ".")
        try:
            if types_of(element.schema) == {"integer"} and re.fullmatch(r"-?\d+", text):
                return int(text)
            number = float(text)
        except ValueError:
            return value
        if number != number or number in (float("inf"), float("-inf")):
            return value
        return (
            int(number) if number.is_integer() and "integer" in types_of(element.schema) else number
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


def read_elements(
    elements: Iterable[Element], post: Any, data: dict[str, Any], prefix: str
) -> None:
    for element in elements:
        if element.kind == "static":
            continue
        path = join(prefix, element.name)
        if element.kind == "group":
            if element.repeat:
                count_raw = post.get(f"{path}.__count", "")
                count = int(count_raw) if INDEX.match(count_raw or "") else 0
                count = min(count, 500)
                for index in range(count):
                    read_elements(element.elements, post, data, f"{path}.{index}")
            else:
                read_elements(element.elements, post, data, path)
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
    if not filled(value):
        if get_path(data, path) is not None:
            delete_path(data, path)
        return
    set_path(data, path, value)


def prune(elements: Iterable[Element], root: dict[str, Any], scope: Any) -> None:
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
                prune(element.elements, root, entry)


def hidden(
    elements: Iterable[Element], root: dict[str, Any], scope: Any, prefix: str, found: list[str]
) -> None:
    if not isinstance(scope, dict):
        return
    for element in elements:
        if element.kind == "static" or element.name not in scope:
            continue
        path = join(prefix, element.name)
        if element.condition is not None and not element.condition.holds(root):
            found.append(path)
            continue
        if element.kind == "group":
            value = scope[element.name]
            if element.repeat and isinstance(value, list):
                for index, entry in enumerate(value):
                    hidden(element.elements, root, entry, f"{path}.{index}", found)
            elif not element.repeat:
                hidden(element.elements, root, value, path, found)

"""What the templates need to show a step, the summary and the receipt of a form."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rathaus.forms.engine import Element, FormSpec, get_path, template_of

# Widgets whose input is an <input> with these attributes.
INPUT_ATTRS: dict[str, dict[str, str]] = {
    "text": {"type": "text"},
    "email": {"type": "email", "autocomplete": "email", "spellcheck": "false"},
    "phone": {"type": "tel", "autocomplete": "tel"},
    "iban": {"type": "text", "spellcheck": "false", "autocapitalize": "characters"},
    "number": {"type": "text", "inputmode": "decimal"},
    "date": {"type": "date"},
}


@dataclass(frozen=True)
class FileInfo:
    id: str
    name: str
    size: int
    url: str = ""


@dataclass
class BoundChoice:
    value: str
    label: str
    checked: bool
    html_id: str


@dataclass
class BoundEntry:
    index: int
    label: str
    remove_value: str
    children: list[BoundElement]


@dataclass
class BoundElement:
    kind: str
    element: Element
    path: str = ""
    html_id: str = ""
    value: str = ""
    address: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    choices: list[BoundChoice] = field(default_factory=list)
    children: list[BoundElement] = field(default_factory=list)
    entries: list[BoundEntry] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)
    condition_hint: str = ""
    condition_json: str = ""
    can_add: bool = True

    @property
    def widget(self) -> str:
        return self.element.widget

    @property
    def accept_label(self) -> str:
        from rathaus.core.files import allowed_in_words

        return allowed_in_words(self.element.accept)

    @property
    def size_label(self) -> str:
        """The largest file this field takes, as the 413 page and the refusals state sizes."""
        from rathaus.core.files import file_limit, size_in_words

        return size_in_words(file_limit(self.element.max_size))

    @property
    def paragraphs(self) -> list[str]:
        return [part.strip() for part in self.element.text.split("\n\n") if part.strip()]

    @property
    def described_by(self) -> str:
        ids = []
        if self.element.help or self.condition_hint:
            ids.append(f"{self.html_id}-hint")
        if self.errors:
            ids.append(f"{self.html_id}-error")
        return " ".join(ids)


def html_id(path: str) -> str:
    return "f-" + path.replace(".", "-")


def _text_value(element: Element, value: Any) -> str:
    if value is None:
        return ""
    if element.widget == "number" and isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class StepBinder:
    """Binds the elements of one step to the current data, errors and files."""

    def __init__(
        self,
        spec: FormSpec,
        index: int,
        data: Mapping[str, Any],
        errors: Mapping[str, list[str]] | None = None,
        files: Mapping[str, Sequence[FileInfo]] | None = None,
    ) -> None:
        self.spec = spec
        self.index = index
        self.data = data
        self.errors = errors or {}
        self.files = files or {}
        self.step_templates = {
            template
            for template, _element in spec.fields()
            if spec.step_of_template(template) == index
        }
        self.labels = {template: element.label for template, element in spec.fields()}

    def bind(self) -> list[BoundElement]:
        return self._bind_all(self.spec.steps[self.index].elements, "")

    def _bind_all(self, elements: Iterable[Element], prefix: str) -> list[BoundElement]:
        bound = []
        for element in elements:
            item = self._bind(element, prefix)
            if item is not None:
                bound.append(item)
        return bound

    def _condition(self, element: Element, bound: BoundElement) -> bool:
        """False if the element is hidden by an answer given on another step."""
        condition = element.condition
        if condition is None:
            return True
        target = template_of(condition.path)
        if target in self.step_templates:
            label = self.labels.get(target, condition.path)
            if condition.filled:
                bound.condition_hint = _("Only if “%(question)s” is answered.") % {
                    "question": label
                }
            else:
                values = condition.one_of if condition.one_of is not None else (condition.equals,)
                shown = ", ".join(self._answer_label(target, value) for value in values)
                bound.condition_hint = _("Only if you answered “%(answer)s” to “%(question)s”.") % {
                    "answer": shown,
                    "question": label,
                }
            bound.condition_json = json.dumps(condition.for_browser())
            return True
        return condition.holds(self.data)

    def _answer_label(self, template: str, value: Any) -> str:
        element = dict(self.spec.fields()).get(template)
        if element is None:
            return str(value)
        if element.widget == "yesno":
            return _("Yes") if value is True else _("No") if value is False else str(value)
        for choice in element.choices:
            if choice.value == value:
                return choice.label
        return str(value)

    def _bind(self, element: Element, prefix: str) -> BoundElement | None:
        if element.kind == "static":
            bound = BoundElement(kind="static", element=element)
            return bound if self._condition(element, bound) else None
        path = f"{prefix}.{element.name}" if prefix else element.name
        bound = BoundElement(kind=element.kind, element=element, path=path, html_id=html_id(path))
        if not self._condition(element, bound):
            return None
        bound.errors = list(self.errors.get(path, []))
        value = get_path(self.data, path)
        if element.kind == "group":
            if element.repeat:
                entries = value if isinstance(value, list) else []
                maximum = element.schema.get("maxItems")
                bound.can_add = not (isinstance(maximum, int) and len(entries) >= maximum)
                for index in range(len(entries)):
                    entry_path = f"{path}.{index}"
                    bound.entries.append(
                        BoundEntry(
                            index=index,
                            label=f"{element.label} {index + 1}",
                            remove_value=entry_path,
                            children=self._bind_all(element.elements, entry_path),
                        )
                    )
            else:
                bound.children = self._bind_all(element.elements, path)
            return bound
        widget = element.widget
        if widget in {"radio", "select", "checkboxes"}:
            selected = (
                {str(item) for item in value}
                if isinstance(value, list)
                else ({str(value)} if value is not None else set())
            )
            bound.choices = [
                BoundChoice(
                    value=str(choice.value),
                    label=choice.label,
                    checked=str(choice.value) in selected,
                    html_id=f"{bound.html_id}-{number}",
                )
                for number, choice in enumerate(element.choices)
            ]
        elif widget == "yesno":
            bound.choices = [
                BoundChoice("yes", _("Yes"), value is True, f"{bound.html_id}-yes"),
                BoundChoice("no", _("No"), value is False, f"{bound.html_id}-no"),
            ]
        elif widget == "address":
            parts = value if isinstance(value, dict) else {}
            bound.address = {
                key: str(parts.get(key, "")) for key in ("street", "postal_code", "place")
            }
        elif widget == "file":
            bound.files = list(self.files.get(path, []))
            maximum = element.schema.get("maxItems")
            bound.can_add = not (isinstance(maximum, int) and len(bound.files) >= maximum)
            bound.attrs = {"accept": ",".join(element.accept)}
        else:
            bound.value = _text_value(element, value)
            attrs = dict(INPUT_ATTRS.get(widget, {}))
            if element.autocomplete:
                attrs["autocomplete"] = element.autocomplete
            attrs.update(_limits(element))
            bound.attrs = attrs
        return bound


def _limits(element: Element) -> dict[str, str]:
    """The schema's limits as input attributes, so the browser asks for what the server checks.

    A pattern goes to the browser only when the schema spells it for the browser as well
    (`x-html-pattern`, written by the FIM import, ADR 0034): JSON Schema patterns are checked
    by Python and may mean something else in a browser."""
    schema = element.schema
    attrs: dict[str, str] = {}
    if element.widget == "textarea":
        return attrs
    for key, attribute in (("maxLength", "maxlength"), ("minLength", "minlength")):
        if isinstance(schema.get(key), int) and not isinstance(schema[key], bool):
            attrs[attribute] = str(schema[key])
    if isinstance(schema.get("pattern"), str) and isinstance(schema.get("x-html-pattern"), str):
        attrs["pattern"] = schema["x-html-pattern"]
    for key, attribute in (("formatMinimum", "min"), ("formatMaximum", "max")):
        if element.widget == "date" and isinstance(schema.get(key), str):
            attrs[attribute] = schema[key]
    if element.widget == "number" and schema.get("type") == "integer":
        attrs["inputmode"] = "numeric"
    return attrs


# --- summary -------------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    label: str
    lines: list[str]
    level: int = 0
    heading: bool = False


@dataclass
class SummaryStep:
    index: int
    id: str
    title: str
    rows: list[SummaryRow]


def format_date(value: str) -> str:
    try:
        return datetime.date.fromisoformat(value).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return str(value)


def display_lines(element: Element, value: Any, files: Mapping[str, FileInfo]) -> list[str]:
    """An answer as lines of text for people (summary, receipt, staff view)."""
    widget = element.widget
    if value is None:
        return []
    if widget == "yesno":
        return [_("Yes") if value is True else _("No") if value is False else str(value)]
    if widget in {"radio", "select", "checkboxes"}:
        labels = {str(choice.value): choice.label for choice in element.choices}
        values = value if isinstance(value, list) else [value]
        return [labels.get(str(item), str(item)) for item in values]
    if widget == "date":
        return [format_date(value)]
    if widget == "number":
        return [_text_value(element, value)]
    if widget == "address" and isinstance(value, dict):
        street = str(value.get("street", ""))
        place = " ".join(str(value.get(key, "")) for key in ("postal_code", "place")).strip()
        return [line for line in (street, place) if line]
    if widget == "file":
        values = value if isinstance(value, list) else [value]
        return [files[str(item)].name if str(item) in files else str(item) for item in values]
    if element.schema.get("contentMediaType") == GEOJSON:
        return [geojson_in_words(value)]
    if widget == "textarea":
        return str(value).splitlines() or [""]
    return [_text_value(element, value)]


GEOJSON = "application/geo+json"
"""A string answer with this ``contentMediaType`` holds a GeoJSON geometry (a route on a map)."""


def geojson_in_words(value: Any) -> str:
    """A GeoJSON line for people: how many points, from where to where (latitude, longitude)."""
    try:
        geometry = json.loads(value) if isinstance(value, str) else value
        if geometry.get("type") != "LineString":
            return str(value)
        points: list[Any] = geometry["coordinates"]
        first, last = points[0], points[-1]
        start, end = (f"{point[1]:.5f}, {point[0]:.5f}" for point in (first, last))
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return str(value)
    return _("A line on the map with %(count)s points, from %(start)s to %(end)s") % {
        "count": len(points),
        "start": start,
        "end": end,
    }


def summary(
    spec: FormSpec, data: Mapping[str, Any], files: Mapping[str, FileInfo] | None = None
) -> list[SummaryStep]:
    known_files = files or {}
    result = []
    for index, step in enumerate(spec.steps):
        rows: list[SummaryRow] = []
        _summarise(step.elements, data, "", 0, rows, known_files)
        result.append(SummaryStep(index=index, id=step.id, title=step.title, rows=rows))
    return result


def _summarise(
    elements: Iterable[Element],
    data: Mapping[str, Any],
    prefix: str,
    level: int,
    rows: list[SummaryRow],
    files: Mapping[str, FileInfo],
) -> None:
    for element in elements:
        if element.kind == "static":
            continue
        if element.condition is not None and not element.condition.holds(data):
            continue
        path = f"{prefix}.{element.name}" if prefix else element.name
        value = get_path(data, path)
        if element.kind == "group":
            if element.repeat:
                entries = value if isinstance(value, list) else []
                for index in range(len(entries)):
                    rows.append(SummaryRow(f"{element.label} {index + 1}", [], level, heading=True))
                    _summarise(element.elements, data, f"{path}.{index}", level + 1, rows, files)
            elif isinstance(value, dict):
                rows.append(SummaryRow(element.label, [], level, heading=True))
                _summarise(element.elements, data, path, level + 1, rows, files)
            continue
        lines = display_lines(element, value, files)
        rows.append(SummaryRow(element.label, lines or [_("(not answered)")], level))

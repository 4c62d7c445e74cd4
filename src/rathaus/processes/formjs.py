"""Camunda Forms (form-js JSON) as task forms, so models from the Camunda Modeler 5 and the
Camunda 8 Web Modeler bring their forms along (ADR 0037).

A user task names a Camunda Form by ``camunda:formRef`` (Camunda 7.16+), by
``camunda:formKey="camunda-forms:deployment:<file>.form"``, or by ``zeebe:formDefinition``
(``formId``, or ``formKey="camunda-forms:bpmn:<id>"`` for a form embedded in the model as
``zeebe:userTaskForm``). The form is found among the model's ``.form`` files (by its ``id`` or
its file name) or in the model itself and converted into our schema and layout; a
``forms/<key>.json`` of our own format wins.

Components with a fixed meaning are converted: ``textfield``, ``textarea``, ``number``,
``checkbox``, ``checklist``, ``taglist``, ``radio``, ``select``, ``datetime`` (dates), static
``text`` and ``html`` (shown as plain text, never as HTML), ``group`` and ``dynamiclist``.
Everything that needs FEEL or a Camunda runtime (expressions, dynamic options, file pickers,
iframes, buttons) is left out and named in a note with the component's id and type; a form of
which nothing can be used is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rathaus.processes.bpmn_check import BPMN, CAMUNDA, where

ZEEBE = "http://camunda.org/schema/zeebe/1.0"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
SIMPLE_HIDE = re.compile(r'^=\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*$')
STATIC = {"text", "html", "spacer", "separator"}
LEFT_OUT = {
    "filepicker": gettext_noop("files are uploaded in the case, not in a task form"),
    "iframe": gettext_noop("foreign pages are not embedded"),
    "expression": gettext_noop("FEEL expressions are not evaluated"),
    "button": gettext_noop("the task page has its own buttons"),
    "image": gettext_noop("images are not shown in task forms"),
    "table": gettext_noop("tables of process data are not shown"),
    "documentPreview": gettext_noop("documents are shown in the case"),
}


# Stands in for a form that could not be read, so the model's check does not also call it
# missing; a model with such a form is refused and never stored.
UNUSABLE: dict[str, Any] = {
    "schema": {"type": "object", "additionalProperties": False, "properties": {}},
    "layout": {"steps": [{"id": "task", "title": "", "elements": []}]},
}


class FormRefused(ValueError):
    """The form cannot be used at all; the message says why."""


def is_formjs(definition: Any) -> bool:
    """Whether a form definition is a Camunda Form rather than our schema and layout."""
    return (
        isinstance(definition, Mapping)
        and "components" in definition
        and "schema" not in definition
        and "layout" not in definition
    )


def _from_uri(value: str) -> str:
    """The form a ``camunda-forms:`` key names: the id after ``bpmn:``, else the file's stem."""
    if not value.startswith("camunda-forms:"):
        return value
    rest = value.removeprefix("camunda-forms:")
    scope, _sep, name = rest.partition(":")
    if scope == "bpmn":
        return name
    return name.rsplit("/", 1)[-1].removesuffix(".form")


def reference(node: Any) -> str:
    """The Camunda Form a user task names, or ''."""
    ref = node.get(f"{{{CAMUNDA}}}formRef", "")
    if ref:
        return str(ref)
    key = str(node.get(f"{{{CAMUNDA}}}formKey", ""))
    if key.startswith("camunda-forms:"):
        return _from_uri(key)
    definition = node.find(f"{{{BPMN}}}extensionElements/{{{ZEEBE}}}formDefinition")
    if definition is not None:
        return str(definition.get("formId") or _from_uri(str(definition.get("formKey", ""))))
    return ""


def _embedded(root: Any) -> tuple[dict[str, Any], list[str]]:
    """Forms embedded in the model (``zeebe:userTaskForm``) by id, and problems reading them."""
    forms: dict[str, Any] = {}
    problems: list[str] = []
    for node in root.iter(f"{{{ZEEBE}}}userTaskForm"):
        try:
            forms[str(node.get("id", ""))] = json.loads(node.text or "")
        except json.JSONDecodeError as error:
            forms[str(node.get("id", ""))] = None  # named in the problems; not "missing"
            problems.append(
                _("The form “%(form)s” in line %(line)s is not valid JSON: %(error)s")
                % {"form": node.get("id", ""), "line": node.sourceline, "error": error.msg}
            )
    return forms, problems


def converted(
    root: Any, supplied: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str], list[str]]:
    """(task forms by key, notes, problems) for the user tasks that name a Camunda Form.

    ``supplied`` are the model's own form files by name: Camunda Forms among them are found by
    file name or by their ``id``; a form of our own format under the same key wins.
    """
    embedded, problems = _embedded(root)  # an id whose JSON is broken maps to None
    by_id = {str(form.get("id")): form for form in supplied.values() if is_formjs(form)}
    forms: dict[str, Any] = {}
    notes: list[str] = []
    for task in root.iter(f"{{{BPMN}}}userTask"):
        key = reference(task)
        if not key or key in forms or (key in supplied and not is_formjs(supplied[key])):
            continue
        if key in embedded and embedded[key] is None:
            forms[key] = UNUSABLE  # its problem is reported; the model is refused
            continue
        source = embedded.get(key) or (supplied.get(key) if key in supplied else by_id.get(key))
        if source is None:
            continue  # the check names the missing form
        try:
            forms[key], form_notes = convert(source, task.get("name") or task.get("id", ""))
        except FormRefused as refused:
            problems.append(
                _("%(where)s: the Camunda Form “%(form)s” cannot be used: %(reason)s")
                % {"where": where(task), "form": key, "reason": refused}
            )
            forms[key] = UNUSABLE
            continue
        notes.extend(
            _("Camunda Form “%(form)s”: %(note)s") % {"form": key, "note": note}
            for note in form_notes
        )
    for name, form in supplied.items():
        if is_formjs(form) and name not in forms and str(form.get("id")) not in forms:
            notes.append(_("The Camunda Form “%(form)s” is not named by any user task; it is "
                           "not used.") % {"form": name})  # fmt: skip
    return forms, notes, problems


def convert(form: Any, title: str) -> tuple[dict[str, Any], list[str]]:
    """Our task form (schema and layout) from a Camunda Form, and notes on what was left out.

    Raises :class:`FormRefused` when the form is not a Camunda Form or nothing of it is usable.
    """
    if not is_formjs(form) or not isinstance(form.get("components"), list):
        raise FormRefused(_("it is not a Camunda Form (a JSON object with components)."))
    converter = _Converter()
    properties, required, elements = converter.container(form["components"])
    if form["components"] and not elements:
        raise FormRefused(
            _("none of its components can be shown (%(notes)s).")
            % {"notes": "; ".join(converter.notes)}
        )
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": properties}  # fmt: skip
    if required:
        schema["required"] = required
    layout = {"steps": [{"id": "task", "title": title[:200], "elements": elements}]}
    from rathaus.forms.engine import definition_problems

    problems = definition_problems(schema, layout)
    if problems:
        raise FormRefused("; ".join(problems))
    return {"schema": schema, "layout": layout}, converter.notes


def _text(value: Any) -> str:
    return str(value) if isinstance(value, (str, int, float)) else ""


class _Converter:
    def __init__(self) -> None:
        self.notes: list[str] = []

    def note(self, component: Mapping[str, Any], reason: str) -> None:
        self.notes.append(
            _("component “%(id)s” (%(type)s) is left out: %(reason)s")
            % {"id": component.get("id") or component.get("key") or "?",
               "type": component.get("type", "?"), "reason": reason}
        )  # fmt: skip

    def container(
        self, components: list[Any]
    ) -> tuple[dict[str, Any], list[str], list[dict[str, Any]]]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        elements: list[dict[str, Any]] = []
        for component in components:
            if not isinstance(component, Mapping):
                continue
            self.component(component, properties, required, elements)
        return properties, required, elements

    def component(self, component: Mapping[str, Any], properties: dict[str, Any],
                  required: list[str], elements: list[dict[str, Any]]) -> None:  # fmt: skip
        kind = str(component.get("type", ""))
        if kind in STATIC:
            self.static(component, elements)
            return
        if kind in {"group", "dynamiclist"}:
            self.group(component, properties, required, elements)
            return
        if kind in LEFT_OUT:
            self.note(component, _(LEFT_OUT[kind]))
            return
        built = self.field(component, kind)
        if built is None:
            return
        name, schema, element = built
        if name in properties:
            self.note(component, _("another component already uses the key “%(key)s”.")
                      % {"key": name})  # fmt: skip
            return
        properties[name] = schema
        elements.append(element)
        validate = component.get("validate")
        conditional = component.get("conditional")
        hidden = isinstance(conditional, Mapping) and conditional.get("hide")
        if isinstance(validate, Mapping) and validate.get("required") is True and not hidden:
            required.append(name)

    def static(self, component: Mapping[str, Any], elements: list[dict[str, Any]]) -> None:
        kind = component.get("type")
        if kind in {"spacer", "separator"}:
            return
        raw = _text(component.get("text") if kind == "text" else component.get("content"))
        if raw.startswith("="):
            self.note(component, _("its text is a FEEL expression."))
            return
        if kind == "html":
            raw = strip_tags(raw)
        lines = [line.strip().lstrip("#").strip() for line in raw.splitlines()]
        text = "\n".join(lines).strip()
        if text:
            elements.append({"static": text})

    def group(self, component: Mapping[str, Any], properties: dict[str, Any],
              required: list[str], elements: list[dict[str, Any]]) -> None:  # fmt: skip
        children = component.get("components")
        if not isinstance(children, list):
            return
        path = _text(component.get("path"))
        repeat = component.get("type") == "dynamiclist"
        label = self.label(component, path)
        if not path and not repeat:  # a visual group: its fields stay at the top
            if label:
                elements.append({"static": label})
            for child in children:
                if isinstance(child, Mapping):
                    self.component(child, properties, required, elements)
            return
        if not NAME.match(path) or path in properties:
            self.note(component, _("its path “%(path)s” is not a simple name.") % {"path": path})
            return
        inner_properties, inner_required, inner_elements = self.container(children)
        if not inner_properties:
            self.note(component, _("it has no field that can be shown."))
            return
        inner: dict[str, Any] = {"type": "object", "additionalProperties": False,
                                 "properties": inner_properties}  # fmt: skip
        if inner_required:
            inner["required"] = inner_required
        properties[path] = {"type": "array", "items": inner} if repeat else inner
        elements.append({"group": path, "label": label or path, "repeat": repeat,
                         "elements": inner_elements})  # fmt: skip

    def label(self, component: Mapping[str, Any], fallback: str) -> str:
        label = _text(component.get("label"))
        if label.startswith("="):
            self.notes.append(
                _("the label of component “%(id)s” is a FEEL expression; its key is shown.")
                % {"id": component.get("id") or fallback}
            )
            return fallback
        return label or fallback

    def field(
        self, component: Mapping[str, Any], kind: str
    ) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        name = _text(component.get("key"))
        if kind not in FIELD_KINDS:
            self.note(component, _("this kind of component is not supported."))
            return None
        if not NAME.match(name):
            self.note(component, _("its key “%(key)s” is not a simple name.") % {"key": name})
            return None
        if component.get("disabled") is True or component.get("readonly") is True:
            self.note(component, _("it only shows process data."))
            return None
        if component.get("valuesKey") or component.get("valuesExpression"):
            self.note(component, _("its options come from process data."))
            return None
        if kind == "datetime" and component.get("subtype", "date") != "date":
            self.note(component, _("only dates are supported, not times."))
            return None
        label = self.label(component, name)
        if kind == "datetime":
            label = self.label({**component, "label": component.get("dateLabel")}, label)
        schema, widget = FIELD_KINDS[kind]
        schema = dict(schema)
        element: dict[str, Any] = {"field": name, "widget": widget, "label": label}
        description = _text(component.get("description"))
        if description and not description.startswith("="):
            element["help"] = description
        if kind in {"checklist", "taglist", "radio", "select"}:
            choices = [
                {"value": _text(value.get("value")), "label": _text(value.get("label"))
                 or _text(value.get("value"))}
                for value in component.get("values") or []
                if isinstance(value, Mapping) and _text(value.get("value"))
            ]  # fmt: skip
            if not choices:
                self.note(component, _("it has no options."))
                return None
            values = [choice["value"] for choice in choices]
            if kind in {"checklist", "taglist"}:
                schema["items"] = {"type": "string", "enum": values}
            else:
                schema["enum"] = values
            element["choices"] = choices
        if kind == "textfield" and _validation(component) in {"email", "phone"}:
            widget = _validation(component)
            element["widget"] = widget
            schema["format"] = widget
        self.rules(component, schema)
        self.condition(component, element)
        return name, schema, element

    def rules(self, component: Mapping[str, Any], schema: dict[str, Any]) -> None:
        validate = component.get("validate")
        if not isinstance(validate, Mapping):
            return
        numbers = {"minLength": "minLength", "maxLength": "maxLength", "min": "minimum",
                   "max": "maximum"}  # fmt: skip
        for rule, keyword in numbers.items():
            value = validate.get(rule)
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                ident = component.get("id") or component.get("key")
                self.notes.append(
                    _("the rule %(rule)s of component “%(id)s” is not a number; it is not "
                      "checked.") % {"rule": rule, "id": ident}
                )  # fmt: skip
                continue
            if keyword in {"minLength", "maxLength"} and schema.get("type") == "string":
                schema[keyword] = int(value)
            elif keyword in {"minimum", "maximum"} and schema.get("type") == "number":
                schema[keyword] = value
        pattern = validate.get("pattern")
        if isinstance(pattern, str) and pattern and schema.get("type") == "string":
            try:
                re.compile(pattern)
            except re.error:
                self.notes.append(
                    _("the pattern of component “%(id)s” is not a valid regular expression; "
                      "it is not checked.") % {"id": component.get("id") or component.get("key")}
                )  # fmt: skip
            else:
                schema["pattern"] = pattern

    def condition(self, component: Mapping[str, Any], element: dict[str, Any]) -> None:
        conditional = component.get("conditional")
        hide = conditional.get("hide") if isinstance(conditional, Mapping) else None
        if not hide:
            return
        match = SIMPLE_HIDE.match(str(hide))
        ident = component.get("id") or component.get("key")
        if match is None:
            self.notes.append(
                _("component “%(id)s” is always shown: its condition “%(condition)s” is a FEEL "
                  "expression.") % {"id": ident, "condition": hide}
            )  # fmt: skip
            return
        self.notes.append(
            _("component “%(id)s” is always shown and not required: hiding it when "
              "%(field)s is “%(value)s” is not supported.")
            % {"id": ident, "field": match[1], "value": match[2]}
        )  # fmt: skip


def _validation(component: Mapping[str, Any]) -> str:
    validate = component.get("validate")
    return str(validate.get("validationType", "")) if isinstance(validate, Mapping) else ""


FIELD_KINDS: dict[str, tuple[dict[str, Any], str]] = {
    "textfield": ({"type": "string", "maxLength": 2000}, "text"),
    "textarea": ({"type": "string", "maxLength": 20000}, "textarea"),
    "number": ({"type": "number"}, "number"),
    "checkbox": ({"type": "boolean"}, "yesno"),
    "checklist": ({"type": "array", "uniqueItems": True}, "checkboxes"),
    "taglist": ({"type": "array", "uniqueItems": True}, "checkboxes"),
    "radio": ({"type": "string"}, "radio"),
    "select": ({"type": "string"}, "select"),
    "datetime": ({"type": "string", "format": "date"}, "date"),
}

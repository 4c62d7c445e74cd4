"""Camunda form fields (``camunda:formData``) as task forms, so models from the Camunda Modeler
bring their simple forms along (ADR 0031).

A user task with ``camunda:formData`` gets a task form under its ``camunda:formKey`` (or, without
one, under its id); a ``forms/<key>.json`` of the model wins. Field types: ``string``, ``long``,
``boolean``, ``date`` and ``enum`` (with its values); ``camunda:validation`` ``required`` makes a
field required. Other types are left out and named in a note.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from rathaus.processes.bpmn_check import BPMN, CAMUNDA

TYPES: dict[str, tuple[dict[str, Any], str]] = {
    "string": ({"type": "string", "maxLength": 2000}, "text"),
    "long": ({"type": "integer"}, "number"),
    "boolean": ({"type": "boolean"}, "yesno"),
    "date": ({"type": "string", "format": "date"}, "date"),
}


def form_key(node: Any) -> str:
    """The task form a user task uses: the Camunda Form it names (ADR 0037), its form key, or
    its id when it has Camunda form fields."""
    from rathaus.processes.formjs import reference

    key = reference(node) or str(node.get(f"{{{CAMUNDA}}}formKey", ""))
    if not key and node.find(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}formData") is not None:
        key = str(node.get("id", ""))
    return key


def converted(root: Any) -> tuple[dict[str, Any], list[str]]:
    """(task forms by key, notes) from the ``camunda:formData`` of the model's user tasks."""
    forms: dict[str, Any] = {}
    notes: list[str] = []
    for task in root.iter(f"{{{BPMN}}}userTask"):
        data = task.find(f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}formData")
        if data is None:
            continue
        properties: dict[str, Any] = {}
        required: list[str] = []
        elements: list[dict[str, Any]] = []
        for field in data.iterfind(f"{{{CAMUNDA}}}formField"):
            name, kind = field.get("id", ""), field.get("type", "string")
            label = field.get("label") or name
            if kind == "enum":
                options = list(field.iterfind(f"{{{CAMUNDA}}}value"))
                choices = [{"value": v.get("id", ""), "label": v.get("name") or v.get("id", "")}
                           for v in options]  # fmt: skip
                properties[name] = {"type": "string", "enum": [c["value"] for c in choices]}
                elements.append({"field": name, "widget": "select", "label": label,
                                 "choices": choices})  # fmt: skip
            elif kind in TYPES and name.isidentifier():
                schema, widget = TYPES[kind]
                properties[name] = dict(schema)
                elements.append({"field": name, "widget": widget, "label": label})
            else:
                notes.append(
                    _("Form field “%(field)s” of type %(type)s in line %(line)s is left out.")
                    % {"field": name, "type": kind, "line": field.sourceline}
                )
                continue
            rule = f"{{{CAMUNDA}}}validation/{{{CAMUNDA}}}constraint[@name='required']"
            if field.find(rule) is not None:
                required.append(name)
        title = task.get("name") or task.get("id", "")
        form = forms.setdefault(
            form_key(task),
            {
                "schema": {"type": "object", "additionalProperties": False, "properties": {}},
                "layout": {"steps": [{"id": "task", "title": title, "elements": []}]},
            },
        )  # fmt: skip  (tasks sharing a form key share one form with all their fields)
        known = set(form["schema"]["properties"])
        form["schema"]["properties"].update(properties)
        form["layout"]["steps"][0]["elements"].extend(
            element for element in elements if element["field"] not in known
        )
        if required:
            form["schema"]["required"] = sorted({*form["schema"].get("required", []), *required})
    return forms, notes

"""Camunda Forms (form-js JSON) as task forms (ADR 0037): each component kind, each note and
each refusal; how a user task names its form; our own form format wins."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from lxml import etree  # type: ignore[import-untyped]

from rathaus.forms.engine import FormSpec
from rathaus.processes import formjs
from rathaus.processes.bpmn import ModelInvalid, parse

REAL = Path(__file__).resolve().parent.parent / "data" / "bpmn" / "real"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def form(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": "default", "id": "Form_1", "schemaVersion": 16, "components": list(components)}


def converted(*components: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """(schema, the one step's elements by field or text, notes)."""
    definition, notes = formjs.convert(form(*components), "Prüfen")
    step = definition["layout"]["steps"][0]
    assert step["title"] == "Prüfen"
    elements = {e.get("field") or e.get("group") or e.get("static"): e for e in step["elements"]}
    FormSpec(definition["schema"], definition["layout"])  # the engine reads it
    return definition["schema"], elements, notes


def test_text_fields_with_their_rules_help_and_required() -> None:
    schema, elements, notes = converted(
        {"type": "textfield", "key": "creditor", "label": "Creditor", "id": "F1",
         "description": "Who sent it", "validate": {"required": True, "minLength": 2,
                                                    "maxLength": 40, "pattern": "^[A-Z]"}},
        {"type": "textarea", "key": "comment", "label": "Comment", "id": "F2"},
        {"type": "textfield", "key": "mail", "label": "Mail", "validate":
         {"validationType": "email"}},
    )  # fmt: skip
    assert schema["properties"]["creditor"] == {
        "type": "string", "maxLength": 40, "minLength": 2, "pattern": "^[A-Z]"
    }  # fmt: skip
    assert schema["required"] == ["creditor"]
    assert elements["creditor"] == {"field": "creditor", "widget": "text", "label": "Creditor",
                                    "help": "Who sent it"}  # fmt: skip
    assert elements["comment"]["widget"] == "textarea"
    assert elements["mail"]["widget"] == schema["properties"]["mail"]["format"] == "email"
    assert notes == []


def test_numbers_checkboxes_and_dates() -> None:
    schema, elements, notes = converted(
        {"type": "number", "key": "amount", "label": "Amount", "validate": {"min": 0, "max": 10}},
        {"type": "checkbox", "key": "approved", "label": "Approved"},
        {"type": "datetime", "key": "due", "subtype": "date", "dateLabel": "Due on"},
        {"type": "datetime", "key": "at", "subtype": "datetime", "id": "T1"},
    )
    assert schema["properties"]["amount"] == {"type": "number", "minimum": 0, "maximum": 10}
    assert (schema["properties"]["approved"], elements["approved"]["widget"]) == (
        {"type": "boolean"}, "yesno")  # fmt: skip
    assert schema["properties"]["due"] == {"type": "string", "format": "date"}
    assert (elements["due"]["widget"], elements["due"]["label"]) == ("date", "Due on")
    assert "at" not in schema["properties"]
    assert notes == ["component “T1” (datetime) is left out: only dates are supported, not times."]


@pytest.mark.parametrize(("kind", "widget", "many"), [
    ("radio", "radio", False), ("select", "select", False),
    ("checklist", "checkboxes", True), ("taglist", "checkboxes", True),
])  # fmt: skip
def test_options_become_choices(kind: str, widget: str, many: bool) -> None:
    values = [{"label": "Camunda 7", "value": "c7"}, {"label": "Camunda 8", "value": "c8"}]
    schema, elements, _notes = converted({"type": kind, "key": "product", "values": values})
    prop = schema["properties"]["product"]
    assert (prop["items"]["enum"] if many else prop["enum"]) == ["c7", "c8"]
    assert elements["product"]["widget"] == widget
    assert elements["product"]["choices"] == [{"value": "c7", "label": "Camunda 7"},
                                              {"value": "c8", "label": "Camunda 8"}]  # fmt: skip


def test_static_texts_are_plain_text_never_html() -> None:
    _schema, elements, _notes = converted(
        {"type": "text", "text": "# Rechnung\nBitte prüfen."},
        {"type": "html", "content": "<p>Hallo <script>alert(1)</script><b>Welt</b></p>"},
        {"type": "spacer"}, {"type": "separator"},
        {"type": "textfield", "key": "x"},
    )  # fmt: skip
    assert set(elements) == {"Rechnung\nBitte prüfen.", "Hallo alert(1)Welt", "x"}


def test_groups_and_dynamic_lists() -> None:
    schema, elements, _notes = converted(
        {"type": "group", "label": "Visual", "components": [{"type": "textfield", "key": "a"}]},
        {"type": "group", "label": "Address", "path": "address", "components": [
            {"type": "textfield", "key": "street", "validate": {"required": True}}]},
        {"type": "dynamiclist", "label": "Clients", "path": "clients", "isRepeating": True,
         "components": [{"type": "textfield", "key": "name"}]},
    )  # fmt: skip
    assert "a" in schema["properties"]
    assert "Visual" in elements
    assert schema["properties"]["address"]["required"] == ["street"]
    assert elements["address"]["repeat"] is False
    assert schema["properties"]["clients"]["type"] == "array"
    assert elements["clients"]["repeat"] is True


@pytest.mark.parametrize(("component", "why"), [
    ({"type": "filepicker", "key": "f", "id": "C"}, "(filepicker) is left out: files are"),
    ({"type": "iframe", "id": "C", "url": "https://x"}, "(iframe) is left out"),
    ({"type": "expression", "key": "s", "expression": "=1+1", "id": "C"}, "(expression)"),
    ({"type": "button", "action": "submit", "id": "C"}, "(button) is left out"),
    ({"type": "select", "key": "s", "valuesKey": "options", "id": "C"}, "come from process data"),
    ({"type": "radio", "key": "s", "valuesExpression": "=opts", "id": "C"}, "from process data"),
    ({"type": "textfield", "key": "a.b", "id": "C"}, "is not a simple name"),
    ({"type": "textfield", "key": "s", "disabled": True, "id": "C"}, "only shows process data"),
    ({"type": "text", "text": "=greeting", "id": "C"}, "its text is a FEEL expression"),
    ({"type": "fancy", "key": "s", "id": "C"}, "not supported"),
])  # fmt: skip
def test_unsupported_components_are_left_out_with_a_note(component: dict, why: str) -> None:
    schema, _elements, notes = converted(component, {"type": "textfield", "key": "kept"})
    assert list(schema["properties"]) == ["kept"]
    [note] = notes
    assert "“C”" in note
    assert why in note


def test_feel_in_labels_and_conditions_is_noted_and_the_field_kept() -> None:
    schema, elements, notes = converted(
        {"type": "textfield", "key": "a", "label": "=upper(name)", "id": "A"},
        {"type": "textfield", "key": "b", "id": "B", "validate": {"required": True},
         "conditional": {"hide": '=approved = "no"'}},
        {"type": "textfield", "key": "c", "id": "C", "conditional": {"hide": "=x > 5"}},
    )  # fmt: skip
    assert elements["a"]["label"] == "a"
    assert "required" not in schema  # a field Camunda may hide is not required here
    assert set(schema["properties"]) == {"a", "b", "c"}
    assert any("“A” is a FEEL expression" in n for n in notes)
    assert any("“B” is always shown and not required" in n for n in notes)
    assert any("“C” is always shown" in n and "=x > 5" in n for n in notes)


@pytest.mark.parametrize(("definition", "why"), [
    (None, "not a Camunda Form"),
    ({"schemaVersion": 5, "type": "default"}, "not a Camunda Form"),
    ({"components": "textfield"}, "not a Camunda Form"),
    (form({"type": "button", "id": "B"}, {"type": "iframe", "id": "I"}), "none of its"),
])  # fmt: skip
def test_a_form_of_which_nothing_is_usable_is_refused(definition: Any, why: str) -> None:
    with pytest.raises(formjs.FormRefused, match=why):
        formjs.convert(definition, "Task")


def test_an_empty_form_is_a_task_to_confirm() -> None:
    definition, notes = formjs.convert(form(), "Task")
    assert definition["schema"]["properties"] == {}
    assert notes == []


BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  id="d" targetNamespace="http://x"><bpmn:process id="p">{tasks}</bpmn:process></bpmn:definitions>"""


@pytest.mark.parametrize(("task", "key"), [
    ('<bpmn:userTask id="t" camunda:formRef="invoice" camunda:formRefBinding="latest"/>',
     "invoice"),
    ('<bpmn:userTask id="t" camunda:formKey="camunda-forms:app:forms/invoice.form"/>', "invoice"),
    ('<bpmn:userTask id="t" camunda:formKey="camunda-forms:deployment:invoice.form"/>',
     "invoice"),
    ('<bpmn:userTask id="t"><bpmn:extensionElements><zeebe:formDefinition formId="invoice"/>'
     "</bpmn:extensionElements></bpmn:userTask>", "invoice"),
    ('<bpmn:userTask id="t"><bpmn:extensionElements><zeebe:formDefinition '
     'formKey="camunda-forms:bpmn:UserTaskForm_1"/></bpmn:extensionElements></bpmn:userTask>',
     "UserTaskForm_1"),
    ('<bpmn:userTask id="t" camunda:formKey="review"/>', ""),
])  # fmt: skip
def test_how_a_user_task_names_its_camunda_form(task: str, key: str) -> None:
    root = etree.fromstring(BPMN.format(tasks=task).encode())
    assert formjs.reference(root.find(".//{*}userTask")) == key


def test_the_form_embedded_in_a_camunda_8_model_is_converted() -> None:
    root = etree.parse(str(REAL / "camunda8-send-email.bpmn")).getroot()
    forms, notes, problems = formjs.converted(root, {})
    assert (notes, problems) == ([], [])
    definition = forms["userTaskForm_15j79nd"]
    assert definition["schema"]["required"] == ["message_content"]
    [element] = definition["layout"]["steps"][0]["elements"]
    assert element["help"] == "Please enter the content of the E-Mail message"


def test_forms_are_found_by_id_or_file_name_and_our_own_format_wins() -> None:
    tasks = ('<bpmn:userTask id="a" camunda:formRef="Form_1"/>'
             '<bpmn:userTask id="b" camunda:formKey="camunda-forms:app:other.form"/>'
             '<bpmn:userTask id="c" camunda:formRef="ours"/>')  # fmt: skip
    root = etree.fromstring(BPMN.format(tasks=tasks).encode())
    ours = {"schema": {"type": "object", "properties": {}}, "layout": {"steps": []}}
    supplied = {"first": form({"type": "textfield", "key": "x"}),
                "other": {**form({"type": "number", "key": "n"}), "id": "Other"},
                "start": {**form(), "id": "Start"}, "ours": ours}  # fmt: skip
    forms, notes, problems = formjs.converted(root, supplied)
    assert problems == []
    assert notes == ["The Camunda Form “start” is not named by any user task; it is not used."]
    assert set(forms) == {"Form_1", "other"}
    assert list(forms["other"]["schema"]["properties"]) == ["n"]


def test_a_broken_embedded_or_unusable_form_refuses_the_model_with_its_line() -> None:
    text = (REAL / "camunda8-send-email.bpmn").read_text(encoding="utf-8")
    broken = text.replace('{"components":[', '{"components":[[', 1)
    with pytest.raises(ModelInvalid) as invalid:
        parse(broken)
    assert any("“userTaskForm_15j79nd” in line 5 is not valid JSON" in p
               for p in invalid.value.problems)  # fmt: skip
    assert not any("not part of the model" in p for p in invalid.value.problems)
    unusable = text.replace('"type":"textfield"', '"type":"filepicker"', 1)
    with pytest.raises(ModelInvalid) as invalid:
        parse(unusable)
    assert any('<bpmn:userTask id="enterMessageTask"' in p and "cannot be used: none of its"
               in p for p in invalid.value.problems)  # fmt: skip
    assert not any("not part of the model" in p for p in invalid.value.problems)

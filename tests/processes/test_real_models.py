"""BPMN models from real modellers: each runs a case to its end or is refused for its reason.

The expected outcome of every file is the table in ``tests/data/bpmn/real/README.md``.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from SpiffWorkflow.util.task import TaskState

from rathaus.core import roles
from rathaus.processes import engine
from rathaus.processes.engine import lane_allows
from rathaus.processes.models import ProcessInstance, ProcessModel, ProcessTask
from rathaus.processes.testing import ModelRun
from tests.factories import (
    CaseFactory,
    FormDefinitionFactory,
    FormVersionFactory,
    MembershipFactory,
    OrgUnitFactory,
    ProcessModelFactory,
    ProcessTaskFactory,
    UserFactory,
)

REAL = Path(__file__).resolve().parent.parent / "data" / "bpmn" / "real"
ROW = re.compile(
    r"^\| (?P<file>[\w.-]+\.bpmn) \|.*\| (?P<outcome>runs(?: with `(?P<data>[^`]+)`)?|refused: `(?P<why>[^`]+)`) \|$"
)


FORM_ROW = re.compile(
    r"^\| (?P<file>forms/[\w.-]+\.form) \|.*\| (?P<outcome>converted(?:; notes: (?P<notes>.+))?|refused: `(?P<why>[^`]+)`) \|$"
)
ONE_TASK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="http://x">
  <bpmn:process id="one_task" name="One task" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="task" name="Fill in the form" {reference}>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="one_task">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="0" y="0" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="task_di" bpmnElement="task"><dc:Bounds x="80" y="0" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="220" y="0" width="36" height="36" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def form_expectations() -> list[tuple[str, str | None, list[str]]]:
    rows = []
    for line in (REAL / "README.md").read_text(encoding="utf-8").splitlines():
        match = FORM_ROW.match(line)
        if match:
            notes = re.findall(r"`([^`]+)`", match["notes"] or "")
            rows.append((match["file"], match["why"], notes))
    return rows


def one_task_folder(tmp_path: Path, form_file: Path) -> tuple[Path, str]:
    """A model with one user task naming the form (by its id, else by its file name)."""
    folder = tmp_path / form_file.stem
    (folder / "forms").mkdir(parents=True)
    shutil.copyfile(form_file, folder / "forms" / form_file.name)
    try:
        form_id = json.loads(form_file.read_text(encoding="utf-8")).get("id")
    except AttributeError:
        form_id = None
    if form_id:
        reference, key = f'camunda:formRef="{form_id}"', form_id
    else:
        reference = f'camunda:formKey="camunda-forms:deployment:{form_file.name}"'
        key = form_file.stem
    (folder / "process.bpmn").write_text(ONE_TASK.format(reference=reference), encoding="utf-8")
    return folder, key


def expectations() -> list[tuple[str, str | None, str | None]]:
    rows = []
    for line in (REAL / "README.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows.append((match["file"], match["why"], match["data"]))
    return rows


def task_form(key: str, answers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A task form asking for a note and for the answers the model's conditions read."""
    kinds = {bool: "boolean", str: "string", int: "integer"}
    properties: dict[str, Any] = {"note": {"type": "string", "maxLength": 200}}
    elements = [{"field": "note", "widget": "text", "label": "Note"}]
    for name, value in (answers or {}).items():
        properties[name] = {"type": kinds[type(value)]}
        widget = {bool: "yesno", str: "text", int: "number"}[type(value)]
        elements.append({"field": name, "widget": widget, "label": name})
    return {
        "schema": {"type": "object", "additionalProperties": False, "properties": properties},
        "layout": {"steps": [{"id": "step", "title": key, "elements": elements}]},
    }


def model_folder(tmp_path: Path, name: str, answers: dict[str, Any] | None = None) -> Path:
    """The model as an import folder with its Camunda Forms (``forms/<model>/*.form``); Camunda
    form fields and Camunda Forms become its task forms on import."""
    folder = tmp_path / name.removesuffix(".bpmn")
    (folder / "forms").mkdir(parents=True)
    shutil.copyfile(REAL / name, folder / "process.bpmn")
    for form in (REAL / "forms" / name.removesuffix(".bpmn")).glob("*.form"):
        shutil.copyfile(form, folder / "forms" / form.name)
    if answers:
        text = (REAL / name).read_text(encoding="utf-8")
        keys = set(re.findall(r'camunda:formKey="([^"]+)"', text))
        for key in {key for key in keys if not key.startswith("camunda-forms:")}:
            (folder / "forms" / f"{key}.json").write_text(json.dumps(task_form(key, answers)))
    return folder


SAMPLES = ("erledigt", "1", "true", "C-1", "a@example.org")


def answers_for(schema: dict[str, Any]) -> dict[str, Any]:
    """An answer of the right type (and pattern) for every field of a task form."""
    values = {"boolean": False, "integer": 1, "number": 1, "string": "erledigt"}
    answers: dict[str, Any] = {}
    for name, field in schema.get("properties", {}).items():
        if "enum" in field:
            answers[name] = field["enum"][0]
        elif field.get("type") == "array" and "enum" in field.get("items", {}):
            answers[name] = field["items"]["enum"][:1]
        elif field.get("type") == "array":
            answers[name] = [answers_for(field["items"])]
        elif field.get("type") == "object":
            answers[name] = answers_for(field)
        elif field.get("format") == "date":
            answers[name] = "2026-12-01"
        elif field.get("format") == "email":
            answers[name] = "a@example.org"
        elif "pattern" in field:
            answers[name] = next(v for v in SAMPLES if re.search(field["pattern"], v))
        else:
            answers[name] = values[field["type"]]
    return answers


def test_the_table_covers_every_file_and_ten_or_more() -> None:
    listed = {name for name, _why, _data in expectations()}
    assert listed == {path.name for path in REAL.glob("*.bpmn")}
    assert len(listed) >= 10
    forms = {name for name, _why, _notes in form_expectations()}
    assert forms == {f"forms/{path.name}" for path in (REAL / "forms").glob("*.form")}
    assert len(forms) >= 5


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "why", "data"), expectations())
def test_real_model(
    name: str, why: str | None, data: str | None, tmp_path: Path, capsys: Any
) -> None:
    answers = json.loads(data or "{}")
    folder = model_folder(tmp_path, name, answers)
    slug = re.sub(r"[^a-z0-9-]", "-", name.removesuffix(".bpmn").lower())
    case = CaseFactory(form_version=FormVersionFactory())
    form = case.submission.form_version.definition
    with translation.override("en"):
        if why is not None:
            with pytest.raises(CommandError, match="nothing was stored"):
                call_command("import_process", str(folder), slug=slug, form=form.slug)
            assert why in capsys.readouterr().err
            assert not ProcessModel.objects.filter(slug=slug).exists()
            return
        call_command("import_process", str(folder), slug=slug, form=form.slug)
    instance = engine.start(case)
    assert instance is not None
    assert instance.version.model.slug == slug
    clerk = MembershipFactory(org_unit=case.org_unit).user
    run_to_the_end(instance, clerk)


def run_to_the_end(instance: ProcessInstance, clerk: Any) -> None:
    """Complete every open task with answers of its form, let timers pass, until the end."""
    later = timezone.now() + datetime.timedelta(days=400)
    for _round in range(50):
        instance.refresh_from_db()
        if instance.status != ProcessInstance.Status.RUNNING:
            break
        open_tasks = list(ProcessTask.objects.filter(instance=instance, status="open"))
        if not open_tasks and not engine.fire_due_timers(now=later):
            break
        for task in open_tasks:
            form = task.instance.version.task_forms.get(task.form_key) or {"schema": {}}
            engine.complete_task(task, clerk, answers_for(form["schema"]))
    assert instance.status == ProcessInstance.Status.COMPLETED, (instance.status, instance.error)
    assert not ProcessTask.objects.filter(instance=instance, status="open").exists()


@pytest.mark.django_db
def test_import_report_names_ignored_vendor_extensions(tmp_path: Path, capsys: Any) -> None:
    folder = model_folder(tmp_path, "spiff-lanes.bpmn")
    with translation.override("en"):
        call_command("import_process", str(folder), slug="multi")
    out = capsys.readouterr().out
    assert "camunda:formData" not in out  # converted into task forms, not ignored
    assert ProcessModel.objects.get(slug="multi").current_version().task_forms["Clarification"][
        "schema"
    ]["properties"] == {
        "NeedClarification": {"type": "boolean"},
        "Clarification": {"type": "string", "maxLength": 2000},
    }
    assert "stored as version 1" in out


@pytest.mark.django_db
def test_import_process_refuses_a_form_that_already_has_a_model(tmp_path: Path) -> None:
    form = FormDefinitionFactory()
    ProcessModelFactory(slug="first", form=form)
    folder = model_folder(tmp_path, "bpmnjs-modeling-api.bpmn")
    with pytest.raises(CommandError, match="already runs the process model 'first'"):
        call_command("import_process", str(folder), slug="second", form=form.slug)
    assert not ProcessModel.objects.filter(slug="second").exists()
    with pytest.raises(CommandError, match=r"process\.bpmn does not exist"):
        call_command("import_process", str(tmp_path / "missing"), slug="third")


def test_lanes_reach_the_tasks_inside_them() -> None:
    run = ModelRun((REAL / "spiff-lanes.bpmn").read_text(encoding="utf-8"), {
        key: task_form(key, {"NeedClarification": "No"})
        for key in ("Feature Request", "Clarification")
    })  # fmt: skip
    [task] = run.workflow.get_tasks(state=TaskState.READY, manual=True)
    assert (task.task_spec.bpmn_id, task.task_spec.lane) == ("Activity_A1", "A")


@pytest.mark.django_db
def test_a_lane_naming_a_unit_or_role_limits_who_completes_the_task() -> None:
    task = ProcessTaskFactory(lane="")
    unit = task.case.org_unit
    other = OrgUnitFactory(authority=unit.authority, name="Ordnungsamt", slug="ordnungsamt")
    clerk = MembershipFactory(org_unit=unit).user
    assert lane_allows(task, clerk)
    task.lane = "ordnungsamt"
    assert not lane_allows(task, clerk)
    assert lane_allows(task, MembershipFactory(org_unit=other).user)
    task.lane = roles.HEAD
    assert not lane_allows(task, clerk)
    assert lane_allows(task, MembershipFactory(org_unit=unit, role=roles.role(roles.HEAD)).user)
    task.lane = "Antragsteller"  # names neither a unit nor a role
    assert lane_allows(task, clerk)
    assert lane_allows(task, UserFactory()) is True


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "why", "notes"), form_expectations())
def test_real_camunda_form(
    name: str, why: str | None, notes: list[str], tmp_path: Path, capsys: Any
) -> None:
    folder, key = one_task_folder(tmp_path, REAL / name)
    slug = re.sub(r"[^a-z0-9-]", "-", Path(name).stem.lower())
    case = CaseFactory(form_version=FormVersionFactory())
    form = case.submission.form_version.definition
    with translation.override("en"):
        if why is not None:
            with pytest.raises(CommandError, match="nothing was stored"):
                call_command("import_process", str(folder), slug=slug, form=form.slug)
            assert why in capsys.readouterr().err
            assert not ProcessModel.objects.filter(slug=slug).exists()
            return
        call_command("import_process", str(folder), slug=slug, form=form.slug)
    out = capsys.readouterr().out
    for note in notes:
        assert note in out
    version = ProcessModel.objects.get(slug=slug).current_version()
    assert key in version.task_forms
    instance = engine.start(case)
    assert instance is not None
    [task] = ProcessTask.objects.filter(instance=instance, status="open")
    assert task.form_key == key
    answers = answers_for(version.task_forms[key]["schema"])
    run_to_the_end(instance, MembershipFactory(org_unit=case.org_unit).user)
    task.refresh_from_db()
    assert task.answers == answers

"""Reading BPMN 2.0 files: what rathaus can execute, and every problem named with its element.

Models come from a standard modeller (bpmn.io, Camunda Modeler) as BPMN 2.0 XML with diagram
information. We execute what SpiffWorkflow executes and we test (ADR 0009, ADR 0031; the list
is in ``docs/processes.md`` and the checks in :mod:`rathaus.processes.bpmn_check`):

* events: plain, timer and message start events; catch, throw and boundary events with timers
  (ISO 8601 literals), messages, errors, escalations and conditions; terminate end events;
* **user tasks** with ``camunda:formKey`` naming a task form of the model (JSON Schema and
  layout as in the citizen forms), or without one (staff confirm them);
* **service tasks** with ``camunda:type="external"`` and ``camunda:topic`` naming a registered
  Python handler; ``camunda:inputParameter`` values are passed to it;
* embedded sub-processes, call activities of the same file, multi-instance activities;
* exclusive, parallel, inclusive and event-based gateways; conditions are Python expressions
  over the process data (without builtins);
* one pool with lanes; script tasks only when ``RATHAUS_PROCESS_SCRIPT_TASKS`` is on.

Anything else (signals, compensation, links, transactions, several pools, …) is refused on
upload with the element (in the file's prefix), its id and its line, instead of failing later
inside a running case. Vendor extensions we do not read become notes (``ParsedModel.notes``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask, UserTask

from rathaus.processes import camunda_forms, formjs
from rathaus.processes.bpmn_check import BPMN, BPMNDI, CAMUNDA, check, executed_process
from rathaus.processes.bpmn_check import local as _local
from rathaus.processes.bpmn_check import where as where_of

ISO_LITERAL = re.compile(
    r"-?P[0-9YMWDTHS.,]+|R[0-9]*/.+|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?"
)


class ModelInvalid(ValueError):
    """The file cannot be used; ``problems`` lists every reason in words for the uploader."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ParsedModel:
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    task_forms: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One element of the model, in diagram order, for the text list beside the diagram."""

    element_id: str
    kind: str
    name: str


# --- SpiffWorkflow parser for our subset ----------------------------------------------------------


class HandlerServiceTask(ServiceTask):
    """A service task that runs the Python handler registered under its topic."""

    def _execute(self, task: Any) -> bool:
        extensions = getattr(self, "extensions", {}) or {}
        task.workflow.script_engine.run_service(
            task, extensions.get("topic", ""), extensions.get("params", {})
        )
        return True


class _ServiceTaskParser(TaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        node = self.node if node is None else node
        params = {
            parameter.get("name", ""): (parameter.text or "").strip()
            for parameter in node.iterfind(
                f"{{{BPMN}}}extensionElements/{{{CAMUNDA}}}inputOutput/{{{CAMUNDA}}}inputParameter"
            )
        }
        return {"topic": node.get(f"{{{CAMUNDA}}}topic", ""), "params": params}


class _UserTaskParser(TaskParser):
    def parse_extensions(self, node: Any = None) -> dict[str, Any]:
        node = self.node if node is None else node
        return {"form": camunda_forms.form_key(node)}


class RathausBpmnParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        full_tag("serviceTask"): (_ServiceTaskParser, HandlerServiceTask),
        full_tag("userTask"): (_UserTaskParser, UserTask),
    }


# --- checks ---------------------------------------------------------------------------------------


def parse(
    xml: bytes | str,
    task_forms: Mapping[str, Any] | None = None,
    *,
    topics: set[str] | None = None,
) -> ParsedModel:
    """Check and parse a BPMN file; raises :class:`ModelInvalid` listing every problem."""
    from rathaus.processes.handlers import service_tasks

    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno or 0
        raise ModelInvalid(
            [_("The file is not valid XML (line %(line)s): %(error)s") % {"line": line,
                                                                          "error": error.msg}]
        ) from None  # fmt: skip
    if root.tag != f"{{{BPMN}}}definitions":
        raise ModelInvalid([_("This is not a BPMN 2.0 file: its root element must be "
                              "<bpmn:definitions>.")])  # fmt: skip
    validator = BpmnValidator().validator
    if not validator.validate(etree.ElementTree(root)):
        raise ModelInvalid(
            [
                _("Line %(line)s does not follow the BPMN 2.0 schema: %(error)s")
                % {"line": entry.line, "error": entry.message}
                for entry in list(validator.error_log)[:20]
            ]
        )
    supplied = dict(task_forms or {})
    generated, form_notes = camunda_forms.converted(root)
    camunda, camunda_notes, form_problems = formjs.converted(root, supplied)
    own = {key: form for key, form in supplied.items() if not formjs.is_formjs(form)}
    task_forms = {**generated, **camunda, **own}  # the model's own forms win
    problems, notes = check(root, task_forms, topics if topics is not None else set(service_tasks))
    problems = form_problems + problems
    notes.extend(form_notes + camunda_notes)
    if problems:
        raise ModelInvalid(problems)
    process, _problems = executed_process(root)
    if process.get("isExecutable") != "true":  # bpmn.io's default; the upload means to run it
        process.set("isExecutable", "true")
        notes.insert(0, _("%(where)s is marked as not executable; rathaus runs it anyway.")
                     % {"where": where_of(process)})  # fmt: skip
    bpmn_parser = RathausBpmnParser()
    try:
        bpmn_parser.add_bpmn_xml(etree.ElementTree(root), filename="model.bpmn")
        spec = bpmn_parser.get_spec(process.get("id"))
        subprocess_specs = bpmn_parser.get_subprocess_specs(process.get("id"))
    except ValidationException as error:
        found = root.find(f'.//*[@id="{error.id}"]') if error.id else None
        line = found.sourceline if found is not None else error.line_number
        where = f' (<{error.tag} id="{error.id}">, line {line})' if error.tag else ""
        raise ModelInvalid([f"{error}{where}"]) from None
    return ParsedModel(
        process_id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        spec=spec,
        subprocess_specs=subprocess_specs,
        steps=steps_of(root, process),
        notes=notes,
        task_forms=task_forms,
    )


KIND_ORDER = ("startEvent", "userTask", "serviceTask", "intermediateCatchEvent", "boundaryEvent",
              "endEvent")  # fmt: skip


def steps_of(root: Any, process: Any) -> list[Step]:
    """The named activities and events of the process, in reading order of the diagram."""
    positions: dict[str, tuple[float, float]] = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        bounds = shape.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds")
        if bounds is not None:
            positions[shape.get("bpmnElement", "")] = (
                float(bounds.get("x", 0)),
                float(bounds.get("y", 0)),
            )
    steps = [
        Step(node.get("id", ""), _local(node.tag), node.get("name") or node.get("id", ""))
        for node in process
        if isinstance(node.tag, str) and _local(node.tag) in KIND_ORDER
    ]
    return sorted(steps, key=lambda step: positions.get(step.element_id, (1e9, 1e9)))

"""Reading BPMN 2.0 files: what rathaus can execute, and every problem named with its element.

Models come from a standard modeller (bpmn.io, Camunda Modeler) as BPMN 2.0 XML with diagram
information. We execute a clearly bounded subset with SpiffWorkflow:

* start and end events, intermediate catch events and boundary events with a **timer**
  (``timeDuration`` or ``timeDate`` as an ISO 8601 literal, as the Camunda Modeler writes it) or a
  **message** (the applicant sent documents, an answer arrived);
* **user tasks** with ``camunda:formKey`` naming a task form of the model (JSON Schema and
  layout as in the citizen forms);
* **service tasks** with ``camunda:type="external"`` and ``camunda:topic`` naming a registered
  Python handler; ``camunda:inputParameter`` values are passed to it;
* exclusive, parallel and event-based gateways; conditions are Python expressions over the
  process data (without builtins);
* script tasks only when ``RATHAUS_PROCESS_SCRIPT_TASKS`` is on.

Anything else (signals, compensation, sub-processes, call activities, …) is refused on upload
with the element, its id and its line, instead of failing later inside a running case.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask, UserTask
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

ISO_LITERAL = re.compile(
    r"-?P[0-9YMWDTHS.,]+|R[0-9]*/.+|\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?"
)

FLOW_NODES = {
    "startEvent",
    "endEvent",
    "userTask",
    "serviceTask",
    "task",
    "manualTask",
    "exclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "boundaryEvent",
    "scriptTask",
}
OTHER_PROCESS_CHILDREN = {
    "sequenceFlow",
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
}
DEFINITIONS_CHILDREN = {"process", "message", "BPMNDiagram", "documentation", "extensionElements",
                        "category", "collaboration"}  # fmt: skip
EVENT_DEFINITIONS = {"timerEventDefinition", "messageEventDefinition"}


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
        return {"form": node.get(f"{{{CAMUNDA}}}formKey", "")}


class RathausBpmnParser(BpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        full_tag("serviceTask"): (_ServiceTaskParser, HandlerServiceTask),
        full_tag("userTask"): (_UserTaskParser, UserTask),
    }


# --- checks ---------------------------------------------------------------------------------------


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _where(node: Any) -> str:
    name = node.get("name")
    label = f'<bpmn:{_local(node.tag)} id="{node.get("id", "")}"'
    if name:
        label += f' name="{name}"'
    return _("%(element)s> in line %(line)s") % {"element": label, "line": node.sourceline}


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
    problems = _check(root, task_forms or {}, topics if topics is not None else set(service_tasks))
    if problems:
        raise ModelInvalid(problems)
    processes = [node for node in root if _local(node.tag) == "process"]
    process = next((p for p in processes if p.get("isExecutable") == "true"), processes[0])
    bpmn_parser = RathausBpmnParser()
    try:
        bpmn_parser.add_bpmn_xml(etree.ElementTree(root), filename="model.bpmn")
        spec = bpmn_parser.get_spec(process.get("id"))
        subprocess_specs = bpmn_parser.get_subprocess_specs(process.get("id"))
    except ValidationException as error:
        where = f' (<{error.tag} id="{error.id}">, line {error.line_number})' if error.tag else ""
        raise ModelInvalid([f"{error}{where}"]) from None
    return ParsedModel(
        process_id=process.get("id", ""),
        name=process.get("name") or process.get("id", ""),
        spec=spec,
        subprocess_specs=subprocess_specs,
        steps=steps_of(root, process),
    )


def _check(root: Any, task_forms: Mapping[str, Any], topics: set[str]) -> list[str]:
    from rathaus.forms.engine import definition_problems

    problems: list[str] = []
    for node in root:
        if isinstance(node.tag, str) and _local(node.tag) not in DEFINITIONS_CHILDREN:
            problems.append(
                _("%(where)s: this element is not supported.") % {"where": _where(node)}
            )
        if _local(node.tag) == "collaboration":
            problems.append(
                _("%(where)s: pools and collaborations are not supported; model one process.")
                % {"where": _where(node)}
            )
    processes = [node for node in root if _local(node.tag) == "process"]
    if not processes:
        problems.append(_("The file contains no process."))
    elif len(processes) > 1:
        problems.append(_("The file contains %(count)s processes; it must contain exactly one.")
                        % {"count": len(processes)})  # fmt: skip
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is None:
        problems.append(
            _("The file has no diagram information (bpmndi:BPMNDiagram). Please save it from a "
              "BPMN modeller such as the Camunda Modeler or bpmn.io.")
        )  # fmt: skip
    messages = {node.get("id"): node.get("name") for node in root if _local(node.tag) == "message"}
    scripts_allowed = settings.RATHAUS_PROCESS_SCRIPT_TASKS
    for process in processes:
        starts = 0
        for node in process:
            if not isinstance(node.tag, str):
                continue
            kind = _local(node.tag)
            where = _where(node)
            if kind not in FLOW_NODES | OTHER_PROCESS_CHILDREN:
                problems.append(_("%(where)s: this element is not supported.") % {"where": where})
                continue
            definitions = [child for child in node if _local(child.tag).endswith("EventDefinition")]
            for definition in definitions:
                if _local(definition.tag) not in EVENT_DEFINITIONS:
                    problems.append(_("%(where)s: the event type %(type)s is not supported.")
                                    % {"where": where, "type": _local(definition.tag)})  # fmt: skip
                elif _local(definition.tag) == "timerEventDefinition":
                    problems.extend(_timer_problems(definition, where))
                elif messages.get(definition.get("messageRef")) is None:
                    problems.append(_("%(where)s: the message event names no message.")
                                    % {"where": where})  # fmt: skip
            if kind == "startEvent":
                starts += 1
                if definitions:
                    problems.append(_("%(where)s: a process starts with a plain start event; "
                                      "timer and message start events are not supported.")
                                    % {"where": where})  # fmt: skip
            elif kind in {"intermediateCatchEvent", "boundaryEvent"} and len(definitions) != 1:
                problems.append(_("%(where)s: the event needs exactly one timer or message.")
                                % {"where": where})  # fmt: skip
            elif kind == "serviceTask":
                topic = node.get(f"{{{CAMUNDA}}}topic", "")
                if not topic:
                    problems.append(
                        _("%(where)s: a service task needs an external topic (camunda:topic) "
                          "naming one of: %(topics)s.")
                        % {"where": where, "topics": ", ".join(sorted(topics))}
                    )  # fmt: skip
                elif topic not in topics:
                    problems.append(
                        _("%(where)s: there is no handler for the topic “%(topic)s”; known "
                          "topics: %(topics)s.")
                        % {"where": where, "topic": topic, "topics": ", ".join(sorted(topics))}
                    )  # fmt: skip
            elif kind == "userTask":
                key = node.get(f"{{{CAMUNDA}}}formKey", "")
                if not key:
                    problems.append(_("%(where)s: a user task needs a form (camunda:formKey).")
                                    % {"where": where})  # fmt: skip
                elif key not in task_forms:
                    problems.append(_("%(where)s: the task form “%(form)s” is not part of the "
                                      "model.") % {"where": where, "form": key})  # fmt: skip
            elif kind == "scriptTask" and not scripts_allowed:
                problems.append(
                    _("%(where)s: script tasks are switched off on this installation "
                      "(RATHAUS_PROCESS_SCRIPT_TASKS).") % {"where": where}
                )  # fmt: skip
            elif kind == "sequenceFlow":
                condition = node.find(f"{{{BPMN}}}conditionExpression")
                if condition is not None and (condition.text or "").strip():
                    try:
                        ast.parse((condition.text or "").strip(), mode="eval")
                    except SyntaxError as error:
                        problems.append(
                            _("%(where)s: the condition is not a valid expression (%(error)s).")
                            % {"where": where, "error": error.msg}
                        )
        if starts != 1:
            problems.append(_("The process needs exactly one start event; it has %(count)s.")
                            % {"count": starts})  # fmt: skip
    for key, definition in task_forms.items():
        form_problems = _form_problems(definition, definition_problems)
        problems.extend(
            _("Task form “%(form)s”: %(problem)s") % {"form": key, "problem": problem}
            for problem in form_problems
        )
    return problems


def _form_problems(definition: Any, definition_problems: Any) -> list[str]:
    if not isinstance(definition, Mapping) or not isinstance(definition.get("schema"), Mapping):
        return [_("it needs a “schema” and a “layout”.")]
    layout = definition.get("layout")
    if not isinstance(layout, Mapping) or len(layout.get("steps") or []) != 1:
        return [_("the layout of a task form has exactly one step.")]
    problems: list[str] = definition_problems(definition["schema"], layout)
    return problems


def _timer_problems(definition: Any, where: str) -> list[str]:
    children = [child for child in definition if isinstance(child.tag, str)]
    if len(children) != 1 or _local(children[0].tag) not in {"timeDuration", "timeDate"}:
        return [_("%(where)s: a timer needs a duration (timeDuration) or a date (timeDate).")
                % {"where": where}]  # fmt: skip
    text = (children[0].text or "").strip()
    try:
        if _local(children[0].tag) == "timeDuration":
            TimerEventDefinition.parse_iso_duration(text)
        else:
            TimerEventDefinition.get_datetime(text)
    except Exception:
        return [_("%(where)s: “%(value)s” is not an ISO 8601 duration or date, such as P14D.")
                % {"where": where, "value": text}]  # fmt: skip
    return []


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

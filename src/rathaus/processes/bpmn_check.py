"""Which BPMN elements rathaus executes, checked element by element before SpiffWorkflow parses.

Every problem names the element as the file writes it (``<bpmn2:userTask id=…>``, whatever the
file's prefix), its id and its line. Vendor extensions that do not change how the process runs
(Camunda and Zeebe attributes and extension elements we do not read) are not problems; they are
listed as notes for the import report.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
VENDOR_NAMESPACES = {
    CAMUNDA: "camunda",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://camunda.org/schema/modeler/1.0": "modeler",
}

ACTIVITIES = {"userTask", "serviceTask", "task", "manualTask", "scriptTask", "receiveTask",
              "sendTask", "subProcess", "callActivity"}  # fmt: skip
FLOW_NODES = ACTIVITIES | {
    "startEvent",
    "endEvent",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
OTHER_PROCESS_CHILDREN = {"sequenceFlow", "documentation", "extensionElements", "laneSet",
                          "textAnnotation", "association", "group", "dataObject",
                          "dataObjectReference", "dataStoreReference", "property",
                          "ioSpecification", "incoming", "outgoing"}  # fmt: skip
DEFINITIONS_CHILDREN = {"process", "message", "error", "escalation", "BPMNDiagram",
                        "documentation", "extensionElements", "category", "collaboration",
                        "dataStore"}  # fmt: skip
# The event definitions each kind of event may carry (an empty tuple: a plain event).
ALLOWED_EVENTS = {
    "startEvent": {"timerEventDefinition", "messageEventDefinition"},
    "endEvent": {
        "terminateEventDefinition",
        "errorEventDefinition",
        "messageEventDefinition",
        "escalationEventDefinition",
    },
    "intermediateCatchEvent": {
        "timerEventDefinition",
        "messageEventDefinition",
        "conditionalEventDefinition",
    },
    "intermediateThrowEvent": {"messageEventDefinition", "escalationEventDefinition"},
    "boundaryEvent": {
        "timerEventDefinition",
        "messageEventDefinition",
        "errorEventDefinition",
        "conditionalEventDefinition",
        "escalationEventDefinition",
    },
}
NEEDS_DEFINITION = {"intermediateCatchEvent", "boundaryEvent"}
READ_EXTENSIONS = {("serviceTask", "type"), ("serviceTask", "topic"), ("userTask", "formKey"),
                   ("serviceTask", "inputOutput"), ("userTask", "formData"),
                   ("userTask", "formRef"), ("userTask", "formDefinition"),
                   ("process", "userTaskForm")}  # fmt: skip


def local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def where(node: Any) -> str:
    """``<bpmn2:userTask id="…" name="…"> in line 12``, with the prefix the file uses."""
    prefix = f"{node.prefix}:" if node.prefix else ""
    label = f'<{prefix}{local(node.tag)} id="{node.get("id", "")}"'
    if node.get("name"):
        label += f' name="{node.get("name")}"'
    return _("%(element)s> in line %(line)s") % {"element": label, "line": node.sourceline}


def executed_process(root: Any) -> tuple[Any, list[str]]:
    """The process the file runs (the pool's, else the executable one) and the problems of
    its collaboration and processes."""
    problems: list[str] = []
    processes = {node.get("id"): node for node in root if local(node.tag) == "process"}
    pools = [
        participant
        for collaboration in root
        if local(collaboration.tag) == "collaboration"
        for participant in collaboration
        if local(participant.tag) == "participant"
    ]
    if not processes:
        return None, [_("The file contains no process.")]
    if len(pools) > 1:
        problems.append(
            _("The collaboration has %(count)s pools (%(names)s); model one pool with its lanes.")
            % {"count": len(pools),
               "names": ", ".join(p.get("name") or p.get("id", "") for p in pools)}
        )  # fmt: skip
    chosen = processes.get(pools[0].get("processRef")) if pools else None
    if chosen is None:
        values = list(processes.values())
        chosen = next((p for p in values if p.get("isExecutable") == "true"), values[0])
    called = {node.get("calledElement") for node in chosen.iter(f"{{{BPMN}}}callActivity")}
    for process_id, process in processes.items():
        if process is not chosen and process_id not in called and len(pools) <= 1:
            problems.append(
                _("%(where)s: the file may contain one process and the processes its call "
                  "activities call; this one is not called.") % {"where": where(process)}
            )  # fmt: skip
    return chosen, problems


def check(
    root: Any, task_forms: Mapping[str, Any], topics: set[str]
) -> tuple[list[str], list[str]]:
    """(problems, notes) of a parsed BPMN document."""
    problems: list[str] = []
    for node in root:
        bpmn = isinstance(node.tag, str) and node.tag.startswith(f"{{{BPMN}}}")
        if bpmn and local(node.tag) not in DEFINITIONS_CHILDREN:
            problems.append(_("%(where)s: this element is not supported.") % {"where": where(node)})
    process, process_problems = executed_process(root)
    problems.extend(process_problems)
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is None:
        problems.append(
            _("The file has no diagram information (bpmndi:BPMNDiagram). Please save it from a "
              "BPMN modeller such as the Camunda Modeler or bpmn.io.")
        )  # fmt: skip
    if process is None:
        return problems, []
    messages = {node.get("id"): node.get("name") for node in root if local(node.tag) == "message"}
    scopes = [process] + [
        root.find(f'{{{BPMN}}}process[@id="{node.get("calledElement")}"]')
        for node in process.iter(f"{{{BPMN}}}callActivity")
    ]
    for scope in scopes:
        if scope is None:
            continue
        problems.extend(_check_scope(scope, scope is process, messages, task_forms, topics))
    problems.extend(_call_problems(root, process))
    problems.extend(_unknown_names(root, process, task_forms))
    for key, definition in task_forms.items():
        problems.extend(
            _("Task form “%(form)s”: %(problem)s") % {"form": key, "problem": problem}
            for problem in _form_problems(definition)
        )
    return problems, vendor_notes(root)


CASE_DATA = {"answers", "service", "unit", "has_account", "trust_level", "True", "False", "None",
             "len", "min", "max", "sum", "any", "all", "abs", "round", "str", "int", "bool",
             "sorted"}  # fmt: skip
SETS_DATA = {"scriptTask", "serviceTask", "receiveTask", "messageEventDefinition"}


def _unknown_names(root: Any, process: Any, task_forms: Mapping[str, Any]) -> list[str]:
    """Conditions that read names no case data and no task form provides (unless a script,
    a handler or a message may set process data)."""
    if any(local(node.tag) in SETS_DATA for node in root.iter()):
        return []
    known = set(CASE_DATA)
    for definition in task_forms.values():
        schema = definition.get("schema") if isinstance(definition, Mapping) else None
        if isinstance(schema, Mapping) and isinstance(schema.get("properties"), Mapping):
            known.update(schema["properties"])
    for node in root.iter():
        if local(node.tag) in {"inputDataItem", "outputDataItem", "dataObject"}:
            known.update(filter(None, (node.get("id"), node.get("name"))))
    problems = []
    for node in root.iter(f"{{{BPMN}}}conditionExpression", f"{{{BPMN}}}condition"):
        try:
            tree = ast.parse((node.text or "").strip() or "True", mode="eval")
        except SyntaxError:
            continue  # reported as an invalid expression
        names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - known)
        if names:
            owner = node.getparent()
            owner = owner.getparent() if local(owner.tag).endswith("EventDefinition") else owner
            problems.append(
                _("%(where)s: the condition reads %(names)s, which neither the case data "
                  "(answers, service, unit, has_account, trust_level) nor a task form of the "
                  "model provides.") % {"where": where(owner), "names": ", ".join(names)}
            )  # fmt: skip
    return problems


def _call_problems(root: Any, process: Any) -> list[str]:
    ids = {node.get("id") for node in root if local(node.tag) == "process"}
    return [
        _("%(where)s: the called process “%(called)s” is not in this file.")
        % {"where": where(node), "called": node.get("calledElement", "")}
        for node in process.iter(f"{{{BPMN}}}callActivity")
        if node.get("calledElement") not in ids
    ]


def _check_scope(scope: Any, top: bool, messages: Mapping[str, Any],
                 task_forms: Mapping[str, Any], topics: set[str]) -> list[str]:  # fmt: skip
    problems: list[str] = []
    starts = 0
    for node in scope:
        if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{BPMN}}}"):
            continue
        kind = local(node.tag)
        if kind not in FLOW_NODES | OTHER_PROCESS_CHILDREN:
            problems.append(_("%(where)s: this element is not supported.") % {"where": where(node)})
            continue
        if kind == "startEvent":
            starts += 1
        problems.extend(_node_problems(node, kind, top, messages, task_forms, topics))
        if kind == "subProcess":
            if node.get("triggeredByEvent") == "true":
                problems.append(_("%(where)s: event sub-processes are not supported.")
                                % {"where": where(node)})  # fmt: skip
            else:
                problems.extend(_check_scope(node, False, messages, task_forms, topics))
    if starts != 1:
        problems.append(
            _("%(where)s needs exactly one start event; it has %(count)s.")
            % {"where": where(scope), "count": starts}
        )
    return problems


def _node_problems(node: Any, kind: str, top: bool, messages: Mapping[str, Any],
                   task_forms: Mapping[str, Any], topics: set[str]) -> list[str]:  # fmt: skip
    from rathaus.processes import camunda_forms

    here = where(node)
    problems = _event_problems(node, kind, top, messages) if kind in ALLOWED_EVENTS else []
    output = node.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics/{{{BPMN}}}outputDataItem")
    if output is not None and not (kind == "userTask" and camunda_forms.form_key(node)):
        problems.append(
            _("%(where)s: each instance must give an output item (outputDataItem), which only "
              "a user task with a form can do.") % {"where": here}
        )  # fmt: skip
    loop = [child for child in node if local(child.tag) == "standardLoopCharacteristics"]
    if loop:
        problems.append(_("%(where)s: loops are not supported; use a multi-instance task or a "
                          "gateway.") % {"where": here})  # fmt: skip
    if kind == "serviceTask":
        topic = node.get(f"{{{CAMUNDA}}}topic", "")
        if not topic:
            problems.append(
                _("%(where)s: a service task needs an external topic (camunda:topic) "
                  "naming one of: %(topics)s.")
                % {"where": here, "topics": ", ".join(sorted(topics))}
            )  # fmt: skip
        elif topic not in topics:
            problems.append(
                _("%(where)s: there is no handler for the topic “%(topic)s”; known "
                  "topics: %(topics)s.")
                % {"where": here, "topic": topic, "topics": ", ".join(sorted(topics))}
            )  # fmt: skip
    elif kind == "userTask":
        key = camunda_forms.form_key(node)
        if key and key not in task_forms:
            problems.append(_("%(where)s: the task form “%(form)s” is not part of the "
                              "model.") % {"where": here, "form": key})  # fmt: skip
    elif kind == "scriptTask" and not settings.RATHAUS_PROCESS_SCRIPT_TASKS:
        problems.append(
            _("%(where)s: script tasks are switched off on this installation "
              "(RATHAUS_PROCESS_SCRIPT_TASKS).") % {"where": here}
        )  # fmt: skip
    elif kind in {"sendTask", "receiveTask"} and messages.get(node.get("messageRef")) is None:
        problems.append(_("%(where)s: the task names no message.") % {"where": here})
    elif kind == "sequenceFlow":
        problems.extend(_expression_problems(node.find(f"{{{BPMN}}}conditionExpression"), here))
    return problems


def _event_problems(node: Any, kind: str, top: bool, messages: Mapping[str, Any]) -> list[str]:
    here = where(node)
    problems: list[str] = []
    definitions = [child for child in node if local(child.tag).endswith("EventDefinition")]
    allowed = ALLOWED_EVENTS[kind] if kind != "startEvent" or top else set()
    for definition in definitions:
        name = local(definition.tag)
        if name not in allowed:
            problems.append(_("%(where)s: the event type %(type)s is not supported here.")
                            % {"where": here, "type": name})  # fmt: skip
        elif name == "timerEventDefinition":
            problems.extend(_timer_problems(definition, here, cycle=kind == "startEvent"))
        elif name == "messageEventDefinition" and not messages.get(definition.get("messageRef")):
            problems.append(_("%(where)s: the message event names no message.")
                            % {"where": here})  # fmt: skip
        elif name == "conditionalEventDefinition":
            condition = definition.find(f"{{{BPMN}}}condition")
            if condition is None or not (condition.text or "").strip():
                problems.append(_("%(where)s: the conditional event has no condition.")
                                % {"where": here})  # fmt: skip
            problems.extend(_expression_problems(condition, here))
    if len(definitions) > 1:
        problems.append(_("%(where)s: events with several triggers are not supported.")
                        % {"where": here})  # fmt: skip
    elif kind in NEEDS_DEFINITION and not definitions:
        problems.append(_("%(where)s: the event needs a trigger (a timer, a message, an error "
                          "or a condition).") % {"where": here})  # fmt: skip
    return problems


def _expression_problems(node: Any, here: str) -> list[str]:
    text = (node.text or "").strip() if node is not None else ""
    if not text:
        return []
    try:
        ast.parse(text, mode="eval")
    except SyntaxError as error:
        return [_("%(where)s: the condition is not a valid expression (%(error)s).")
                % {"where": here, "error": error.msg}]  # fmt: skip
    return []


def _form_problems(definition: Any) -> list[str]:
    from rathaus.forms.engine import definition_problems

    if not isinstance(definition, Mapping) or not isinstance(definition.get("schema"), Mapping):
        return [_("it needs a “schema” and a “layout”.")]
    layout = definition.get("layout")
    if not isinstance(layout, Mapping) or len(layout.get("steps") or []) != 1:
        return [_("the layout of a task form has exactly one step.")]
    problems: list[str] = definition_problems(definition["schema"], layout)
    return problems


def _timer_problems(definition: Any, here: str, *, cycle: bool) -> list[str]:
    children = [child for child in definition if isinstance(child.tag, str)]
    kinds = {"timeDuration", "timeDate"} | ({"timeCycle"} if cycle else set())
    if len(children) != 1 or local(children[0].tag) not in kinds:
        return [_("%(where)s: a timer needs a duration (timeDuration) or a date (timeDate).")
                % {"where": here}]  # fmt: skip
    text = (children[0].text or "").strip().strip("'\"")
    try:
        if local(children[0].tag) == "timeDuration":
            TimerEventDefinition.parse_iso_duration(text)
        elif local(children[0].tag) == "timeCycle":
            TimerEventDefinition.parse_iso_recurring_interval(text)
        else:
            TimerEventDefinition.get_datetime(text)
    except Exception:
        return [_("%(where)s: “%(value)s” is not an ISO 8601 duration or date, such as P14D.")
                % {"where": here, "value": text}]  # fmt: skip
    return []


def vendor_notes(root: Any) -> list[str]:
    """Camunda and Zeebe attributes and extension elements that rathaus does not read."""
    seen: dict[str, int] = {}
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        owner = local(node.getparent().getparent().tag) if _is_extension(node) else ""
        for name in node.attrib:
            qname = etree.QName(name)
            prefix = VENDOR_NAMESPACES.get(qname.namespace or "")
            if prefix and (local(node.tag), qname.localname) not in READ_EXTENSIONS:
                key = f"{prefix}:{qname.localname}"
                seen[key] = seen.get(key, 0) + 1
        prefix = VENDOR_NAMESPACES.get(etree.QName(node.tag).namespace or "")
        if owner and prefix and (owner, local(node.tag)) not in READ_EXTENSIONS:
            key = f"{prefix}:{local(node.tag)}"
            seen[key] = seen.get(key, 0) + 1
    return [
        _("%(name)s (%(count)s×) is ignored: it does not change how the process runs here.")
        % {"name": name, "count": count}
        for name, count in sorted(seen.items())
    ]


def _is_extension(node: Any) -> bool:
    parent = node.getparent()
    return (
        parent is not None
        and local(parent.tag) == "extensionElements"
        and (parent.getparent() is not None)
    )

"""Running a case's process: SpiffWorkflow called from our service layer.

Every change of a process goes through :func:`_advance` inside a transaction that holds the
instance's row lock (``SELECT … FOR UPDATE``; on SQLite the write lock of ``BEGIN IMMEDIATE``):
load the engine state, apply one thing (start, a completed task, a message, due timers, a retry),
run the engine until it waits for people, messages or time, then store the state and mirror the
open user tasks as :class:`ProcessTask` rows. Service task handlers run inside a savepoint of
that transaction; messages and e-mails they send leave after the commit.

A handler that fails leaves its task in the engine's ERROR state: the instance is marked failed
with the error, the case page shows it and a clerk can retry the task; nothing is lost.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from rathaus.core import audit, tenancy
from rathaus.processes import handlers
from rathaus.processes.bpmn import ISO_LITERAL, HandlerServiceTask, parse
from rathaus.processes.models import ProcessInstance, ProcessModel, ProcessTask, ProcessVersion

logger = logging.getLogger(__name__)

SAFE_BUILTINS: dict[str, Any] = {
    name: getattr(builtins, name)
    for name in (
        "len",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "abs",
        "round",
        "str",
        "int",
        "bool",
        "sorted",
        "True",
        "False",
        "None",
    )
}

_SERIALIZER = BpmnWorkflowSerializer(
    BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, HandlerServiceTask: BpmnTaskSpecConverter})
)


class TaskRefused(Exception):
    """The task cannot be completed now; the message (German, for staff) says why."""


class TaskFormInvalid(Exception):
    """The answers do not fit the task form; ``errors`` maps field paths to messages."""

    def __init__(self, errors: dict[str, list[str]], answers: dict[str, Any]) -> None:
        super().__init__("invalid answers")
        self.errors = errors
        self.answers = answers


class ScriptEngine(PythonScriptEngine):
    """Conditions see the process data without Python's builtins; timers take ISO literals;
    script tasks run only when the installation allows them; service tasks call handlers."""

    def __init__(self, actor: Any, case: Any) -> None:
        super().__init__(environment=TaskDataEnvironment({"__builtins__": SAFE_BUILTINS}))
        self.actor = actor
        self.case = case

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        text = expression.strip()
        if ISO_LITERAL.fullmatch(text):
            return text
        return super().evaluate(task, expression, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        if not settings.RATHAUS_PROCESS_SCRIPT_TASKS:
            raise handlers.HandlerFailed(_("Script tasks are switched off on this installation."))
        return super().execute(task, script, external_context)

    def run_service(self, task: Any, topic: str, params: Mapping[str, str]) -> None:
        context = handlers.Context(case=self.case, actor=self.actor, params=dict(params),
                                   data=task.data,
                                   portal_url=tenancy.portal_url(self.case.authority))  # fmt: skip
        with transaction.atomic():  # a savepoint: a failing handler leaves no trace
            handlers.run(topic, context)
        from rathaus.cases.services import record_event

        record_event(self.case, "process_step", user=self.actor,
                     new=task.task_spec.bpmn_name or topic,
                     detail={"element": task.task_spec.bpmn_id, "topic": topic})  # fmt: skip


# --- models and versions -------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parsed(version_pk: int) -> Any:
    version = ProcessVersion.objects.get(pk=version_pk)
    return parse(version.bpmn_xml, version.task_forms)


def model_for(case: Any) -> ProcessVersion | None:
    """The process a new case runs: its form's own model, else the default model."""
    form_id = None
    if case.submission is not None:
        form_id = case.submission.form_version.definition_id
    model = None
    if form_id is not None:
        model = ProcessModel.objects.filter(form_id=form_id).first()
    if model is None:
        model = ProcessModel.objects.filter(is_default=True).first()
    return model.current_version() if model is not None else None


def task_form(task: ProcessTask) -> Any:
    """The FormSpec of a task's form (from the pinned version)."""
    from rathaus.forms.engine import FormSpec

    definition = task.instance.version.task_forms.get(task.form_key) if task.form_key else None
    if not definition:  # a task without a form: staff confirm that it is done
        return FormSpec(
            {"type": "object", "additionalProperties": False, "properties": {}},
            {"steps": [{"id": "done", "title": task.title, "elements": []}]},
        )
    return FormSpec(definition.get("schema", {}), definition.get("layout", {"steps": []}))


# --- state ---------------------------------------------------------------------------------------


def _load(instance: ProcessInstance, engine: ScriptEngine) -> BpmnWorkflow:
    workflow = _SERIALIZER.deserialize_json(instance.state)
    workflow.script_engine = engine
    return workflow


def _initial_data(case: Any) -> dict[str, Any]:
    from rathaus.payments.applications import open_for_submission

    submission = case.submission
    return {
        "answers": submission.data if submission is not None else {},
        "service": submission.form_version.title if submission is not None else case.title,
        "unit": case.org_unit.slug,
        "has_account": case.applicant_id is not None,
        "trust_level": submission.trust_level if submission is not None else "",
        "payment_open": submission is not None and open_for_submission(submission),
    }


def start(case: Any, *, actor: Any = None) -> ProcessInstance | None:
    """Start the case's process (in the transaction that opened the case)."""
    version = model_for(case)
    if version is None:
        return None
    parsed = _parsed(version.pk)
    engine = ScriptEngine(actor, case)
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=engine)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.set_data(**_initial_data(case))
    now = timezone.now()
    instance = ProcessInstance.objects.create(
        case=case, version=version, state="", started_at=now, updated_at=now
    )
    from rathaus.cases.services import record_event

    record_event(case, "process_started", new=parsed.name, detail={"version": version.number})
    _advance(instance, workflow, engine)
    return instance


def _advance(instance: ProcessInstance, workflow: BpmnWorkflow, engine: ScriptEngine) -> None:
    """Run the engine until it waits, then store its state and the open tasks."""
    error, error_task = "", ""
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except Exception as exc:
        failed = workflow.get_tasks(state=TaskState.ERROR)
        error_task = failed[0].task_spec.bpmn_name or failed[0].task_spec.bpmn_id if failed else ""
        if isinstance(exc, handlers.HandlerFailed):
            error = str(exc)
        else:
            logger.exception("process step failed in case %s", instance.case.number)
            error = _("Unexpected error: %(error)s") % {"error": exc}
    now = timezone.now()
    instance.state = _SERIALIZER.serialize_json(workflow)
    if error:
        instance.status = ProcessInstance.Status.FAILED
    elif workflow.is_completed():
        instance.status = ProcessInstance.Status.COMPLETED
    else:
        instance.status = ProcessInstance.Status.RUNNING
    instance.error, instance.error_task = error, error_task[:200]
    timers, messages = pending_events(workflow)
    instance.next_timer_at = min(timers) if timers else None
    instance.waiting_for = sorted(set(messages))
    instance.updated_at = now
    instance.save()
    if error:
        from rathaus.cases.services import record_event

        record_event(instance.case, "process_failed", new=error_task, detail={"error": error})
    _sync_tasks(instance, workflow, now)


def _sync_tasks(instance: ProcessInstance, workflow: BpmnWorkflow, now: Any) -> None:
    ready = {task.id: task for task in workflow.get_tasks(state=TaskState.READY, manual=True)}
    known = set(
        ProcessTask.objects.filter(instance=instance, engine_task_id__in=list(ready)).values_list(
            "engine_task_id", flat=True
        )
    )
    for task_id, task in ready.items():
        if task_id not in known:
            extensions = getattr(task.task_spec, "extensions", {}) or {}
            ProcessTask.objects.create(
                instance=instance, case=instance.case, engine_task_id=task_id,
                element_id=task.task_spec.bpmn_id or "", form_key=extensions.get("form", ""),
                lane=(getattr(task.task_spec, "lane", None) or "")[:200],
                title=(task.task_spec.bpmn_name or task.task_spec.bpmn_id or "")[:200],
                created_at=now,
            )  # fmt: skip
    ProcessTask.objects.filter(instance=instance, status=ProcessTask.Status.OPEN).exclude(
        engine_task_id__in=list(ready)
    ).update(status=ProcessTask.Status.CANCELLED, completed_at=now)


def _event_parts(task: Any) -> list[Any]:
    """The event definitions a waiting task listens for (an event-based gateway has several)."""
    definition = task.task_spec.event_definition
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition]


def pending_events(workflow: BpmnWorkflow) -> tuple[list[Any], list[str]]:
    """When the waiting timers fire, and which messages the process waits for."""
    timers: list[Any] = []
    messages: list[str] = []
    for task in list(workflow.event_manager.tasks.values()):
        for part in _event_parts(task):
            if isinstance(part, MessageEventDefinition):
                messages.append(part.name)
            elif isinstance(part, TimerEventDefinition):
                value = task._get_internal_data("event_value")
                if isinstance(value, str):
                    timers.append(TimerEventDefinition.get_datetime(value))
    return timers, messages


def waiting_timer_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The engine tasks that wait for a timer (directly or in an event-based gateway)."""
    return [
        task
        for task in list(workflow.event_manager.tasks.values())
        if any(isinstance(part, TimerEventDefinition) for part in _event_parts(task))
    ]


def _locked_instance(pk: int) -> ProcessInstance:
    # Only the instance's row: the case and its unit are read along, not locked, so process steps
    # of different cases in one unit do not wait for each other.
    return (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("case__org_unit")
        .get(pk=pk)
    )


# --- what moves a process ------------------------------------------------------------------------


def complete_task(task: ProcessTask, user: Any, answers: Mapping[str, Any]) -> ProcessTask:
    """Complete a staff task with the answers to its form; of two at once, one wins.

    Raises ``PermissionError`` if the case is not in the user's units, :class:`TaskRefused` if
    the task is done, cancelled or someone else works on the case, :class:`TaskFormInvalid`.
    """
    from rathaus.cases.access import visible_cases
    from rathaus.cases.services import record_event

    if not visible_cases(user).filter(pk=task.case_id).exists():
        raise PermissionError("not the user's case")
    if ProcessTask.objects.filter(pk=task.pk).exclude(status=ProcessTask.Status.OPEN).exists():
        _refuse_closed(task.pk)
    if not lane_allows(task, user):
        raise TaskRefused(
            _("This task lies in the lane “%(lane)s”: only members of that unit or role can "
              "complete it.") % {"lane": task.lane}
        )  # fmt: skip
    spec = task_form(task)
    data = spec.prune(dict(answers))
    errors = spec.errors(data)
    if errors:
        raise TaskFormInvalid(errors, data)
    with transaction.atomic(), audit.deferred():
        instance = _locked_instance(task.instance_id)
        case = instance.case
        if ProcessTask.objects.filter(pk=task.pk).exclude(status=ProcessTask.Status.OPEN).exists():
            _refuse_closed(task.pk)
        if case.assignee is not None and case.assignee_id != user.pk:
            raise TaskRefused(
                _("%(name)s works on this case; only they can complete its tasks.")
                % {"name": case.assignee.get_full_name() or case.assignee.get_username()}
            )
        now = timezone.now()
        won = ProcessTask.objects.filter(pk=task.pk, status=ProcessTask.Status.OPEN).update(
            status=ProcessTask.Status.COMPLETED, completed_at=now, completed_by=user, answers=data
        )
        if not won:
            _refuse_closed(task.pk)
        engine = ScriptEngine(user, case)
        workflow = _load(instance, engine)
        engine_task = workflow.get_task_from_id(task.engine_task_id)
        if engine_task is None or engine_task.state != TaskState.READY:
            raise TaskRefused(_("This task is no longer open."))
        engine_task.set_data(**data)
        engine_task.run()
        record_event(case, "task_completed", user=user, new=task.title,
                     detail={"task": str(task.pk), "answers": data})  # fmt: skip
        if case.assignee_id is None:  # whoever completes a task of an unassigned case takes it
            from rathaus.cases.services import take_over

            take_over(case, user)
        _advance(instance, workflow, engine)
    task.refresh_from_db()
    return task


def lane_allows(task: ProcessTask, user: Any) -> bool:
    """Whether the task's lane lets this user complete it (ADR 0031; the rule is
    :mod:`rathaus.core.lanes`, which the task list and the task page use too)."""
    from rathaus.core.lanes import lane_rule

    authority_id = task.case.org_unit.authority_id
    return lane_rule(user, [authority_id]).allows(task.lane, authority_id)


def _refuse_closed(task_pk: Any) -> None:
    current = ProcessTask.objects.select_related("completed_by").get(pk=task_pk)
    if current.status == ProcessTask.Status.COMPLETED and current.completed_by:
        who = current.completed_by.get_full_name() or current.completed_by.get_username()
        raise TaskRefused(_("%(name)s has completed this task in the meantime.") % {"name": who})
    raise TaskRefused(_("This task is no longer open."))


def deliver_message(case: Any, name: str, payload: Mapping[str, Any] | None = None, *,
                    actor: Any = None) -> bool:  # fmt: skip
    """Give the process a message it may wait for; False if it does not wait for it."""
    instance = ProcessInstance.objects.filter(case=case).first()
    if instance is None or name not in instance.waiting_for:
        return False
    with transaction.atomic(), audit.deferred():
        instance = _locked_instance(instance.pk)
        if name not in instance.waiting_for:
            return False
        engine = ScriptEngine(actor, instance.case)
        workflow = _load(instance, engine)
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), dict(payload or {})))
        _advance(instance, workflow, engine)
    return True


def retry(instance: ProcessInstance, user: Any) -> ProcessInstance:
    """Run a failed step again (after the cause was fixed)."""
    from rathaus.cases.access import visible_cases
    from rathaus.cases.services import record_event

    if not visible_cases(user).filter(pk=instance.case_id).exists():
        raise PermissionError("not the user's case")
    with transaction.atomic(), audit.deferred():
        locked = _locked_instance(instance.pk)
        if locked.status != ProcessInstance.Status.FAILED:
            raise TaskRefused(_("The process has no failed step."))
        engine = ScriptEngine(user, locked.case)
        workflow = _load(locked, engine)
        for task in workflow.get_tasks(state=TaskState.ERROR):
            task._set_state(TaskState.READY)
        record_event(locked.case, "process_retried", user=user, new=locked.error_task)
        _advance(locked, workflow, engine)
    return locked


def cancel(case: Any, actor: Any) -> bool:
    """End the process of a case closed by hand; its open tasks are cancelled."""
    from rathaus.cases.services import record_event

    instance = ProcessInstance.objects.filter(case=case).first()
    if instance is None:
        return False
    with transaction.atomic(), audit.deferred():
        locked = _locked_instance(instance.pk)
        if locked.status in (ProcessInstance.Status.COMPLETED, ProcessInstance.Status.CANCELLED):
            return False
        workflow = _load(locked, ScriptEngine(actor, locked.case))
        workflow.cancel()
        now = timezone.now()
        locked.state = _SERIALIZER.serialize_json(workflow)
        locked.status = ProcessInstance.Status.CANCELLED
        locked.next_timer_at, locked.waiting_for, locked.updated_at = None, [], now
        locked.save()
        ProcessTask.objects.filter(instance=locked, status=ProcessTask.Status.OPEN).update(
            status=ProcessTask.Status.CANCELLED, completed_at=now
        )
        record_event(locked.case, "process_cancelled", user=actor)
    return True


def fire_due_timers(now: Any = None, limit: int = 200) -> int:
    """Advance processes whose timers are due (run by the worker every minute)."""
    moment = now or timezone.now()
    due = list(
        ProcessInstance.objects.filter(
            next_timer_at__lte=moment, status=ProcessInstance.Status.RUNNING
        )
        .order_by("next_timer_at")
        .values_list("pk", flat=True)[:limit]
    )
    fired = 0
    for pk in due:
        with transaction.atomic(), audit.deferred():
            query = ProcessInstance.objects.select_for_update(
                skip_locked=connection.features.has_select_for_update_skip_locked
            ).filter(pk=pk, next_timer_at__lte=moment, status=ProcessInstance.Status.RUNNING)
            instance = query.select_related("case__org_unit").first()
            if instance is None:
                continue
            engine = ScriptEngine(None, instance.case)
            _advance(instance, _load(instance, engine), engine)
            fired += 1
    return fired


def element_states(instance: ProcessInstance) -> tuple[set[str], set[str]]:
    """BPMN ids where the process stands now (open tasks, waiting events, a failed step), and
    the ids it has passed; read from one copy of the engine state."""
    workflow = _SERIALIZER.deserialize_json(instance.state)
    now = TaskState.READY | TaskState.WAITING | TaskState.ERROR | TaskState.STARTED
    current = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=now) if t.task_spec.bpmn_id}
    done = {
        t.task_spec.bpmn_id
        for t in workflow.get_tasks(state=TaskState.COMPLETED)
        if t.task_spec.bpmn_id
    }
    return current, done

"""Testing a BPMN model as a unit: given case data and task answers, which path does it take?

    run = ModelRun.from_directory(path, data={"answers": {...}})
    run.complete("Task_CheckCompleteness", complete=False, missing_documents="Ausweis")
    assert run.services == [("request_documents", {})]
    run.message("documents_received")
    run.wait(days=14)   # lets due timers fire
    assert run.open_tasks == ["Task_CheckCompleteness"]

The run uses the real parser, checks and script engine of rathaus, and the task forms check the
answers as they would on the case page; service tasks are recorded instead of run, so a model
can be tested without a database.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from rathaus.processes.bpmn import parse
from rathaus.processes.engine import ScriptEngine, pending_events, waiting_timer_tasks
from rathaus.processes.packages import read_directory


class _RecordingEngine(ScriptEngine):
    def __init__(self, run: ModelRun) -> None:
        super().__init__(None, None)
        self.run = run

    def run_service(self, task: Any, topic: str, params: Any) -> None:
        self.run.services.append((topic, dict(params)))
        failure = self.run.failures.get(topic)
        if failure is not None:
            raise failure


START_DEFAULTS: dict[str, Any] = {"payment_open": False}
"""Start data the engine always sets (``processes.engine._initial_data``), so that a model's
conditions find it in a test too."""


class ModelRun:
    def __init__(self, bpmn: str, forms: dict[str, Any], data: dict[str, Any] | None = None):
        self.parsed = parse(bpmn, forms)
        self.forms = forms
        self.path: list[str] = []
        self.services: list[tuple[str, dict[str, str]]] = []
        self.failures: dict[str, Exception] = {}
        self.workflow = BpmnWorkflow(
            self.parsed.spec, self.parsed.subprocess_specs, script_engine=_RecordingEngine(self)
        )
        for task in self.workflow.get_tasks(state=TaskState.READY):
            task.set_data(**{**START_DEFAULTS, **(data or {})})
        self._step()

    @classmethod
    def from_directory(cls, directory: Path, data: dict[str, Any] | None = None) -> ModelRun:
        bpmn, forms = read_directory(directory)
        return cls(bpmn, forms, data)

    def _done(self, task: Any) -> None:
        if task.task_spec.bpmn_id:
            self.path.append(task.task_spec.bpmn_id)

    def _step(self) -> None:
        self.workflow.refresh_timers()
        self.workflow.do_engine_steps(did_complete_task=self._done)

    @property
    def open_tasks(self) -> list[str]:
        return [t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.READY,
                                                                       manual=True)]  # fmt: skip

    @property
    def waiting_for(self) -> list[str]:
        return sorted(pending_events(self.workflow)[1])

    @property
    def completed(self) -> bool:
        return bool(self.workflow.is_completed())

    def complete(self, element_id: str, **answers: Any) -> None:
        """Complete the open user task ``element_id``; the answers must fit its form."""
        from rathaus.forms.engine import FormSpec

        tasks = [t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                 if t.task_spec.bpmn_id == element_id]  # fmt: skip
        if not tasks:
            raise AssertionError(f"{element_id} is not open; open are {self.open_tasks}")
        task = tasks[0]
        definition = self.forms[task.task_spec.extensions["form"]]
        spec = FormSpec(definition["schema"], definition["layout"])
        errors = spec.errors(answers)
        if errors:
            raise AssertionError(f"answers do not fit the form of {element_id}: {errors}")
        task.set_data(**answers)
        task.run()
        self._done(task)
        self._step()

    def message(self, name: str, **payload: Any) -> None:
        self.workflow.send_event(BpmnEvent(MessageEventDefinition(name), payload))
        self._step()

    def wait(self, **delta: float) -> None:
        """Let the given time pass (days=…, hours=…): timers due by then fire."""
        until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(**delta)
        for task in waiting_timer_tasks(self.workflow):
            value = task._get_internal_data("event_value")
            if isinstance(value, str) and TimerEventDefinition.get_datetime(value) <= until:
                past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=1)
                task._set_internal_data(event_value=past.isoformat())
        self._step()

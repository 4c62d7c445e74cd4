"""The process panel of the staff case page: where the process stands, open tasks, errors."""

from __future__ import annotations

from typing import Any

from django import template

from rathaus.processes import engine
from rathaus.processes.models import ProcessInstance, ProcessTask

register = template.Library()


@register.inclusion_tag("processes/_case_process.html", takes_context=True)
def case_process(context: Any, case: Any, part: str = "") -> dict[str, Any]:
    """The case's process: ``part="work"`` only what needs the clerk (a failed step, the open
    tasks), for the actions column; ``part="steps"`` the model, its steps and the diagram, for
    the "Process" section; without ``part`` both."""
    instance = ProcessInstance.objects.select_related("version__model").filter(case=case).first()
    if instance is None:
        return {"instance": None, "case": case}
    open_tasks = ProcessTask.objects.filter(instance=instance, status=ProcessTask.Status.OPEN)
    if part == "work":
        return {"case": case, "instance": instance, "tasks": list(open_tasks), "part": part}
    current, done = engine.element_states(instance)
    steps = []
    for step in engine._parsed(instance.version_id).steps:
        if step.element_id in current:
            state = "current"
        elif step.element_id in done:
            state = "done"
        else:
            state = "open"
        steps.append({"step": step, "state": state})
    return {
        "case": case,
        "instance": instance,
        "tasks": [] if part == "steps" else list(open_tasks),
        "steps": steps,
        "current": sorted(current),
        "request": context.get("request"),
        "part": part,
    }

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
    open_tasks = [] if part == "steps" else _with_lanes(
        list(ProcessTask.objects.filter(instance=instance, status=ProcessTask.Status.OPEN)),
        context.get("request"),
        case,
    )  # fmt: skip
    if part == "work":
        return {"case": case, "instance": instance, "tasks": open_tasks, "part": part}
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
        "tasks": open_tasks,
        "steps": steps,
        "current": sorted(current),
        "request": context.get("request"),
        "part": part,
    }


def _with_lanes(tasks: list[ProcessTask], request: Any, case: Any) -> list[ProcessTask]:
    """Mark each task ``mine`` when its lane lets the user complete it (ADR 0037); the lanes
    are read only when a task has one."""
    user = getattr(request, "user", None)
    rule = None
    if user is not None and any(task.lane for task in tasks):
        from rathaus.core.lanes import lane_rule

        rule = lane_rule(user, [case.org_unit.authority_id])
    for task in tasks:
        task.mine = rule is None or rule.allows(task.lane, case.org_unit.authority_id)  # type: ignore[attr-defined]
    return tasks

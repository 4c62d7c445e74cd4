"""Tasks and a worker the worker tests start; they live here so the worker process can import
them. Nothing here is imported by the application."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def fail() -> None:
    raise RuntimeError("this task always fails")


def gated_worker() -> None:
    """``python -c 'from tests.tasks_for_tests import gated_worker; gated_worker()' GATE …``:
    a real `rathaus worker` (the arguments after GATE) that, when it starts a task, writes
    ``GATE/started-<task name>`` and then waits until ``GATE/release`` exists.

    The wait is a receiver of django-tasks' ``task_started`` signal, connected only in this
    test process: the worker has claimed the task (RUNNING, with its id) and holds no database
    lock, exactly as while a task runs. The test kills the worker there.
    """
    from django_tasks_db.compat import task_started

    gate = Path(sys.argv[1])

    def hold(sender: Any, task_result: Any, **kwargs: Any) -> None:
        (gate / f"started-{task_result.task.name}").touch()
        while not (gate / "release").exists():
            time.sleep(0.05)

    task_started.connect(hold, weak=False)
    from rathaus.cli import main

    main(["rathaus", "worker", *sys.argv[2:]])


@task()
def log_and_queue(text: str) -> None:
    """Logs ``text`` (as a task's own log line) and queues an ``add`` (a task's follow-up)."""
    import logging

    logging.getLogger("rathaus.tests").warning("task says %s", text)
    add.enqueue(1, 1)

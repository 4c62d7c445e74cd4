"""How the processes app hears of cases: opened (start the process) and messages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# The timeline entries the process engine writes (through ``cases.services.record_event``),
# each shown by its snippet ``processes/timeline/<kind>.html``.
TIMELINE_KINDS = (
    ("process_started", _("Process started")),
    ("process_step", _("Process step done")),
    ("task_completed", _("Task completed")),
    ("process_failed", _("Process step failed")),
    ("process_retried", _("Step run again")),
    ("process_cancelled", _("Process ended")),
)


def start_process(sender: Any, case: Any, **kwargs: Any) -> None:
    """Start the case's process; a model that cannot start never stops the case from opening."""
    from rathaus.cases.services import record_event
    from rathaus.processes import engine

    try:
        with transaction.atomic():
            engine.start(case)
    except Exception as error:
        logger.exception("the process of case %s could not start", case.number)
        record_event(case, "process_failed", new=str(error)[:200], detail={"error": str(error)})


def deliver(sender: Any, case: Any, name: str, actor: Any = None, payload: Any = None,
            **kwargs: Any) -> None:  # fmt: skip
    from rathaus.processes import engine

    engine.deliver_message(case, name, payload or {}, actor=actor)


def cancel(sender: Any, case: Any, actor: Any = None, **kwargs: Any) -> None:
    from rathaus.processes import engine

    engine.cancel(case, actor)


def fire_timers() -> int:
    from rathaus.processes import engine

    return engine.fire_due_timers()


def load_demo(tally: Any) -> None:
    from rathaus.processes import demo

    demo.load(tally)


def install_default(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from rathaus.processes import packages

    packages.install_default()

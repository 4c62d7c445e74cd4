"""The interface of BPMN service tasks: what a handler gets, how it fails, where it registers.

A process model names a handler with ``camunda:topic`` on a service task. The process engine
(``rathaus.processes``) runs the handler registered under that topic; the handlers themselves
live in the app whose work they do (the case handlers in ``rathaus.cases.process_tasks``) and
register in that app's ``AppConfig.ready()``. The interface sits in ``core``, below every app,
so that an app can offer handlers without importing the process engine above it (ADR 0014,
ADR 0020); ``rathaus.processes.handlers`` re-exports it as the engine's view of the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rathaus.core.plugins import Registry


class HandlerFailed(Exception):
    """A handler could not do its work; the message (German, for staff) says why."""


@dataclass
class Context:
    """What a handler gets: the case, the person whose action moved the process (``None`` for
    the worker: timers, messages), the task's parameters and the process data."""

    case: Any
    actor: Any
    params: Mapping[str, str]
    data: dict[str, Any]
    portal_url: str = ""


Handler = Callable[[Context], None]

service_tasks: Registry[Handler] = Registry("service task handler")
"""Handlers by topic; filled by the apps in ``AppConfig.ready()``."""

"""The request id: one short token per web request, in the logs of the web process and of the
worker that runs the tasks the request queued (docs/health-and-logs.md).

* :class:`RequestIdMiddleware` takes the ``X-Request-ID`` header only from a trusted reverse
  proxy (``RATHAUS_TRUSTED_PROXIES``) and only when it is a short safe token; otherwise it makes
  a new one. It answers with the id in ``X-Request-ID``, and :func:`current` returns it while
  the request runs (a context variable: right for threads and for async code alike).
* A task row written while a request id is current keeps it in its arguments document
  (``args_kwargs["request_id"]``, beside ``args`` and ``kwargs``, which django-tasks-db alone
  reads): a ``pre_save`` receiver adds it in the same INSERT. When the worker starts the task,
  the id is current again until the task ends, so the task's log lines carry it, and tasks
  the task queues carry it on.

Import-safe before the apps are loaded: the logging configuration imports :func:`current`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponseBase

HEADER = "X-Request-ID"
# Letters, digits and ". _ -", at most 64: a UUID, nginx's $request_id or a tracing id fit; a
# log line cannot be split or forged with it.
SAFE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
TASK_KEY = "request_id"

_request_id: ContextVar[str | None] = ContextVar("rathaus_request_id", default=None)


def current() -> str | None:
    """The id of the request (or of the request whose task) this code runs for, if any."""
    return _request_id.get()


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(value: str) -> bool:
    """Whether a request id given by a proxy is a short safe token."""
    return SAFE_TOKEN.fullmatch(value) is not None


class RequestIdMiddleware:
    """Outermost middleware: everything logged while a request runs carries its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        from rathaus.core.ratelimit import from_trusted_proxy

        self.get_response = get_response
        self.from_trusted_proxy = from_trusted_proxy

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get(HEADER, "")
        if given and accepted(given) and self.from_trusted_proxy(request):
            request_id = given
        else:
            request_id = new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


# --- tasks ---------------------------------------------------------------------------------------


def stamp_task(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_save`` of a task row: a new row written during a request keeps the request's id."""
    request_id = current()
    if request_id is None or not instance._state.adding:
        return
    arguments = instance.args_kwargs
    if isinstance(arguments, dict) and TASK_KEY not in arguments:
        instance.args_kwargs = {**arguments, TASK_KEY: request_id}


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """The worker starts a task: its request's id is current until the task ends."""
    row = getattr(task_result, "db_result", None)
    arguments = getattr(row, "args_kwargs", None)
    request_id = arguments.get(TASK_KEY) if isinstance(arguments, dict) else None
    _request_id.set(request_id if isinstance(request_id, str) and accepted(request_id) else None)


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    _request_id.set(None)


def connect_tasks() -> None:
    """Wire the request id into django-tasks (called once from ``CoreConfig.ready``).

    django-tasks logs "Task … state=RUNNING" in its own ``task_started`` receiver; it is moved
    behind ours so that this line carries the id too. Our ``task_finished`` receiver comes after
    django-tasks' (connected when it was imported), so the line that ends the task carries it.
    """
    from django.db.models.signals import pre_save
    from django_tasks import signals
    from django_tasks_db.models import DBTaskResult

    pre_save.connect(stamp_task, sender=DBTaskResult, dispatch_uid="rathaus-request-id-task")
    signals.task_started.disconnect(signals.log_task_started)
    signals.task_started.connect(task_started, dispatch_uid="rathaus-request-id-started")
    signals.task_started.connect(signals.log_task_started)
    signals.task_finished.connect(task_finished, dispatch_uid="rathaus-request-id-finished")

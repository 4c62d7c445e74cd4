"""Reads of read-only pages from a streaming replica (``RATHAUS_DATABASE_REPLICA_URL``).

settings.py adds the alias ``replica``, this router and :class:`ReplicaMiddleware` only when the
variable is set. A read goes to the replica only while all of this holds:

- the request is a GET or HEAD of a view that is read-only: its URL name is in
  ``settings.RATHAUS_REPLICA_VIEWS`` or the view is marked with :func:`replica_reads`;
- nothing has been written in this request yet (after the first write every read of the request
  goes to the primary, so a request reads what it wrote), and no transaction is open;
- the model is not one whose freshness decides who the visitor is (sessions, users, second
  factors, lock-outs) or what the worker does (tasks).

Everything else reads from the primary: other requests, the task worker and management commands
(no request there, so the context variable is never set). Replication lag is therefore seen only
on the listed pages, for content that changes seldom (docs/read-replicas.md).
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponseBase

REPLICA = "replica"
# Apps whose rows must be current: who is logged in, second factors, lock-outs, the task queue.
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "auth", "otp_totp", "otp_static", "django_otp", "axes", "django_tasks_db"}
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class _ReadOnlyRequest:
    wrote: bool = False


_request: ContextVar[_ReadOnlyRequest | None] = ContextVar("replica_request", default=None)


def replica_reads(view: F) -> F:
    """Mark a view whose GET and HEAD requests may read from the replica."""
    view.replica_reads = True  # type: ignore[attr-defined]
    return view


def _may_use_replica(request: HttpRequest, view: Callable[..., Any]) -> bool:
    if request.method not in {"GET", "HEAD"}:
        return False
    if getattr(view, "replica_reads", False):
        return True
    match = request.resolver_match
    return match is not None and match.view_name in settings.RATHAUS_REPLICA_VIEWS


class ReplicaMiddleware:
    """Opens the read-only window for a listed view; closes it when the response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request.set(None)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        if _may_use_replica(request, view):
            _request.set(_ReadOnlyRequest())


class ReplicaRouter:
    """Sends the reads of read-only requests to ``replica``; everything else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        state = _request.get()
        if (
            state is None
            or state.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS  # type: ignore[attr-defined]
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: type, **hints: Any) -> str:
        state = _request.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # The same rows on both: an object read from the replica may point to one from the primary.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None

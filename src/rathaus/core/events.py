"""A small typed bus for domain events: "case created", "status changed", "case decided" …

An app that owns a change defines its events as frozen dataclasses derived from
:class:`DomainEvent` and calls :func:`publish` inside the transaction that makes the change.
Other apps subscribe in their ``AppConfig.ready()``::

    events.subscribe(CaseStatusChanged, notify_dashboard, dispatch_uid="dashboard.status")

Subscribers run only after the transaction commits (``transaction.on_commit``); a rolled-back
change sends nothing. Outside a transaction the event is delivered at once, because the change
is already committed. A subscriber that raises is logged and does not stop the others; the
change it was told about stays committed. Events carry ids and values, not model instances, so
a subscriber reads the current rows itself if it needs them.

Unlike Django signals sent inside the transaction (``cases.signals.case_opened`` starts the
case's process in the same transaction), these are for work that must not see uncommitted data
or roll it back: notifications, statistics, exchange with other systems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Base of every domain event; subclasses are frozen dataclasses with ids and values."""


EventT = TypeVar("EventT", bound=DomainEvent)
Subscriber = Callable[[Any], None]


@dataclass(frozen=True)
class _Subscription:
    event_type: type[DomainEvent]
    handler: Subscriber
    uid: str


_subscriptions: list[_Subscription] = []


def _uid(handler: Subscriber, dispatch_uid: str | None) -> str:
    if dispatch_uid:
        return dispatch_uid
    module = getattr(handler, "__module__", "?")
    return f"{module}.{getattr(handler, '__qualname__', repr(handler))}"


def subscribe(
    event_type: type[EventT], handler: Callable[[EventT], None], *, dispatch_uid: str = ""
) -> None:
    """Call ``handler(event)`` after the commit of every ``event_type`` (or subclass) published.

    Subscribing the same handler (or ``dispatch_uid``) again for the same type replaces the
    entry, so ``ready()`` may run twice.
    """
    uid = _uid(handler, dispatch_uid)
    unsubscribe(event_type, uid=uid)
    _subscriptions.append(_Subscription(event_type, handler, uid))


def unsubscribe(
    event_type: type[DomainEvent], handler: Subscriber | None = None, *, uid: str = ""
) -> None:
    key = uid or (_uid(handler, None) if handler is not None else "")
    _subscriptions[:] = [
        item for item in _subscriptions if not (item.event_type is event_type and item.uid == key)
    ]


@contextmanager
def subscribed(event_type: type[EventT], handler: Callable[[EventT], None]) -> Iterator[None]:
    """Subscribe ``handler`` inside the block only (tests, one-off listeners)."""
    uid = f"temporary:{id(handler)}"
    subscribe(event_type, handler, dispatch_uid=uid)
    try:
        yield
    finally:
        unsubscribe(event_type, uid=uid)


def publish(event: DomainEvent, *, using: str | None = None) -> None:
    """Deliver ``event`` to its subscribers when the current transaction commits."""
    transaction.on_commit(partial(deliver, event), using=using)


def deliver(event: DomainEvent) -> None:
    """Call every subscriber of the event's type now (``publish`` does this after the commit)."""
    for item in list(_subscriptions):
        if isinstance(event, item.event_type):
            try:
                item.handler(event)
            except Exception:
                logger.exception("subscriber %s failed on %r", item.uid, event)

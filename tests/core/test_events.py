"""The domain event bus: subscribers hear of a change after its commit, never of a rollback."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest
from django.db import transaction

from rathaus.core import events

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@dataclass(frozen=True)
class Happened(events.DomainEvent):
    what: str


@dataclass(frozen=True)
class HappenedLoudly(Happened):
    pass


class Boom(Exception):
    pass


def publish_then_fail(what: str) -> None:
    with transaction.atomic():
        events.publish(Happened(what))
        raise Boom


@pytest.mark.django_db(transaction=True)
def test_subscribers_get_events_after_the_commit_and_not_after_a_rollback():
    heard: list[str] = []
    with events.subscribed(Happened, lambda event: heard.append(event.what)):
        with transaction.atomic():
            events.publish(Happened("committed"))
            with transaction.atomic():  # a savepoint that commits with the transaction
                events.publish(HappenedLoudly("subclass"))
            assert heard == []  # not yet: the transaction is still open
        assert heard == ["committed", "subclass"]
        with pytest.raises(Boom):
            publish_then_fail("rolled back")
        with transaction.atomic(), contextlib.suppress(Boom):
            publish_then_fail("savepoint rolled back")
        events.publish(Happened("outside a transaction"))  # committed already: at once
    events.publish(Happened("after unsubscribing"))
    assert heard == ["committed", "subclass", "outside a transaction"]


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_the_others(caplog):
    heard: list[str] = []

    def broken(event: Happened) -> None:
        raise RuntimeError("subscriber broke")

    with (
        events.subscribed(Happened, broken),
        events.subscribed(Happened, lambda event: heard.append(event.what)),
        transaction.atomic(),
    ):
        events.publish(Happened("x"))
    assert heard == ["x"]
    assert "subscriber broke" in caplog.text


def test_subscribing_again_replaces_the_entry():
    heard: list[str] = []

    def listener(event: Happened) -> None:
        heard.append(event.what)

    events.subscribe(Happened, listener)
    events.subscribe(Happened, listener)  # ready() may run twice
    try:
        events.deliver(Happened("once"))
    finally:
        events.unsubscribe(Happened, listener)
    events.deliver(Happened("gone"))
    assert heard == ["once"]

"""Worker tasks of the exchange (ADR 0021, ADR 0053): they run after the commit that queued them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django_tasks import task


@task()
def send_outgoing(outgoing_id: str) -> str:
    """One attempt to send an outgoing submission; failures are retried by the outbox's own
    back-off (``next_attempt_at``), not by raising."""
    from rathaus.exchange import sending

    return sending.send(outgoing_id)


@task()
def poll_events(outgoing_id: str) -> str:
    """Fetch the receiver's event log of one outgoing submission and apply what is new."""
    from rathaus.exchange import answers

    return answers.fetch(outgoing_id)


@task()
def process_incoming(incoming_id: str) -> str:
    """Decrypt and check a received submission; accept it as a case or reject it."""
    from rathaus.exchange import receiving

    return receiving.process(incoming_id)


@task()
def send_callback(event_id: int, attempt: int = 1) -> str:
    """Tell the sender of a new event in its event log (retried with back-off)."""
    from rathaus.exchange import notify

    return notify.deliver(event_id, attempt)


def _reference(outgoing_id: str) -> str:
    from rathaus.exchange.models import Outgoing

    found = (
        Outgoing.objects.filter(pk=outgoing_id)
        .values_list("submission__reference", flat=True)
        .first()
    )
    return found or outgoing_id


def describe_send(args: list[Any], kwargs: dict[str, Any]) -> str:
    return _("Send application %(reference)s to the responsible authority") % {
        "reference": _reference(args[0])
    }


def describe_poll(args: list[Any], kwargs: dict[str, Any]) -> str:
    return _("Fetch the answers to application %(reference)s") % {"reference": _reference(args[0])}

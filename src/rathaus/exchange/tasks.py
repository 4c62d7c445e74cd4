"""Worker tasks of the exchange (ADR 0021): they run after the commit that queued them."""

from __future__ import annotations

from django_tasks import task


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

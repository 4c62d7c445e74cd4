"""Worker tasks of the payments app (ADR 0021): they run after the commit that queued them."""

from __future__ import annotations

import logging

from django_tasks import task

from rathaus.payments.providers.base import ProviderUnavailable

logger = logging.getLogger(__name__)


@task()
def send_refund(refund_id: int) -> None:
    """Ask the provider to pay a refund back; a provider that is down raises, so the task is
    retried (and ends in the dead letters if it stays down)."""
    from rathaus.payments import refunds

    try:
        refunds.settle_refund(refund_id)
    except ProviderUnavailable:
        logger.warning("refund %s: the provider is not reachable", refund_id)
        raise


@task()
def send_confirmation(payment_id: str) -> str:
    """Tell the applicant that their payment arrived (mailbox or e-mail), at most once."""
    from rathaus.payments import confirmation

    return confirmation.deliver(payment_id)


@task()
def nudge(request_id: str) -> bool:
    """Tell the case's process that a payment of its application arrived (ADR 0048)."""
    from rathaus.payments import applications

    return applications.nudge(request_id)

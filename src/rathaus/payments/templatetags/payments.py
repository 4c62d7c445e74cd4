"""``{% load payments %}`` for the citizen's pages of other apps ("My applications"), which
must not import payments: the open or paid payments of a submission, with their links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from rathaus.payments import access, citizen

register = template.Library()


@register.simple_tag
def payments_of(submissions: Iterable[Any]) -> dict[Any, list[Any]]:
    """``{% payments_of submissions as payments %}``: the open and paid payment requests of
    these submissions by submission id (one query for the whole list)."""
    return citizen.by_submission(submission.pk for submission in submissions)


@register.inclusion_tag("payments/_payment_note.html")
def payment_note(submission: Any, payments: dict[Any, list[Any]] | None = None) -> dict[str, Any]:
    """``{% payment_note submission payments %}``: "payment open – pay now" or "paid" with the
    link to the confirmation; without ``payments`` it looks the submission's up."""
    if payments is None:
        payments = citizen.by_submission([submission.pk])
    return {
        "notes": [
            {
                "payment": payment,
                "pay_url": access.url(payment),
                "receipt_url": access.url(payment, "payments:receipt"),
            }
            for payment in payments.get(submission.pk, [])
        ]
    }

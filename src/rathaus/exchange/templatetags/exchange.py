"""``{% load exchange %}`` for the applicant's pages of cases ("My applications", the
application page), which must not import the exchange (ADR 0014): where an application handed
to an authority elsewhere stands — being passed on, passed on, accepted, rejected with the
reason, or forwarded (ADR 0053)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django import template
from django.db.models import Prefetch
from django.utils import timezone

from rathaus.cases.models import OutboxItem
from rathaus.exchange.models import Event, Outgoing

register = template.Library()


def _by_submission(submission_ids: Iterable[Any]) -> dict[Any, Any]:
    ids = list(submission_ids)
    forwards = Prefetch(
        "events",
        queryset=Event.objects.filter(
            direction=Event.Direction.RECEIVED, kind="forward-submission", verified=True
        ),
        to_attr="forwards",
    )
    found: dict[Any, Any] = {
        outgoing.submission_id: outgoing
        for outgoing in Outgoing.objects.filter(submission_id__in=ids)
        .select_related("destination__authority")
        .defer("parts")
        .prefetch_related(forwards)
    }
    waiting = OutboxItem.objects.filter(submission_id__in=ids).exclude(
        submission_id__in=list(found)
    )
    for item in waiting.select_related("target"):
        found[item.submission_id] = item
    return found


@register.simple_tag
def exchange_of(submissions: Iterable[Any]) -> dict[Any, Any]:
    """``{% exchange_of submissions as exchange %}``: the hand-overs of these submissions by
    submission id (two queries for the whole list)."""
    return _by_submission(submission.pk for submission in submissions)


DELAYED_AFTER = datetime.timedelta(minutes=10)
"""An application waiting this long without a destination is shown as delayed."""


@register.inclusion_tag("exchange/_note.html")
def exchange_note(submission: Any, exchange: dict[Any, Any] | None = None) -> dict[str, Any]:
    """``{% exchange_note submission exchange %}``: one line on where the application stands
    at the authority elsewhere; nothing for an application handled here."""
    if exchange is None:
        exchange = _by_submission([submission.pk])
    found = exchange.get(submission.pk)
    if found is None:
        return {"note": None}
    if isinstance(found, OutboxItem):
        # no destination found for it (yet): after a few minutes, say that it is delayed
        delayed = found.created_at < timezone.now() - DELAYED_AFTER
        return {"note": "delayed" if delayed else "waiting", "authority": found.target.name}
    note = {
        Outgoing.Status.PENDING: "waiting",
        Outgoing.Status.STUCK: "delayed",
        Outgoing.Status.SENT: "sent",
        Outgoing.Status.ACCEPTED: "accepted",
        Outgoing.Status.REJECTED: "rejected",
    }[Outgoing.Status(found.status)]
    forwards = getattr(found, "forwards", [])
    forward = forwards[-1] if forwards else None
    return {
        "note": note,
        "authority": found.destination.authority.name,
        "outgoing": found,
        "forwarded_to": _forward_name(forward) if forward is not None else "",
    }


def _forward_name(event: Event) -> str:
    from rathaus.exchange import crypto

    try:
        _header, claims = crypto.read_event(event.token)
        _kind, payload = crypto.event_kind(claims)
    except crypto.CryptoError:
        return ""
    return str(payload.get("destinationName", ""))[:200]

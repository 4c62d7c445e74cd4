"""The status table of a payment request: which change is allowed from which status.

A provider's notification or a status query is never trusted beyond this table: a late
"pending" after "paid" changes nothing, and money reported for a request that was cancelled is
not counted but paid back (see :func:`rathaus.payments.services.apply`).
"""

from __future__ import annotations

from rathaus.payments.models import PaymentRequest

S = PaymentRequest.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: frozenset({S.PENDING, S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED}),
    S.PENDING: frozenset({S.PAID, S.FAILED, S.CANCELLED, S.EXPIRED}),
    # a failed attempt may be tried again, and money may still arrive for it
    S.FAILED: frozenset({S.PENDING, S.PAID, S.CANCELLED, S.EXPIRED}),
    # money that arrives for an expired request is welcome: the request was not withdrawn
    S.EXPIRED: frozenset({S.PAID}),
    S.PAID: frozenset(),
    S.CANCELLED: frozenset(),
}

FINAL = frozenset({S.PAID, S.CANCELLED})


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())

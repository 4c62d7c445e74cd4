"""Domain events of open data, published with :mod:`rathaus.core.events` (ADR 0061).

The notice board (a later issue) subscribes to them; they carry ids and values only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rathaus.core.events import DomainEvent


@dataclass(frozen=True)
class AlertRaised(DomainEvent):
    """A threshold has been exceeded for its minutes: an alert is open."""

    alert_id: int
    threshold_id: int
    datastream_id: int
    topic: str
    started_at: datetime.datetime
    value: float
    limit: float
    direction: str


@dataclass(frozen=True)
class AlertEnded(DomainEvent):
    """The values are back within the threshold: the alert is over."""

    alert_id: int
    threshold_id: int
    datastream_id: int
    topic: str
    started_at: datetime.datetime
    ended_at: datetime.datetime
    peak: float

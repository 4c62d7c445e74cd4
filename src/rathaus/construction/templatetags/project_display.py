"""Filters of the construction project pages: amounts and time frames in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from rathaus.construction import projects

register = template.Library()


@register.filter
def budget(cents: int | None) -> str:
    """Budget in words: "2,45 Mio. €" or "850.000 €"."""
    return projects.budget_in_words(cents)


@register.filter
def time_frame(item: Any) -> str:
    """The time frame of a project or phase in words (its ``starts_on`` and ``ends_on``)."""
    starts_on: dt.date | None = getattr(item, "starts_on", None)
    ends_on: dt.date | None = getattr(item, "ends_on", None)
    return projects.time_frame(starts_on, ends_on)


@register.filter
def phase_state(state: str) -> str:
    """A phase's state as the timeline says it ("Abgeschlossen", "Läuft", "Geplant")."""
    for key, label in projects.PHASE_STATES.items():
        if key == state:
            return str(label)
    return state

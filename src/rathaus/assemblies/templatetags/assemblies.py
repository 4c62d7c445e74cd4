"""``{% assembly_facts submission as facts %}``: the notified assembly in a few rows, for the
decision letters (what was confirmed, restricted or prohibited)."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


def _when(data: dict[str, Any], day: str, time: str) -> str:
    try:
        parsed = datetime.date.fromisoformat(str(data.get(day, "")))
    except ValueError:
        return ""
    clock = data.get(time)
    shown = date_format(parsed, "DATE_FORMAT")
    return _("%(day)s, %(time)s") % {"day": shown, "time": clock} if clock else shown


@register.simple_tag
def assembly_facts(submission: Any) -> list[tuple[str, str]]:
    data = getattr(submission, "data", None)
    if not isinstance(data, dict):
        return []
    rows = [
        (_("Topic"), str(data.get("topic", ""))),
        (_("Start"), _when(data, "start_date", "start_time")),
        (_("End"), _when(data, "end_date", "end_time")),
        (_("Leader"), str(data.get("leader_name", ""))),
    ]
    if data.get("assembly_form") == "procession":
        streets = [
            str(entry.get("street", ""))
            for entry in data.get("route", [])
            if isinstance(entry, dict) and entry.get("street")
        ]
        rows += [
            (_("Assembly point"), str(data.get("assembly_point", ""))),
            (_("Route"), " – ".join(streets)),
            (_("Closing point"), str(data.get("closing_point", ""))),
        ]
    else:
        rows.append((_("Place"), str(data.get("place", ""))))
    participants = data.get("expected_participants")
    if participants is not None:
        rows.append((_("Expected participants"), str(participants)))
    return [(label, value) for label, value in rows if value]

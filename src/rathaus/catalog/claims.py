"""An offer may not promise an online way that does not exist (ADR 0023).

Checked when staff save an offer. Two rules:

- A text that speaks of doing something online (the word "online" or "Internet" on its own,
  or "Online-Antrag") needs a live online way: a published online form, an online link staff
  entered, an appointment booking or the general request form. Compounds such as
  "Online-Ausweisfunktion" name a thing and promise nothing.
- A maturity level of 3 or 4 set by staff needs a live online application: a published
  online form or an online link staff entered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from rathaus.catalog import online
from rathaus.catalog.models import Maturity

ONLINE_WORDING = re.compile(r"(?<![\w-])(?:online|internet)(?![\w-])|online-?antrag", re.IGNORECASE)
TEXT_FIELDS = ("description", "required_documents", "fee_text", "processing_time", "contact")


def promises_online(text: str) -> bool:
    return bool(ONLINE_WORDING.search(text or ""))


def problems(values: Mapping[str, Any], ways: online.Ways) -> dict[str, str]:
    """Errors by field name for what the values promise but the ways do not give."""
    found: dict[str, str] = {}
    if not ways.any:
        for name in TEXT_FIELDS:
            if promises_online(values.get(name, "")):
                found[name] = _(
                    "The text says the service can be used online, but there is no online way "
                    "for it: no published online form, no online link, no appointment booking "
                    "and no general request form. Please change the text or set up the online "
                    "way first."
                )
    override = values.get("maturity_override")
    if override is not None and override >= Maturity.ONLINE and not ways.apply_online:
        found["maturity_override"] = _(
            "Level 3 or 4 means citizens can apply online. There is no published online form "
            "and no online link for this service. Please choose a lower level."
        )
    return found

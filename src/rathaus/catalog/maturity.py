"""The OZG maturity level of an offer, derived from what is live (ADR 0023).

- 0: the offer has no description: no information online.
- 1: a description: the information is online.
- 2: a way to start online but not to apply fully online: an online link staff entered (the
  catalogue cannot see whether its decision reaches the citizen online), an appointment booking
  or the general request form.
- 3: a published online form on this platform; its decision reaches the citizen's mailbox.
- 4: once-only (data from registers): nothing here can show it yet, so only by an override.

Staff may override the level with a reason (``Offer.maturity_override``); everything shown
(service page, staff list, dashboard, API) uses :func:`level`.
"""

from __future__ import annotations

from collections.abc import Collection

from rathaus.catalog import online
from rathaus.catalog.models import Maturity, Offer


def derive(offer: Offer, ways: online.Ways) -> int:
    if ways.form_url:
        return Maturity.ONLINE
    if ways.any:
        return Maturity.FORM
    if offer.description.strip():
        return Maturity.INFORMATION
    return Maturity.NONE


def level(offer: Offer, ways: online.Ways) -> int:
    if offer.maturity_override is not None:
        return offer.maturity_override
    return derive(offer, ways)


def annotate(offers: Collection[Offer]) -> dict[int, online.Ways]:
    """Set ``derived_maturity``, ``maturity`` (the level shown) and ``ways`` on each offer."""
    found = online.ways_for(offers)
    for offer in offers:
        ways = found[offer.pk]
        offer.ways = ways
        offer.derived_maturity = derive(offer, ways)
        offer.maturity = level(offer, ways)
    return found

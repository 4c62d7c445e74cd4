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

An offer of a service that, by the responsibility rules, another authority handles in the
offer authority's own area (a town's page on vehicle registration, which the Landkreis
handles) and that has no way in this installation is not the authority's service to rate:
``responsible_elsewhere`` names the other authority, the offer says "not offered online here,
handled by …" instead of a level, and the dashboard lists it apart from the levels (ADR 0027).
Its derived level stays for the staff page and the API.
"""

from __future__ import annotations

from collections.abc import Collection

from rathaus.catalog import online, responsibility
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
    """Set ``derived_maturity``, ``maturity`` (the level shown), ``ways`` and
    ``responsible_elsewhere`` on each offer."""
    found = online.ways_for(offers)
    handlers = responsibility.responsible_for_offers(offers)
    for offer in offers:
        ways = found[offer.pk]
        offer.ways = ways
        offer.derived_maturity = derive(offer, ways)
        offer.maturity = level(offer, ways)
        handler = handlers.get(offer.pk)
        offer.responsible_elsewhere = (
            handler
            if handler is not None
            and handler.pk != offer.authority_id
            and not ways.any
            and offer.maturity_override is None
            else None
        )
    return found

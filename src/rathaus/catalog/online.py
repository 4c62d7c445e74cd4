"""Which ways to a service really exist: filled in by the apps above the catalogue.

The catalogue sits below the online forms and the appointments in the app layers (ADR 0014),
so it cannot ask them directly. An app that provides a way registers a lookup for its kind in
its ``AppConfig.ready``: ``forms`` for the published online form of an offer and for the
general request form, ``appointments`` for the appointment types linked to an offer. The
service page, the derived OZG maturity level and the dashboard ask only this module.

A lookup gets many offers at once and answers with the address of the way for each offer that
has one, so the dashboard needs one query per kind, not one per offer. An external link counts
only when staff entered it on the offer (``Offer.online_url``, ``Offer.appointment_url``); the
catalogue cannot check what is behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from rathaus.catalog.models import Offer


class Kind(StrEnum):
    FORM = "form"
    """A published online form on this platform for exactly this offer."""
    APPOINTMENT = "appointment"
    """A bookable appointment type linked to the offer (its month page); else a booking link
    staff entered on the offer."""
    REQUEST = "request"
    """The general request form, for offers staff marked as reported through it."""


WayLookup = Callable[[Collection[Offer]], Mapping[int, str]]
"""Given offers, the address of the way for each offer id that has one."""

_lookups: dict[Kind, dict[str, WayLookup]] = {kind: {} for kind in Kind}


def register(kind: Kind, name: str, lookup: WayLookup) -> None:
    _lookups[kind][name] = lookup


@dataclass(frozen=True)
class Ways:
    """The ways to a service that exist right now; an empty string means there is none."""

    form_url: str = ""
    external_url: str = ""
    appointment_url: str = ""
    request_url: str = ""

    @property
    def apply_online(self) -> bool:
        """A citizen can apply online: a published form here or a link staff entered."""
        return bool(self.form_url or self.external_url)

    @property
    def any(self) -> bool:
        return bool(self.apply_online or self.appointment_url or self.request_url)


def _ask(kind: Kind, offers: Collection[Offer]) -> dict[int, str]:
    found: dict[int, str] = {}
    for lookup in _lookups[kind].values():
        for offer_id, url in lookup(offers).items():
            if url:
                found.setdefault(offer_id, url)
    return found


def ways_for(offers: Collection[Offer]) -> dict[int, Ways]:
    """The ways of each offer, by offer id; one round of lookups for all of them."""
    if not offers:
        return {}
    forms = _ask(Kind.FORM, offers)
    appointments = _ask(Kind.APPOINTMENT, offers)
    requests = _ask(Kind.REQUEST, offers)
    return {
        offer.pk: Ways(
            form_url=forms.get(offer.pk, ""),
            external_url=offer.online_url,
            appointment_url=appointments.get(offer.pk, "") or offer.appointment_url,
            request_url=requests.get(offer.pk, ""),
        )
        for offer in offers
    }


def ways(offer: Offer | None) -> Ways:
    if offer is None:
        return Ways()
    return ways_for([offer])[offer.pk]


def form_url(offer: Offer | None) -> str:
    """The address of the offer's online form on this platform, if one is published."""
    return ways(offer).form_url

"""Where an offer can be applied for online: filled in by the apps above the catalogue.

The catalogue sits below the online forms in the app layers, so it cannot ask them directly.
An app that publishes online applications registers a lookup in its ``AppConfig.ready``; the
service page links to the first address a lookup gives. Without one the page shows no link.
"""

from __future__ import annotations

from collections.abc import Callable

from rathaus.catalog.models import Offer

OnlineFormLookup = Callable[[Offer], str]
"""Given an offer, the address of its online application on this platform, or ``""``."""

_lookups: dict[str, OnlineFormLookup] = {}


def register(name: str, lookup: OnlineFormLookup) -> None:
    _lookups[name] = lookup


def form_url(offer: Offer | None) -> str:
    """The address of the offer's online form on this platform, if one is published."""
    if offer is None:
        return ""
    for lookup in _lookups.values():
        url = lookup(offer)
        if url:
            return url
    return ""

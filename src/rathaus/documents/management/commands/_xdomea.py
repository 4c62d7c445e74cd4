"""What the two xdomea commands share."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError

from rathaus.core.models import Authority


def authority_named(wanted: str | None) -> Authority:
    """The authority with this short name (slug) or AGS; default RATHAUS_DEFAULT_AUTHORITY."""
    key = wanted or settings.RATHAUS_DEFAULT_AUTHORITY
    found = list(Authority.objects.filter(slug=key)[:1]) or list(
        Authority.objects.filter(ags=key)[:2]
    )
    if len(found) != 1:
        raise CommandError(f"unknown authority {key!r}: give its short name (slug) or AGS")
    return found[0]

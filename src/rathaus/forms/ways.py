"""What the forms tell the catalogue (``catalog.online``): which offers have a live online way.

Registered in ``FormsConfig.ready``. An offer's online form counts when a version of it is
published and the form is not retired. The general request form is the authority's published
form with the address ``anliegen`` that belongs to no offer; it serves the offers staff marked
with ``Offer.general_request``.
"""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse

from rathaus.catalog.models import Offer
from rathaus.core.models import Authority
from rathaus.forms.models import FormDefinition, FormVersion

GENERAL_REQUEST_SLUG = "anliegen"


def form_urls(offers: Collection[Offer]) -> dict[int, str]:
    """The start page of each offer's published online form."""
    found: dict[int, str] = {}
    rows = (
        FormDefinition.objects.filter(
            offer_id__in=[offer.pk for offer in offers],
            retired_at__isnull=True,
            versions__status=FormVersion.Status.PUBLISHED,
        )
        .order_by("pk")
        .values_list("offer_id", "slug")
    )
    for offer_id, slug in rows:
        found.setdefault(offer_id, reverse("forms:start", args=[slug]))
    return found


def general_request_url(authority: Authority) -> str:
    """The general request form of the authority, if it publishes one."""
    live = FormDefinition.objects.filter(
        authority=authority,
        slug=GENERAL_REQUEST_SLUG,
        offer__isnull=True,
        retired_at__isnull=True,
        versions__status=FormVersion.Status.PUBLISHED,
    ).exists()
    return reverse("forms:start", args=[GENERAL_REQUEST_SLUG]) if live else ""


def general_request_urls(offers: Collection[Offer]) -> dict[int, str]:
    """The general request form for each offer marked as reported through it."""
    marked = [offer for offer in offers if offer.general_request]
    if not marked:
        return {}
    live = set(
        FormDefinition.objects.filter(
            authority_id__in={offer.authority_id for offer in marked},
            slug=GENERAL_REQUEST_SLUG,
            offer__isnull=True,
            retired_at__isnull=True,
            versions__status=FormVersion.Status.PUBLISHED,
        ).values_list("authority_id", flat=True)
    )
    url = reverse("forms:start", args=[GENERAL_REQUEST_SLUG])
    return {offer.pk: url for offer in marked if offer.authority_id in live}

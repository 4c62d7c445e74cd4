"""What the appointments tell the catalogue (``catalog.online``): offers with a bookable type.

Registered in ``AppointmentsConfig.ready``. An appointment type counts when it is linked to
the offer and at least one active resource serves it; the link leads to its month page.
"""

from __future__ import annotations

from collections.abc import Collection

from django.urls import reverse

from rathaus.appointments.locations import AppointmentType
from rathaus.catalog.models import Offer


def booking_urls(offers: Collection[Offer]) -> dict[int, str]:
    found: dict[int, str] = {}
    rows = (
        AppointmentType.objects.filter(
            offer_id__in=[offer.pk for offer in offers], resources__active=True
        )
        .order_by("pk")
        .values_list("offer_id", "pk", "location__slug")
        .distinct()
    )
    for offer_id, type_id, location_slug in rows:
        found.setdefault(offer_id, reverse("appointments:month", args=[location_slug, type_id]))
    return found

"""Which appointment locations a member of staff works with.

A location belongs to an organisational unit (the Bürgerbüro's counter to the Bürgerbüro); staff
of that unit and of units above it see it. Every staff query for locations goes through
:func:`visible_locations`, so another unit's location is never found (404), not merely hidden.
A location without a unit is visible to nobody in the staff area.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rathaus.appointments.models import Location
from rathaus.core.scoping import unit_ids


def visible_locations(user: Any) -> QuerySet[Location]:
    return Location.objects.filter(org_unit_id__in=unit_ids(user))

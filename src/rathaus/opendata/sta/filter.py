"""``$filter`` of the SensorThings API, compiled to a Django query (being built)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from rathaus.opendata.sta.entities import Entity
from rathaus.opendata.sta.errors import StaError


def apply_filter(queryset: QuerySet[Any], entity: Entity, text: str) -> QuerySet[Any]:
    """``queryset`` narrowed to the entities for which ``text`` (a $filter expression) holds."""
    raise StaError(501, "$filter is being built.")

"""An entity as the SensorThings API shows it: its properties, ``@iot.id``, ``@iot.selfLink`` and
a ``…@iot.navigationLink`` for each navigation property.

``$select`` and ``$expand`` are applied by the reading side on top of :func:`entity_json`.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.http import HttpRequest

from rathaus.opendata.sta.entities import Entity, Kind, Property

ROOT = "/sta/v1.1"


def base_url(request: HttpRequest) -> str:
    """The service root as the client reached it, without a trailing slash."""
    return request.build_absolute_uri(ROOT)


def format_time(value: datetime.datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, as the standard's examples write times."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text.replace("+00:00", "Z")


def property_value(obj: models.Model, prop: Property) -> Any:
    """The value of one property of ``obj``, in its JSON form."""
    values = [getattr(obj, field) for field in prop.fields]
    if prop.kind is Kind.TIME:
        return format_time(values[0])
    if prop.kind in (Kind.INTERVAL, Kind.TIME_OR_INTERVAL):
        start, end = values
        if start is None:
            return None
        if end is None and prop.kind is Kind.TIME_OR_INTERVAL:
            return format_time(start)
        return f"{format_time(start)}/{format_time(end or start)}"
    if prop.kind is Kind.RESULT:
        number, other = values
        if number is None:
            return other
        return int(number) if float(number).is_integer() and abs(number) < 2**53 else number
    if prop.name == "properties" and getattr(obj, "demo", False) is True:
        # A generated demo series says so, so that nobody takes it for real measurements.
        return {**(values[0] or {}), "demo": True}
    return values[0]


def entity_json(base: str, entity: Entity, obj: models.Model) -> dict[str, Any]:
    """All properties and links of ``obj`` (an instance of ``entity.model``)."""
    link = f"{base}/{entity.set_name}({obj.pk})"
    data: dict[str, Any] = {"@iot.id": obj.pk, "@iot.selfLink": link}
    for prop in entity.properties:
        data[prop.name] = property_value(obj, prop)
    for navigation in entity.navigations:
        data[f"{navigation.name}@iot.navigationLink"] = f"{link}/{navigation.name}"
    return data

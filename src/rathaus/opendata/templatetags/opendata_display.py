"""Template filters for the public dashboards' display names (see ``opendata.display``)."""

from __future__ import annotations

from django import template

from rathaus.opendata import display
from rathaus.opendata.models import Datastream

register = template.Library()


@register.filter
def series_name(datastream: Datastream) -> str:
    return display.series_name(datastream)


@register.filter
def station_name(name: str) -> str:
    return display.station_name(name)


@register.filter
def property_name(name: str) -> str:
    return display.property_name(name)

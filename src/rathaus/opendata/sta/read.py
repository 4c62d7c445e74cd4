"""Reading the SensorThings API (GET): service root, entity sets, entities, navigation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from rathaus.opendata.sta.errors import StaError


def handle(request: HttpRequest, path: str) -> HttpResponse:
    raise StaError(501, "Reading is being built.")

"""Writing the SensorThings API (POST, PATCH, PUT, DELETE) for holders of a staff API key."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from rathaus.opendata.sta.errors import StaError


def handle(request: HttpRequest, path: str) -> HttpResponse:
    raise StaError(501, "Writing is being built.")

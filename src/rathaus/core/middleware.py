from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("rathaus.core")


class DatabaseUnavailableMiddleware:
    """A database that cannot be reached gives a friendly 503 page, in debug mode too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        return service_unavailable_response(request)


def service_unavailable_response(request: HttpRequest) -> HttpResponse:
    html = render_to_string("errors/503.html", {"request": request})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "60"
    return response

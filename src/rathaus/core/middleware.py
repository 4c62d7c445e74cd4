from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers

from rathaus.core.language import request_language

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


class LanguageMiddleware:
    """German unless the visitor chose another language with the switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a municipal portal
    answers in German first, so a phone set to English does not surprise an older citizen.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request_language(request)  # the page cache keys by the same choice
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# No page uses any of these browser features (there is no map, camera or payment), so every one
# is denied to the portal and to anything it might embed. Only names that browsers know are
# listed; an unknown name makes the browser log an error on every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
        "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "web-share", "xr-spatial-tracking",
    )
)  # fmt: skip


class PermissionsPolicyMiddleware:
    """A ``Permissions-Policy`` header on every response, static files and errors included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class BoundedInputMiddleware:
    """400 for a NUL character in the path, the query or a form field (ADR 0022).

    No address, search word or form field of the portal contains one, and PostgreSQL cannot
    store it in text: without this check it would reach a query and fail there with a 500.
    The fields of a multipart form are checked, the uploaded files are not (UploadLimitMiddleware
    has parsed the body already, within its size limit).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET):
            return _bad_request(request)
        form = request.content_type in {"application/x-www-form-urlencoded", "multipart/form-data"}
        if request.method == "POST" and form and _has_nul(request.POST):
            return _bad_request(request)
        return self.get_response(request)


def _has_nul(values: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in items) for key, items in values.lists()
    )


def _bad_request(request: HttpRequest) -> HttpResponse:
    # Without the context processors, like the 503 page: the request is refused before them.
    return HttpResponse(render_to_string("errors/400.html", {"request": request}), status=400)

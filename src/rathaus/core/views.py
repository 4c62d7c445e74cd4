from __future__ import annotations

import sys
import uuid

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core import files, health, navigation
from rathaus.core.files.limits import too_large_response
from rathaus.core.middleware import service_unavailable_response
from rathaus.core.models import Authority, OrgUnit, StoredFile
from rathaus.core.pagecache import public_page
from rathaus.core.problems import problem
from rathaus.core.tenancy import current_authority


def _public_units(request: HttpRequest) -> list[OrgUnit]:
    authority = current_authority(request)
    if authority is None:
        return []
    return list(OrgUnit.objects.filter(authority=authority).select_related("parent"))


@public_page()
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    # Organised by what people come to do (ADR 0028); the offices are on the contact page.
    return render(request, "core/home.html", {"tasks": navigation.start_tasks(authority)})


@public_page()
@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    return render(request, "core/contact.html", {"units": _public_units(request)})


@never_cache
@require_safe
def health_view(request: HttpRequest) -> JsonResponse:
    result = health.answer(request)
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


@never_cache
@require_safe
def health_live(request: HttpRequest) -> JsonResponse:
    """The process answers: no database, no session (a monitor restarts it when this fails)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def health_ready(request: HttpRequest) -> JsonResponse:
    result = health.ready_answer(request)
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _staff(request: HttpRequest) -> bool:
    """A page of the staff area: its errors are shown in the staff frame (ADR 0028)."""
    return request.path.startswith("/verwaltung/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # A form or JSON body larger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE: too large, not bad.
        return too_large_response(request)
    if _api(request):
        return problem(request, 400, "Bad request", "The request could not be read.")
    # Without the context processors: the request may be one they cannot read (a wrong host).
    return HttpResponse(render_to_string("errors/400.html"), status=400)


def _error_page(request: HttpRequest, status: int, title: str, detail: str) -> HttpResponse:
    """The error as a problem document for the API, else as a page of the staff or public frame."""
    if _api(request):
        return problem(request, status, title, detail)
    folder = "staff/errors" if _staff(request) else "errors"
    return render(request, f"{folder}/{status}.html", status=status)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403, "Forbidden", "You may not do this.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent after its page expired (or from another site): explain, offer the way back."""
    if _api(request):
        return problem(request, 403, "Forbidden", "The request was refused (CSRF check).")
    back = request.path if url_has_allowed_host_and_scheme(request.path, None) else "/"
    return render(request, "errors/403_csrf.html", {"back": back}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404, "Not found", "There is nothing at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while it handles the exception. A database that cannot be reached from a
    # middleware (the session read before the view, or saved after it) is the same 503 as from a
    # view (DatabaseUnavailableMiddleware): the visitor may try again in a minute.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return service_unavailable_response(request)
    # Rendered without the context processors: the failure may be the database itself.
    return HttpResponse(render_to_string("errors/500.html"), status=500)


# The demo's wordmark is an SVG that rathaus made; uploaded logos are checked images. Either is
# shown without scripts or outside resources, even when opened on its own.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@require_safe
def logo(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    """An authority's logo; public, and cached: a new logo is a new stored file, a new address."""
    if not Authority.objects.filter(logo_id=pk).exists():
        raise Http404("not a logo")
    stored = StoredFile.objects.get(pk=pk)
    response = files.response(stored, as_attachment=False)
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = LOGO_POLICY
    return response


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and feed readers ask for /favicon.ico without reading the page's icon link."""
    return HttpResponsePermanentRedirect(static("rathaus/favicon.svg"))

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core import health
from rathaus.core.models import OrgUnit
from rathaus.core.tenancy import current_authority


def _public_units(request: HttpRequest) -> list[OrgUnit]:
    authority = current_authority(request)
    if authority is None:
        return []
    return list(OrgUnit.objects.filter(authority=authority).select_related("parent"))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    return render(request, "core/home.html", {"units": _public_units(request)})


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        return render(request, "core/no_authority.html", status=503)
    return render(request, "core/contact.html", {"units": _public_units(request)})


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    if current_authority(request) is None:
        return render(request, "core/no_authority.html", status=503)
    return render(request, "core/privacy.html")


@never_cache
@require_safe
def health_view(request: HttpRequest) -> JsonResponse:
    result = health.report()
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the context processors: the failure may be the database itself.
    from django.template.loader import render_to_string

    return HttpResponse(render_to_string("errors/500.html"), status=500)

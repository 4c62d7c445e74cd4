"""The public page ``/digitalisierung/``: the digital projects the staff marked public, with
status, goal, milestones and funding, and what the platform measures itself."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from rathaus.core.tenancy import current_authority
from rathaus.projects import figures, report


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    items = [report.project_report(p) for p in report.projects_of(authority, public_only=True)]
    return render(
        request,
        "projects/list.html",
        {"authority": authority, "items": items, "platform": figures.measure(authority)},
    )

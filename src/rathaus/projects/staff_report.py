"""The staff page of the council paper (``/verwaltung/projekte/bericht/``): a preview of the
paper from live data with its change log, and the buttons that generate it as PDF or DOCX.
Generating keeps the paper's figures (the next paper's change log compares with them)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from rathaus.core.staff_views import staff_required
from rathaus.projects import render as renderer
from rathaus.projects import report
from rathaus.projects.models import ReportSnapshot
from rathaus.projects.staff_views import authorities, chosen


@never_cache
@require_safe
@staff_required
def report_page(request: HttpRequest) -> HttpResponse:
    kept = authorities(request)
    authority = chosen(request, kept)
    return render(
        request,
        "projects/staff/report.html",
        {
            "authority": authority,
            "authorities": kept,
            "report": report.build(authority),
            "snapshots": ReportSnapshot.objects.filter(authority=authority).select_related(
                "created_by"
            )[:20],
        },
    )


@never_cache
@require_POST
@staff_required
def report_file(request: HttpRequest) -> HttpResponse:
    kept = authorities(request)
    slug = request.POST.get("behoerde", "")[:100]
    authority = kept.filter(slug=slug).first() or kept.first()
    file_format = request.POST.get("format", "")
    if authority is None or file_format not in renderer.FORMATS:
        return HttpResponse(status=400)
    content, _report = renderer.generate(authority, file_format, request.user)
    name = f"informationsvorlage-digitalprojekte-{timezone.localdate():%Y-%m-%d}.{file_format}"
    response = HttpResponse(content, content_type=renderer.FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

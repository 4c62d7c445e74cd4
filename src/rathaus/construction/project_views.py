"""Public pages of the town's construction projects (/baustellen/bauvorhaben/).

The list groups the published projects of the request's authority by state (under
construction, planned, completed); a project's page shows its phases as a timeline, budget and
funding, pictures and the place in words, with a small map when JavaScript and a tile server
are there. Pictures are served only through :func:`picture`: those of published projects to
everyone, those of drafts to the staff who keep them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.construction import projects
from rathaus.construction.models import Project, ProjectPhase, ProjectPicture, Publication
from rathaus.core.files import response
from rathaus.core.staff_auth import is_verified_staff
from rathaus.core.tenancy import current_authority


def _pictures() -> Prefetch[Any]:
    return Prefetch(
        "pictures",
        ProjectPicture.objects.select_related("display", "file").order_by("position", "id"),
    )


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        projects.published(current_authority(request))
        .select_related("locality")
        .prefetch_related(_pictures())
        .order_by("starts_on", "title", "id")
    )
    groups = []
    for state in projects.STATE_ORDER:
        members = [project for project in rows if project.state == state]
        if state == Project.State.COMPLETED:
            members.reverse()  # the most recent first
        groups.append({"state": state, "heading": projects.STATE_HEADINGS[state],
                       "projects": members})  # fmt: skip
    return render(
        request,
        "construction/projects/list.html",
        {"groups": groups, "count": len(rows)},
    )


def _visible(request: HttpRequest, slug: str) -> Project:
    authority = current_authority(request)
    found = Project.objects.filter(authority=authority, slug=slug).select_related("locality")
    project = found.first()
    if project is None:
        raise Http404("no such project")
    if project.status != Publication.PUBLISHED and not (
        is_verified_staff(request.user) and projects.may_keep(request.user, authority)
    ):
        raise Http404("no such project")
    return project


@require_safe
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = _visible(request, slug)
    phases = list(ProjectPhase.objects.filter(project=project).order_by("position", "id"))
    pictures = list(
        ProjectPicture.objects.filter(project=project)
        .select_related("display")
        .order_by("position", "id")
    )
    map_options = None
    if project.geometry and settings.RATHAUS_MAP_TILE_URL:
        map_options = {
            "tileUrl": settings.RATHAUS_MAP_TILE_URL,
            "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
            "geometry": project.geometry,
            "label": _("Map: place of the project %(title)s") % {"title": project.title},
        }
    return render(
        request,
        "construction/projects/detail.html",
        {
            "project": project,
            "phases": phases,
            "pictures": pictures,
            "map_options": map_options,
            "draft": project.status != Publication.PUBLISHED,
        },
    )


@require_safe
def picture(request: HttpRequest, slug: str, pk: int, size: str = "display") -> FileResponse:
    """A picture of a project (the display version, or the full picture)."""
    project = _visible(request, slug)
    found = (
        ProjectPicture.objects.filter(project=project, pk=pk)
        .select_related("file", "display")
        .first()
    )
    if found is None:
        raise Http404("no such picture")
    stored = found.display if size == "display" and found.display is not None else found.file
    result = response(stored, as_attachment=False)
    if project.status == Publication.PUBLISHED:
        result["Cache-Control"] = "public, max-age=3600"
    else:
        result["Cache-Control"] = "private, no-store"
    return result

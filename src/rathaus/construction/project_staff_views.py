"""Staff pages of construction projects (/verwaltung/baustellen/bauvorhaben/).

Staff who keep the projects of the request's authority (:func:`projects.may_keep`) list,
create and edit them, add, change, remove and reorder phases and pictures, publish and
withdraw them; everyone else gets a 403 in the staff frame. A project of another authority is
a 404. Reordering works with buttons, without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.construction import projects
from rathaus.construction.models import Project, ProjectPhase, ProjectPicture
from rathaus.construction.project_forms import (
    PhaseForm,
    PictureForm,
    PictureUploadForm,
    ProjectForm,
)
from rathaus.construction.project_pictures import store_picture
from rathaus.core.files import UploadRejected
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import current_authority


def _authority(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None or not projects.may_keep(request.user, authority):
        raise PermissionDenied("only staff who keep the construction projects")
    return authority


def _project(request: HttpRequest, pk: int) -> Project:
    authority = _authority(request)
    found = Project.objects.select_related("authority", "locality").filter(
        pk=pk, authority=authority
    )
    project = found.first()
    if project is None:
        raise Http404("no such project")
    return project


def _edit_url(project: Project, anchor: str = "") -> str:
    return reverse("construction_projects_staff:edit", args=[project.pk]) + anchor


@never_cache
@require_safe
@staff_required
def project_list(request: HttpRequest) -> HttpResponse:
    authority = _authority(request)
    rows = (
        Project.objects.filter(authority=authority)
        .select_related("locality")
        .annotate(phase_count=Count("phases", distinct=True),
                  picture_count=Count("pictures", distinct=True))
        .order_by("title", "id")
    )  # fmt: skip
    return render(
        request,
        "construction/projects/staff/list.html",
        {"authority": authority, "projects": rows},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    authority = _authority(request)
    project = _project(request, pk) if pk is not None else Project(authority=authority)
    form = ProjectForm(request.POST or None, instance=project, authority=authority)
    if request.method == "POST" and form.is_valid():
        saved = projects.save_project(form.save(commit=False), request.user, form.changed_data)
        messages.success(request, _("The project “%(title)s” was saved.") % {"title": saved.title})
        return redirect(_edit_url(saved))
    context: dict[str, Any] = {"authority": authority, "project": project, "form": form}
    if project.pk is not None:
        project = (
            Project.objects.filter(pk=project.pk)
            .select_related("locality")
            .prefetch_related(
                Prefetch("phases", ProjectPhase.objects.order_by("position", "id")),
                Prefetch("pictures", ProjectPicture.objects.order_by("position", "id")),
            )
            .get()
        )
        context["project"] = project
        context["missing"] = _missing_for_publication(project)
    return render(
        request,
        "construction/projects/staff/edit.html",
        context,
        status=422 if form.is_bound else 200,
    )


def _missing_for_publication(project: Project) -> list[str]:
    missing = []
    if not project.summary:
        missing.append(_("a summary"))
    if project.locality_id is None and not project.geometry:
        missing.append(_("the village or the place on the map"))
    return missing


@require_POST
@staff_required
def project_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    if request.POST.get("aktion") == "zurueckziehen":
        projects.withdraw(project, request.user)
        messages.success(request, _("The project is no longer shown to the public."))
        return redirect(_edit_url(project))
    missing = _missing_for_publication(project)
    if missing:
        messages.error(
            request,
            _("The project cannot be published yet. Missing: %(list)s.")
            % {"list": ", ".join(missing)},
        )
        return redirect(_edit_url(project, "#publication-heading"))
    projects.publish(project, request.user)
    messages.success(request, _("The project is published."))
    return redirect(_edit_url(project))


# --- phases ----------------------------------------------------------------------------------


def _phase(request: HttpRequest, pk: int, phase: int) -> tuple[Project, ProjectPhase]:
    project = _project(request, pk)
    found = ProjectPhase.objects.filter(project=project, pk=phase).first()
    if found is None:
        raise Http404("no such phase")
    found.project = project
    return project, found


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def phase_edit(request: HttpRequest, pk: int, phase: int | None = None) -> HttpResponseBase:
    if phase is None:
        project = _project(request, pk)
        instance = ProjectPhase(project=project)
    else:
        project, instance = _phase(request, pk, phase)
    form = PhaseForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = projects.save_phase(form.save(commit=False), request.user, form.changed_data)
        messages.success(request, _("The phase “%(title)s” was saved.") % {"title": saved.title})
        return redirect(_edit_url(project, "#phases-heading"))
    return render(
        request,
        "construction/projects/staff/phase.html",
        {"authority": project.authority, "project": project, "phase": instance, "form": form},
        status=422 if form.is_bound else 200,
    )


@require_POST
@staff_required
def phase_move(request: HttpRequest, pk: int, phase: int) -> HttpResponseBase:
    project, found = _phase(request, pk, phase)
    projects.move(found, request.POST.get("richtung") == "hoch", request.user)
    return redirect(_edit_url(project, "#phases-heading"))


@require_POST
@staff_required
def phase_remove(request: HttpRequest, pk: int, phase: int) -> HttpResponseBase:
    project, found = _phase(request, pk, phase)
    projects.remove_phase(found, request.user)
    messages.success(request, _("The phase “%(title)s” was removed.") % {"title": found.title})
    return redirect(_edit_url(project, "#phases-heading"))


# --- pictures --------------------------------------------------------------------------------


def _picture(request: HttpRequest, pk: int, picture: int) -> tuple[Project, ProjectPicture]:
    project = _project(request, pk)
    found = ProjectPicture.objects.filter(project=project, pk=picture).first()
    if found is None:
        raise Http404("no such picture")
    found.project = project
    return project, found


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def picture_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    project = _project(request, pk)
    form = PictureUploadForm(request.POST or None, request.FILES or None,
                             instance=ProjectPicture(project=project))  # fmt: skip
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                stored = store_picture(form.cleaned_data["picture"])
            except UploadRejected as rejected:
                form.add_error("picture", rejected.message)
                status = rejected.status
            else:
                picture = form.save(commit=False)
                picture.file, picture.display = stored.file, stored.display
                picture.width, picture.height = stored.width, stored.height
                projects.add_picture(picture, request.user)
                messages.success(request, _("The picture was added."))
                return redirect(_edit_url(project, "#pictures-heading"))
    response = render(
        request,
        "construction/projects/staff/picture.html",
        {"authority": project.authority, "project": project, "picture": None, "form": form},
        status=status,
    )
    if status == 503:
        response["Retry-After"] = "300"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def picture_edit(request: HttpRequest, pk: int, picture: int) -> HttpResponseBase:
    project, found = _picture(request, pk, picture)
    form = PictureForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        projects.change_picture(form.save(commit=False), request.user, form.changed_data)
        messages.success(request, _("The picture was saved."))
        return redirect(_edit_url(project, "#pictures-heading"))
    return render(
        request,
        "construction/projects/staff/picture.html",
        {"authority": project.authority, "project": project, "picture": found, "form": form},
        status=422 if form.is_bound else 200,
    )


@require_POST
@staff_required
def picture_move(request: HttpRequest, pk: int, picture: int) -> HttpResponseBase:
    project, found = _picture(request, pk, picture)
    projects.move(found, request.POST.get("richtung") == "hoch", request.user)
    return redirect(_edit_url(project, "#pictures-heading"))


@require_POST
@staff_required
def picture_remove(request: HttpRequest, pk: int, picture: int) -> HttpResponseBase:
    project, found = _picture(request, pk, picture)
    projects.remove_picture(found, request.user)
    messages.success(request, _("The picture was removed."))
    return redirect(_edit_url(project, "#pictures-heading"))

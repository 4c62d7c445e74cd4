"""Staff pages of digital projects below ``/verwaltung/projekte/`` (ADR 0072).

Who may use them: :mod:`rathaus.projects.keepers` — superusers, members with the role
"Administration" or "Projekte" in a unit of the authority, or holders of
``projects.change_project``. Others get a 403; a project of an authority the user does not
keep is a 404. Changes go through :mod:`rathaus.projects.services`, which audits them. A
refused entry shows the project page again with the form as typed and the message next to
the field (status 400).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.projects import keepers, report, services
from rathaus.projects import staff_forms as f
from rathaus.projects.models import Grant, Milestone, Project, ReportDeadline


def authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the projects of no authority")
    return found


def chosen(request: HttpRequest, kept: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    found = kept.filter(slug=slug).first() if slug else None
    return found or kept.first()  # type: ignore[return-value]


def _project(request: HttpRequest, pk: int) -> Project:
    found = report.projects_of_kept(pk, authorities(request))
    if found is None:
        raise Http404("no project of the user's authorities")
    return found


@never_cache
@require_safe
@staff_required
def project_list(request: HttpRequest) -> HttpResponse:
    kept = authorities(request)
    authority = chosen(request, kept)
    items = [report.project_report(p) for p in report.projects_of(authority)]
    return render(
        request,
        "projects/staff/list.html",
        {"authority": authority, "authorities": kept, "items": items},
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def project_add(request: HttpRequest) -> HttpResponse:
    authority = chosen(request, authorities(request))
    form = f.ProjectForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.save_project(authority, form.cleaned_data, request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("projects_staff:project", project.pk)
    return render(
        request,
        "projects/staff/add.html",
        {"authority": authority, "form": form},
        status=400 if form.errors else 200,
    )


def _add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    for name, texts in error.message_dict.items():
        form.add_error(name if name in form.fields else None, texts)


def _forms(project: Project, data: Any = None, which: str = "") -> dict[str, Any]:
    """Every form of the project page; only ``which`` is bound to ``data``."""
    authority = project.authority

    def make(name: str, cls: Callable[..., forms.BaseForm], **kwargs: Any) -> forms.BaseForm:
        bound = data if name == which else None
        return cls(bound, prefix=name, **kwargs)

    return {
        # a copy: a bound ModelForm writes what was typed into its instance, and the page's
        # heading shows the project as it is stored
        "project_form": make(
            "project",
            f.ProjectForm,
            instance=Project.objects.get(pk=project.pk),
            authority=authority,
        ),
        "milestone_form": make("milestone", f.MilestoneForm),
        "risk_form": make("risk", f.RiskForm),
        "paper_form": make("paper", f.PaperForm),
        "programme_form": make("programme", f.ProgrammeForm),
        "grant_form": make("grant", f.GrantForm, authority=authority),
    }


def _page(
    request: HttpRequest, project: Project, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    item = report.project_report(project)
    bound = context.get("grant_forms", {})
    for row in item.grants:
        pk = row.grant.pk
        row.forms = {
            part: {
                "form": bound.get((pk, part)) or cls(prefix=f"{part}-{pk}"),
                "name": f"{part}-{pk}",
            }
            for part, (cls, _change) in GRANT_PARTS.items()
        }
    return render(
        request,
        "projects/staff/project.html",
        {"authority": project.authority, "project": project, "item": item, **context},
        status=status,
    )


@never_cache
@require_safe
@staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    return _page(request, project, _forms(project))


PROJECT_PARTS: dict[str, Callable[[Project, dict[str, Any], Any], Any]] = {
    "project": lambda project, data, user: services.save_project(
        project.authority, data, user, project
    ),
    "milestone": services.add_milestone,
    "risk": services.add_risk,
    "paper": services.link_paper,
    "programme": lambda project, data, user: services.add_programme(project.authority, data, user),
    "grant": services.add_grant,
}
GRANT_PARTS: dict[str, tuple[type[forms.BaseForm], Callable[[Grant, dict[str, Any], Any], Any]]] = {
    "extension": (f.ExtensionForm, services.extend),
    "payment": (f.PaymentForm, services.add_payment),
    "deadline": (f.DeadlineForm, services.add_deadline),
}


@never_cache
@require_POST
@staff_required
def project_part(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    project = _project(request, pk)
    if part not in PROJECT_PARTS:
        raise Http404("no such part")
    context = _forms(project, request.POST, part)
    form = context[f"{part}_form"]
    if form.is_valid():
        try:
            PROJECT_PARTS[part](project, form.cleaned_data, request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("projects_staff:project", args=[project.pk]) + f"#{part}")
    return _page(request, project, {**context, "failed": part, "form": form}, status=400)


@never_cache
@require_POST
@staff_required
def grant_part(request: HttpRequest, pk: int, grant: int, part: str) -> HttpResponse:
    project = _project(request, pk)
    found = project.grants.filter(pk=grant).first()
    if found is None or part not in GRANT_PARTS:
        raise Http404("no such grant")
    cls, change = GRANT_PARTS[part]
    form = cls(request.POST, prefix=f"{part}-{found.pk}")
    if form.is_valid():
        try:
            change(found, form.cleaned_data, request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                reverse("projects_staff:project", args=[project.pk]) + f"#grant-{found.pk}"
            )
    return _page(
        request,
        project,
        {
            **_forms(project),
            "grant_forms": {(found.pk, part): form},
            "failed": f"{part}-{found.pk}",
            "form": form,
        },
        status=400,
    )


@never_cache
@require_POST
@staff_required
def mark_day(request: HttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    """A milestone reached or a report submitted, on a date."""
    project = _project(request, pk)
    form = f.DayForm(request.POST, prefix=f"{kind}-{item}")
    target: Milestone | ReportDeadline | None
    if kind == "meilenstein":
        target = Milestone.objects.filter(project=project, pk=item).first()
    elif kind == "bericht":
        target = ReportDeadline.objects.filter(grant__project=project, pk=item).first()
    else:
        target = None
    if target is None:
        raise Http404("no such milestone or report")
    if not form.is_valid():
        messages.error(request, _("Please give the date as day, month and year."))
    elif isinstance(target, Milestone):
        services.reach_milestone(target, form.cleaned_data["on"], request.user)
        messages.success(request, _("The milestone is marked as reached."))
    else:
        services.submit_report(target, form.cleaned_data["on"], request.user)
        messages.success(request, _("The report is marked as submitted."))
    return redirect(reverse("projects_staff:project", args=[project.pk]))

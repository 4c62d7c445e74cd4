"""Staff pages of participation processes (``/verwaltung/mitmachen/``): the list, a process
with its state, its phases and the survey of a phase.

Who may use them: ``keepers`` — superusers, members with the role "Administration" or
"Beteiligung" in a unit of the authority, or holders of ``participation.change_process``.
Others get a 403; a process of an authority the user does not keep is a 404. Every change is
audited (``participation.*``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required
from rathaus.participation import keepers, services
from rathaus.participation.models import Phase, Process, Response, Survey
from rathaus.participation.staff_forms import PhaseForm, ProcessForm, SurveyForm


def authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = keepers.kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("runs the participation of no authority")
    return found


def chosen_authority(request: HttpRequest) -> Authority:
    """The authority of ``?behoerde=`` among the user's, else their first."""
    found = authorities(request)
    slug = request.GET.get("behoerde", "")[:100]
    chosen = found.filter(slug=slug).first() if slug else None
    return chosen or found.first()  # type: ignore[return-value]


def process_of(request: HttpRequest, pk: int) -> Process:
    process = (
        Process.objects.select_related("authority")
        .filter(pk=pk, authority__in=authorities(request))
        .first()
    )
    if process is None:
        raise Http404("no process of the user's authorities")
    return process


def survey_of(request: HttpRequest, pk: int) -> Survey:
    survey = (
        Survey.objects.select_related("phase__process__authority")
        .filter(pk=pk, phase__process__authority__in=authorities(request))
        .first()
    )
    if survey is None:
        raise Http404("no survey of the user's authorities")
    return survey


def process_url(process: Process) -> str:
    return reverse("participation_staff:process", args=[process.pk])


def saved(request: HttpRequest, form: Any, action: str, owner: Authority, /, **fields: Any) -> Any:
    """Save ``form`` (with ``fields`` set) and audit it in the chain of ``owner``, in one
    transaction."""
    with transaction.atomic():
        obj = form.save(commit=False)
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.save()
        audit.record(action, actor=request.user, authority=owner, obj=obj,
                     details={"fields": sorted(form.changed_data)})  # fmt: skip
    return obj


@never_cache
@require_safe
@staff_required
def process_list(request: HttpRequest) -> HttpResponse:
    authority = chosen_authority(request)
    processes = Process.objects.filter(authority=authority).order_by("-created_at")
    context = {"authority": authority, "authorities": authorities(request),
               "processes": processes}  # fmt: skip
    return render(request, "participation/staff/list.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def process_add(request: HttpRequest) -> HttpResponseBase:
    authority = chosen_authority(request)
    form = ProcessForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        process = saved(
            request, form, "participation.process.created", authority, authority=authority
        )
        messages.success(request, _("The process was saved as a draft. Now add its phases."))
        return redirect(process_url(process))
    context = {"form": form, "authority": authority, "process": None}
    return render(request, "participation/staff/process.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def process_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    process = process_of(request, pk)
    form = ProcessForm(request.POST or None, instance=process, authority=process.authority)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.process.changed", process.authority)
        messages.success(request, _("The process was saved."))
        return redirect(process_url(process))
    phases = process.phases.select_related("survey").order_by("starts_on", "id")
    context = {
        "form": form, "authority": process.authority, "process": process, "phases": phases,
        "phase_form": PhaseForm(process=process),
        "answered": Response.objects.filter(survey__phase__process=process).exists(),
    }  # fmt: skip
    return render(request, "participation/staff/process.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@require_POST
@staff_required
def process_state(request: HttpRequest, pk: int) -> HttpResponseBase:
    process = process_of(request, pk)
    state = request.POST.get("zustand", "")
    if state not in Process.State.values or not services.change_state(process, state, request.user):
        messages.error(
            request,
            _("This change of state is not possible. A process with answers cannot go back to "
              "draft; close it instead."),
        )  # fmt: skip
    elif state == Process.State.PUBLISHED and not process.phases.exists():
        messages.warning(request, _("The process is public, but has no phases yet."))
    else:
        messages.success(request, _("The process is now: %(state)s.")
                         % {"state": Process.State(state).label})  # fmt: skip
    return redirect(process_url(process))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def phase_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    process = process_of(request, pk)
    form = PhaseForm(request.POST or None, process=process)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.phase.created", process.authority, process=process)
        messages.success(request, _("The phase was added."))
        return redirect(process_url(process))
    context = {"form": form, "process": process, "phase": None}
    return render(request, "participation/staff/phase.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def phase_edit(request: HttpRequest, pk: int, phase: int) -> HttpResponseBase:
    process = process_of(request, pk)
    found = Phase.objects.filter(process=process, pk=phase).first()
    if found is None:
        raise Http404("no phase of this process")
    form = PhaseForm(request.POST or None, instance=found, process=process)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.phase.changed", process.authority)
        messages.success(request, _("The phase was saved."))
        return redirect(process_url(process))
    context = {"form": form, "process": process, "phase": found}
    return render(request, "participation/staff/phase.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@require_POST
@staff_required
def phase_remove(request: HttpRequest, pk: int, phase: int) -> HttpResponseBase:
    process = process_of(request, pk)
    found = Phase.objects.filter(process=process, pk=phase).first()
    if found is None:
        raise Http404("no phase of this process")
    if Response.objects.filter(survey__phase=found).exists():
        messages.error(request, _("This phase holds a survey with answers; it stays."))
        return redirect(process_url(process))
    with transaction.atomic():
        audit.record("participation.phase.removed", actor=request.user,
                     authority=process.authority, obj=found)  # fmt: skip
        found.delete()
    messages.success(request, _("The phase was removed."))
    return redirect(process_url(process))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def survey_add(request: HttpRequest, pk: int, phase: int) -> HttpResponseBase:
    process = process_of(request, pk)
    found = Phase.objects.filter(process=process, pk=phase, survey__isnull=True).first()
    if found is None:
        raise Http404("no phase without a survey")
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        survey = saved(request, form, "participation.survey.created", process.authority,
                       phase=found)  # fmt: skip
        messages.success(request, _("The survey was created. Now add its questions."))
        return redirect(reverse("participation_staff:survey", args=[survey.pk]))
    context = {"form": form, "process": process, "phase": found}
    return render(request, "participation/staff/survey_add.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip

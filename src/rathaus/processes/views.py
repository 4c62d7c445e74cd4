"""Staff pages of processes: a case's task with its form, the process diagram, retrying a step,
and the process models (list, upload of a new version)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.cases.access import visible_cases
from rathaus.cases.models import Case
from rathaus.cases.staff_views import application_data
from rathaus.core import refusals, roles
from rathaus.core.models import Membership
from rathaus.core.staff_views import staff_required
from rathaus.forms.rendering import StepBinder
from rathaus.forms.views import _error_list as forms_error_list
from rathaus.processes import engine
from rathaus.processes.bpmn import ModelInvalid, parse
from rathaus.processes.models import ProcessInstance, ProcessModel, ProcessTask


def _case(request: HttpRequest, number: str) -> Case:
    case = (
        visible_cases(request.user)
        .select_related("org_unit", "assignee")
        .filter(number=number)
        .first()
    )
    if case is None:
        raise refusals.not_found(request, Case, "no such case in the user's units", number=number)
    return case


def _decision_preview(
    request: HttpRequest, case: Case, item: ProcessTask, spec: Any, data: dict[str, Any]
) -> HttpResponseBase | None:
    """A task that decides (its form asks for ``outcome``) shows the letter before it is sent;
    the page's "Senden" posts the same answers again with ``_send``. None: go on as usual."""
    from rathaus.cases import decisions
    from rathaus.cases.services import CaseActionRefused

    if "outcome" not in spec.field_templates or request.POST.get("_send") == "1":
        return None
    if item.status != ProcessTask.Status.OPEN or spec.errors(data):
        return None  # the usual page says what is wrong
    outcome, reasons = str(data.get("outcome", "")), str(data.get("reasons", ""))
    try:
        letter = decisions.preview(case, request.user, outcome, reasons)
    except CaseActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("cases_staff:case", case.number)
    answers = [(k, v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"]
    return render(request, "processes/task_preview.html", {
        "case": case, "task": item, "answers": answers,
        "outcome_label": decisions.Outcome(outcome).label,
        "letter": decisions.letter_body(letter),
    })  # fmt: skip


def _process_section(case: Case) -> str:
    """The "Process" section of the case page: where a completed or retried step shows."""
    return reverse("cases_staff:case", args=[case.number]) + "?tab=prozess"


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def task(request: HttpRequest, number: str, task_id: str) -> HttpResponseBase:
    case = _case(request, number)
    item = (
        ProcessTask.objects.select_related("instance__version__model", "completed_by")
        .filter(case=case, pk=task_id)
        .first()
    )
    if item is None:
        raise Http404("no such task in this case")
    item.case = case
    in_lane = not item.lane or engine.lane_allows(item, request.user)
    spec = engine.task_form(item)
    data: dict[str, Any] = dict(item.answers)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = spec.read_step(0, request.POST, {})
        preview = _decision_preview(request, case, item, spec, data)
        if preview is not None:
            return preview
        try:
            engine.complete_task(item, request.user, data)
        except engine.TaskFormInvalid as invalid:
            errors, data, status = invalid.errors, invalid.answers, 422
        except engine.TaskRefused as refused:
            messages.error(request, str(refused))
            return redirect("cases_staff:case", case.number)
        except PermissionError:
            raise Http404("not the user's case") from None
        else:
            instance = ProcessInstance.objects.get(pk=item.instance_id)
            if instance.status == ProcessInstance.Status.FAILED:
                messages.error(request, _failed_message(instance))
            else:
                messages.success(request, _completed_message(item))
            return redirect(_process_section(case))
    return render(
        request,
        "processes/task.html",
        {
            "case": case,
            "task": item,
            "step": spec.steps[0] if spec.steps else None,
            "elements": StepBinder(spec, 0, data, errors).bind() if spec.steps else [],
            "error_list": forms_error_list(errors, spec),
            "editable": item.status == ProcessTask.Status.OPEN and case.is_open and in_lane,
            "in_lane": in_lane,
            **application_data(case),
        },
        status=status,
    )


def _completed_message(item: ProcessTask) -> str:
    return _("“%(task)s” is done.") % {"task": item.title}


def _failed_message(instance: ProcessInstance) -> str:
    return _("The task is done, but the next step “%(step)s” failed: %(error)s") % {
        "step": instance.error_task,
        "error": instance.error,
    }


@require_POST
@staff_required
def retry(request: HttpRequest, number: str) -> HttpResponseBase:
    case = _case(request, number)
    instance = ProcessInstance.objects.filter(case=case).first()
    if instance is None:
        raise Http404("no process")
    try:
        instance = engine.retry(instance, request.user)
    except engine.TaskRefused as refused:
        messages.error(request, str(refused))
    else:
        if instance.status == ProcessInstance.Status.FAILED:
            messages.error(request, _failed_message(instance))
        else:
            messages.success(request, _("The step was run again successfully."))
    return redirect(_process_section(case))


@never_cache
@require_safe
@staff_required
def diagram(request: HttpRequest, number: str) -> HttpResponse:
    """The BPMN XML of the case's pinned process version, for the diagram viewer."""
    case = _case(request, number)
    instance = ProcessInstance.objects.select_related("version").filter(case=case).first()
    if instance is None:
        raise Http404("no process")
    response = HttpResponse(instance.version.bpmn_xml, content_type="application/xml")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- process models ------------------------------------------------------------------------------


def _can_change_models(user: Any) -> bool:
    return bool(
        user.is_superuser
        or Membership.objects.filter(
            user=user, role__name__in=(roles.HEAD, roles.ADMINISTRATOR)
        ).exists()
    )


def _models(user: Any) -> QuerySet[ProcessModel]:
    from django.db.models import Q

    authorities = Membership.objects.filter(user=user).values_list(
        "org_unit__authority_id", flat=True
    )
    return ProcessModel.objects.filter(
        Q(authority__isnull=True) | Q(authority_id__in=authorities)
    ).select_related("authority", "form")


@never_cache
@require_safe
@staff_required
def model_list(request: HttpRequest) -> HttpResponse:
    models = list(_models(request.user).prefetch_related("versions"))
    return render(
        request,
        "processes/models.html",
        {"models": models, "can_change": _can_change_models(request.user)},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def model_detail(request: HttpRequest, slug: str) -> HttpResponseBase:
    from rathaus.processes import packages

    model = _models(request.user).filter(slug=slug).first()
    if model is None:
        raise Http404("no such process model")
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if not _can_change_models(request.user):
            raise PermissionDenied("only heads and administrators change process models")
        upload = request.FILES.get("bpmn")
        current = model.current_version()
        if upload is None:
            problems = [_("Please choose a BPMN file.")]
        elif upload.size is not None and upload.size > 2 * 1024 * 1024:
            problems = [_("The file is larger than 2 MB.")]
        else:
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                problems = [_("The file is not UTF-8 text.")]
            else:
                forms = current.task_forms if current is not None else {}
                try:
                    version, created = packages.add_version(model, text, forms, user=request.user)
                except ModelInvalid as invalid:
                    problems = invalid.problems
                else:
                    for note in parse(text, forms).notes:  # vendor extensions not read (ADR 0031)
                        messages.info(request, note)
                    if created:
                        messages.success(
                            request,
                            _("Version %(number)s is stored. New cases use it; running cases "
                              "keep their version.") % {"number": version.number},
                        )  # fmt: skip
                    else:
                        messages.info(
                            request,
                            _("This file is already stored as version %(number)s.")
                            % {"number": version.number},
                        )
                    return redirect("processes:model", model.slug)
        status = 422
    versions = list(model.versions.select_related("created_by"))
    steps = []
    if versions:
        from rathaus.processes.engine import _parsed

        steps = _parsed(versions[0].pk).steps
    return render(
        request,
        "processes/model.html",
        {
            "model": model,
            "versions": versions,
            "steps": steps,
            "problems": problems,
            "can_change": _can_change_models(request.user),
        },
        status=status,
    )


@never_cache
@require_safe
@staff_required
def model_xml(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    model = _models(request.user).filter(slug=slug).first()
    version = model.versions.filter(number=number).first() if model is not None else None
    if version is None:
        raise Http404("no such version")
    response = HttpResponse(version.bpmn_xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{model.slug}-v{number}.bpmn"'  # type: ignore[union-attr]
    return response

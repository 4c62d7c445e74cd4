"""Public pages below ``/mitmachen/``: the processes, a process with its phases, the survey
(page by page, conditions decided on the server), the resume link, and the results."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts import trust
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.participation import eligibility, questionnaire, results, services
from rathaus.participation.models import Process, Survey

PUBLIC_STATES = (Process.State.PUBLISHED, Process.State.CLOSED)


def _authority(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    return authority


def _process(request: HttpRequest, slug: str) -> Process:
    process = (
        Process.objects.select_related("authority")
        .filter(authority=_authority(request), slug=slug, state__in=PUBLIC_STATES)
        .first()
    )
    if process is None:
        raise Http404("no public process with this name")
    return process


def _survey(process: Process, uid: uuid.UUID) -> Survey:
    survey = Survey.objects.select_related("phase__process__authority").filter(
        uid=uid, phase__process=process).first()  # fmt: skip
    if survey is None:
        raise Http404("no survey of this process")
    return survey


@require_safe
def process_list(request: HttpRequest) -> HttpResponse:
    processes = (
        Process.objects.filter(authority=_authority(request), state__in=PUBLIC_STATES)
        .prefetch_related("phases")
        .order_by("state", "-created_at")
    )
    today = timezone.localdate()
    running = [p for p in processes if p.state == Process.State.PUBLISHED]
    closed = [p for p in processes if p.state == Process.State.CLOSED]
    for process in processes:
        process.current = next(  # type: ignore[attr-defined]
            (phase for phase in process.phases.all() if phase.starts_on <= today <= phase.ends_on),
            None,
        )
    return render(request, "participation/list.html", {"running": running, "closed": closed})


@require_safe
def process_detail(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    today = timezone.localdate()
    phases = list(process.phases.select_related("survey").order_by("starts_on", "id"))
    for phase in phases:
        phase.current = phase.starts_on <= today <= phase.ends_on  # type: ignore[attr-defined]
        phase.past = phase.ends_on < today  # type: ignore[attr-defined]
        survey = getattr(phase, "survey", None)
        if survey is not None:
            survey.open = results.is_open(survey, today)
            survey.public_results = results.are_public(survey, today)
    context = {"process": process, "phases": phases}
    return render(request, "participation/process.html", context)


def _session_key(survey: Survey) -> str:
    return f"participation-{survey.uid}"


def _gate(request: HttpRequest, survey: Survey) -> HttpResponse | None:
    """The page that stands in the way of answering (closed, not eligible, answered)."""
    process = survey.phase.process
    context: dict[str, Any] = {"process": process, "survey": survey}
    if not results.is_open(survey):
        return render(request, "participation/survey_closed.html", context)
    refusal = eligibility.refusal(process, request.user, trust.current_level(request))
    if refusal is not None:
        context["refusal"] = refusal
        return render(request, "participation/not_eligible.html", context, status=403)
    if survey.once_per_person and services.has_answered(survey, request.user):
        return render(request, "participation/answered.html", context, status=409)
    return None


def _page_number(value: Any, available: list[int], default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number in available else default


@never_cache
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    process = _process(request, slug)
    survey = _survey(process, uid)
    blocked = _gate(request, survey)
    if blocked is not None:
        return blocked
    token = request.session.get(_session_key(survey))
    draft = services.draft_for(survey, request.user, token)
    answers: dict[str, Any] = dict(draft.answers) if draft else {}
    all_questions = questionnaire.questions(survey)
    if not all_questions:
        raise Http404("a survey without questions")
    shown = questionnaire.visible(all_questions, answers)
    page_list = questionnaire.pages(shown)
    if request.method == "GET":
        page = _page_number(request.GET.get("seite"), page_list, draft.page if draft else 1)
        page = page if page in page_list else page_list[0]
        return _render_page(request, survey, shown, answers, page, {})
    page = _page_number(request.POST.get("seite"), page_list, page_list[0])
    errors: dict[str, str] = {}
    for question in shown:
        if question.page == page:
            value, error = questionnaire.read(question, request.POST)
            answers[str(question.uid)] = value
            if error:
                errors[str(question.uid)] = error
    action = request.POST.get("aktion", "weiter")
    shown = questionnaire.visible(all_questions, answers)
    page_list = questionnaire.pages(shown)
    kept = answers  # answers of questions hidden now are kept in the draft, dropped when sent
    if action == "zurueck":
        earlier = [number for number in page_list if number < page] or [page_list[0]]
        _save(request, survey, kept, earlier[-1])
        return redirect(f"{request.path}?seite={earlier[-1]}")
    if action == "speichern":
        _save(request, survey, kept, page)
        return redirect(reverse("participation:saved", args=[process.slug, survey.uid]))
    if errors:
        _save(request, survey, kept, page)
        return _render_page(request, survey, shown, answers, page, errors, status=422)
    later = [number for number in page_list if number > page]
    if action == "weiter" and later:
        _save(request, survey, kept, later[0])
        return redirect(f"{request.path}?seite={later[0]}")
    return _submit(request, survey, shown, kept, page)


def _save(request: HttpRequest, survey: Survey, answers: dict[str, Any], page: int) -> None:
    token = request.session.get(_session_key(survey))
    _draft, new_token = services.save_draft(survey, request.user, token, answers, page)
    if new_token is not None:
        request.session[_session_key(survey)] = new_token


def _submit(request: HttpRequest, survey: Survey, shown: list[Any], answers: dict[str, Any],
            page: int) -> HttpResponseBase:  # fmt: skip
    token = request.session.get(_session_key(survey))
    try:
        services.submit(survey, request.user, answers, token)
    except services.Incomplete as incomplete:
        _save(request, survey, answers, page)
        first = min(q.page for q in shown if str(q.uid) in incomplete.errors)
        return _render_page(request, survey, shown, answers, first, incomplete.errors, status=422)
    except services.AlreadyAnswered:
        context = {"process": survey.phase.process, "survey": survey}
        return render(request, "participation/answered.html", context, status=409)
    request.session.pop(_session_key(survey), None)
    return redirect(reverse("participation:thanks", args=[survey.phase.process.slug, survey.uid]))


def _render_page(request: HttpRequest, survey: Survey, shown: list[Any], answers: dict[str, Any],
                 page: int, errors: dict[str, str], status: int = 200) -> HttpResponse:  # fmt: skip
    page_list = questionnaire.pages(shown)
    page = page if page in page_list else page_list[0]
    on_page = [question for question in shown if question.page == page]
    context = {
        "process": survey.phase.process, "survey": survey, "page": page,
        "page_index": page_list.index(page) + 1, "page_count": len(page_list),
        "first": page == page_list[0], "last": page == page_list[-1],
        "fields": questionnaire.fields(on_page, answers, errors), "errors": errors,
        "anonymous": not request.user.is_authenticated,
    }  # fmt: skip
    return render(request, "participation/survey.html", context, status=status)


@never_cache
@require_safe
def saved(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    """After "save and continue later": the resume link (without an account) or a note."""
    process = _process(request, slug)
    survey = _survey(process, uid)
    token = request.session.get(_session_key(survey))
    link = ""
    if not request.user.is_authenticated and token:
        link = request.build_absolute_uri(
            reverse("participation:resume", args=[process.slug, survey.uid, token])
        )
    context = {"process": process, "survey": survey, "link": link}
    return render(request, "participation/saved.html", context)


@never_cache
@require_safe
def resume(request: HttpRequest, slug: str, uid: uuid.UUID, token: str) -> HttpResponseBase:
    process = _process(request, slug)
    survey = _survey(process, uid)
    draft = services.draft_for(survey, None, token[:100])
    if draft is None:
        context = {"process": process, "survey": survey}
        return render(request, "participation/resume_invalid.html", context, status=404)
    request.session[_session_key(survey)] = token[:100]
    messages.success(request, _("Welcome back: your answers so far are filled in."))
    url = reverse("participation:survey", args=[process.slug, survey.uid])
    return redirect(f"{url}?seite={draft.page}")


@never_cache
@require_safe
def thanks(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    process = _process(request, slug)
    survey = _survey(process, uid)
    return render(request, "participation/thanks.html", {"process": process, "survey": survey})


@require_safe
def results_page(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    process = _process(request, slug)
    survey = _survey(process, uid)
    context: dict[str, Any] = {"process": process, "survey": survey}
    if not results.are_public(survey):
        return render(request, "participation/results_later.html", context)
    total, found = results.compute(survey)
    context |= {"total": total, "results": found, "open": results.is_open(survey)}
    return render(request, "participation/results.html", context)

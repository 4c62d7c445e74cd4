"""Staff pages of a survey (``/verwaltung/mitmachen/umfragen/<id>/``): its questions with their
conditions, the results with the CSV export, publishing the results, and the review of free
texts (approve, or hide with a reason) before they are shown in public.

Once answers were given, the questions are locked: a changed question would change the meaning
of answers already given. Access as in :mod:`rathaus.participation.staff_processes`.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit
from rathaus.core.spreadsheets import csv_response
from rathaus.core.staff_views import staff_required
from rathaus.participation import results, services
from rathaus.participation.models import Answer, Question, Response, Survey
from rathaus.participation.staff_forms import HideForm, QuestionForm, SurveyForm
from rathaus.participation.staff_processes import saved, survey_of


def _url(survey: Survey) -> str:
    return reverse("participation_staff:survey", args=[survey.pk])


def _locked(survey: Survey) -> bool:
    return Response.objects.filter(survey=survey).exists()


def _question(survey: Survey, pk: int) -> Question:
    question = survey.questions.filter(pk=pk).first()
    if question is None:
        raise Http404("no question of this survey")
    return question


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def survey_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey = survey_of(request, pk)
    process = survey.phase.process
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.survey.changed", process.authority)
        messages.success(request, _("The survey was saved."))
        return redirect(_url(survey))
    context = {
        "form": form, "survey": survey, "process": process, "locked": _locked(survey),
        "questions": survey.questions.select_related("shown_if_question")
        .order_by("page", "position", "id"),
        "pending": Answer.objects.filter(question__survey=survey,
                                         review=Answer.Review.PENDING).count(),
    }  # fmt: skip
    return render(request, "participation/staff/survey.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


def _refuse_locked(request: HttpRequest, survey: Survey) -> HttpResponseBase:
    messages.error(request, _("Answers were given already, so the questions can no longer be "
                              "changed."))  # fmt: skip
    return redirect(_url(survey))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def question_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey = survey_of(request, pk)
    if _locked(survey):
        return _refuse_locked(request, survey)
    last = survey.questions.order_by("-page", "-position").first()
    initial = {"page": last.page if last else 1, "position": (last.position + 1) if last else 1}
    form = QuestionForm(request.POST or None, survey=survey, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.question.created", survey.phase.process.authority)
        messages.success(request, _("The question was added."))
        return redirect(_url(survey))
    context = {"form": form, "survey": survey, "question": None}
    return render(request, "participation/staff/question.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def question_edit(request: HttpRequest, pk: int, question: int) -> HttpResponseBase:
    survey = survey_of(request, pk)
    found = _question(survey, question)
    if request.method == "POST" and _locked(survey):
        return _refuse_locked(request, survey)
    form = QuestionForm(request.POST or None, instance=found, survey=survey)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.question.changed", survey.phase.process.authority)
        messages.success(request, _("The question was saved."))
        return redirect(_url(survey))
    context = {"form": form, "survey": survey, "question": found, "locked": _locked(survey)}
    return render(request, "participation/staff/question.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@require_POST
@staff_required
def question_remove(request: HttpRequest, pk: int, question: int) -> HttpResponseBase:
    survey = survey_of(request, pk)
    found = _question(survey, question)
    if _locked(survey):
        return _refuse_locked(request, survey)
    try:
        with transaction.atomic():
            audit.record("participation.question.removed", actor=request.user,
                         authority=survey.phase.process.authority, obj=found)  # fmt: skip
            found.delete()
    except (ProtectedError, RestrictedError):
        messages.error(request, _("Another question is shown depending on this one. Change "
                                  "that condition first."))  # fmt: skip
        return redirect(_url(survey))
    messages.success(request, _("The question was removed."))
    return redirect(_url(survey))


@never_cache
@require_safe
@staff_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_of(request, pk)
    total, found = results.compute(survey, staff=True)
    context = {"survey": survey, "process": survey.phase.process, "total": total,
               "results": found, "public": results.are_public(survey)}  # fmt: skip
    return render(request, "participation/staff/results.html", context)


@never_cache
@require_safe
@staff_required
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_of(request, pk)
    response = csv_response(results.csv_rows(survey))
    response["Content-Disposition"] = f'attachment; filename="umfrage-{survey.pk}.csv"'
    audit.record("participation.results.exported", actor=request.user,
                 authority=survey.phase.process.authority, obj=survey)  # fmt: skip
    return response


@require_POST
@staff_required
def results_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    survey = survey_of(request, pk)
    publish = request.POST.get("veroeffentlichen") == "ja"
    services.publish_results(survey, request.user, published=publish)
    if publish:
        messages.success(request, _("The results are public now."))
    else:
        messages.success(request, _("The results are no longer public before the results "
                                    "phase."))  # fmt: skip
    return redirect(reverse("participation_staff:results", args=[survey.pk]))


@never_cache
@require_safe
@staff_required
def review_list(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_of(request, pk)
    chosen = request.GET.get("status", Answer.Review.PENDING)
    if chosen not in Answer.Review.values:
        chosen = Answer.Review.PENDING
    answers = (
        Answer.objects.filter(question__survey=survey, question__kind=Question.Kind.TEXT,
                              review=chosen)
        .select_related("question").order_by("question__page", "question__position", "text")
    )  # fmt: skip
    context = {"survey": survey, "process": survey.phase.process, "answers": answers[:200],
               "chosen": chosen, "states": Answer.Review.choices}  # fmt: skip
    return render(request, "participation/staff/review.html", context)


@require_POST
@staff_required
def review_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponseBase:
    survey = survey_of(request, pk)
    found = Answer.objects.filter(pk=answer, question__survey=survey,
                                  question__kind=Question.Kind.TEXT).first()  # fmt: skip
    if found is None:
        raise Http404("no free-text answer of this survey")
    back = reverse("participation_staff:review", args=[survey.pk])
    if request.POST.get("entscheidung") == "freigeben":
        services.review(found, request.user, approve=True)
        messages.success(request, _("The answer was approved and is shown with the results."))
        return redirect(back)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason for hiding the answer."))
        return redirect(f"{back}?status={found.review}#antwort-{found.pk}")
    services.review(found, request.user, approve=False, reason=form.cleaned_data["reason"])
    messages.success(request, _("The answer was hidden."))
    return redirect(back)

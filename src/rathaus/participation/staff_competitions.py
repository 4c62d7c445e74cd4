"""Staff pages of competitions (``/verwaltung/mitmachen/<process>/wettbewerbe/…``): a
competition with its periods, its entries (admit or reject with a reason, shortlist with the
jury's note, add an entry with a picture), the votes (counts only after the vote ended), the
result record and its check. Same keepers as the processes; every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.core.files import UploadRejected, response
from rathaus.core.staff_views import staff_required
from rathaus.participation import competitions, result_records
from rathaus.participation.competition_forms import CompetitionForm, DecisionForm, EntryForm
from rathaus.participation.models import Competition, Entry
from rathaus.participation.staff_processes import authorities, process_of, saved


def competition_of(request: HttpRequest, pk: int) -> Competition:
    found = Competition.objects.select_related("process__authority").filter(
        pk=pk, process__authority__in=authorities(request)).first()  # fmt: skip
    if found is None:
        raise Http404("no competition of the user's authorities")
    return found


def _url(competition: Competition) -> str:
    return reverse("participation_staff:competition", args=[competition.pk])


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def competition_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    process = process_of(request, pk)
    form = CompetitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        competition = saved(request, form, "participation.competition.created",
                            process.authority, process=process)  # fmt: skip
        return redirect(_url(competition))
    context = {"form": form, "process": process, "competition": None}
    return render(request, "participation/staff/competition.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def competition_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    competition = competition_of(request, pk)
    process = competition.process
    form = CompetitionForm(request.POST or None, instance=competition)
    if request.method == "POST" and form.is_valid():
        saved(request, form, "participation.competition.changed", process.authority)
        messages.success(request, _("The competition was saved."))
        return redirect(_url(competition))
    stage = competitions.phase(competition)
    record = result_records.publish_if_due(competition)
    context: dict[str, Any] = {
        "form": form, "process": process, "competition": competition, "stage": stage,
        "entries": competition.entries.select_related("display"), "record": record,
        "decision_form": DecisionForm(), "entry_form": EntryForm(),
        "counts": result_records.counts(competition) if stage in ("counting", "results") else None,
        "verification": result_records.verify(record) if record else None,
    }  # fmt: skip
    if context["counts"] is not None:
        titles = {str(entry.uid): entry.title for entry in context["entries"]}
        rows = [(titles.get(uid, uid), count) for uid, count in context["counts"].items()]
        context["counts"] = sorted(rows, key=lambda row: -row[1])
    return render(request, "participation/staff/competition.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


DECISIONS = {
    "zulassen": (Entry.State.ADMITTED, (Entry.State.SUBMITTED, Entry.State.REJECTED)),
    "ablehnen": (Entry.State.REJECTED, (Entry.State.SUBMITTED, Entry.State.ADMITTED)),
    "auswaehlen": (Entry.State.SHORTLISTED, (Entry.State.ADMITTED,)),
}


@require_POST
@staff_required
def entry_decide(request: HttpRequest, pk: int, entry: int) -> HttpResponseBase:
    competition = competition_of(request, pk)
    found = competition.entries.filter(pk=entry).first()
    if found is None:
        raise Http404("no entry of this competition")
    decision = DECISIONS.get(request.POST.get("entscheidung", ""))
    form = DecisionForm(request.POST)
    if decision is None or found.state not in decision[1] or not form.is_valid():
        messages.error(request, _("This decision is not possible for this entry now."))
    elif decision[0] == Entry.State.REJECTED and not form.cleaned_data["note"]:
        messages.error(request, _("Please give a reason for the rejection."))
    elif decision[0] == Entry.State.SHORTLISTED and competitions.phase(competition) not in (
        "before",
        "entries",
        "jury",
    ):
        messages.error(request, _("The vote has begun: the shortlist cannot change any more."))
    else:
        competitions.decide(found, request.user, decision[0], form.cleaned_data["note"])
        messages.success(request, _("The decision was saved."))
    return redirect(_url(competition))


@require_POST
@staff_required
def entry_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    competition = competition_of(request, pk)
    form = EntryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            competitions.submit_entry(competition, request.user, title=data["title"],
                                      description=data["description"],
                                      author_name=data["author_name"], image=data["image"],
                                      by_staff=True)  # fmt: skip
        except UploadRejected as rejected:
            messages.error(request, rejected.message)
        else:
            messages.success(request, _("The entry was added and admitted."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
    return redirect(_url(competition))


@never_cache
@require_POST
@staff_required
def record_verify(request: HttpRequest, pk: int) -> HttpResponse:
    competition = competition_of(request, pk)
    record = result_records.publish_if_due(competition)
    if record is None:
        raise Http404("no result record yet")
    check = result_records.verify(record)
    if check.matches:
        messages.success(request, _("The stored votes match the result record."))
    else:
        messages.error(request, _("The stored votes do NOT match the result record: votes were "
                                  "changed after the results were published."))  # fmt: skip
    return redirect(_url(competition))


@staff_required
def entry_picture(request: HttpRequest, pk: int, entry: int) -> HttpResponseBase:
    competition = competition_of(request, pk)
    found = competition.entries.filter(pk=entry).select_related("display").first()
    if found is None:
        raise Http404("no entry of this competition")
    result = response(found.display, as_attachment=False)
    result["Cache-Control"] = "private, no-store"
    return result

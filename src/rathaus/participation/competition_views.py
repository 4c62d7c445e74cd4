"""Public pages of competitions below ``/mitmachen/<process>/wettbewerb/<uid>/``: the
competition with its entries, sending an entry, voting (plain POST forms) and the results."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.accounts import trust
from rathaus.core.files import UploadRejected, response
from rathaus.participation import competitions, eligibility, result_records
from rathaus.participation.competition_forms import EntryForm
from rathaus.participation.models import Competition, Entry
from rathaus.participation.results import BAR_SPAN, ROW_HEIGHT
from rathaus.participation.views import _process

PUBLIC_ENTRIES = (Entry.State.ADMITTED, Entry.State.SHORTLISTED)


def _competition(request: HttpRequest, slug: str, uid: uuid.UUID) -> Competition:
    process = _process(request, slug)
    found = Competition.objects.filter(process=process, uid=uid).select_related(
        "process__authority").first()  # fmt: skip
    if found is None:
        raise Http404("no competition of this process")
    return found


def _page(request: HttpRequest, competition: Competition, status: int = 200,
          refusal: Any = None) -> HttpResponse:  # fmt: skip
    stage = competitions.phase(competition)
    shown = (
        (Entry.State.SHORTLISTED,) if stage in ("vote", "counting", "results") else PUBLIC_ENTRIES
    )
    entries = list(competition.entries.filter(state__in=shown).select_related("display"))
    used = competitions.votes_used(competition, request.user)
    voted = {ballot.entry_id for ballot in used}
    if stage == "vote" and refusal is None and request.user.is_authenticated:
        refusal = competitions.vote_refusal(competition, request.user, trust.current_level(request))
    context = {
        "process": competition.process, "competition": competition, "stage": stage,
        "entries": entries, "voted": voted, "used": len(used),
        "left": competition.votes_per_person - len(used), "refusal": refusal,
    }  # fmt: skip
    return render(request, "participation/competition.html", context, status=status)


@never_cache
@require_safe
def competition_page(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    return _page(request, _competition(request, slug, uid))


@never_cache
@require_POST
def vote(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    competition = _competition(request, slug, uid)
    try:
        entry_uid = uuid.UUID(request.POST.get("eintrag", "")[:40])
    except ValueError:
        entry_uid = None
    entry = competition.entries.filter(uid=entry_uid).first() if entry_uid else None
    if entry is None:
        refused = competitions.VoteRefused("entry", _("Please choose an entry."))
        return _page(request, competition, status=422, refusal=refused)
    try:
        competitions.cast_vote(competition, request.user, entry, trust.current_level(request))
    except competitions.VoteRefused as refused:
        status = 409 if refused.kind in ("twice", "used") else 403
        return _page(request, competition, status=status, refusal=refused)
    messages.success(request, _("Your vote for “%(title)s” is counted.") % {"title": entry.title})
    return redirect(reverse("participation:competition", args=[slug, uid]))


@never_cache
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    competition = _competition(request, slug, uid)
    context: dict[str, Any] = {"process": competition.process, "competition": competition}
    if competitions.phase(competition) != "entries":
        return render(request, "participation/entry_closed.html", context)
    refused = eligibility.refusal(competition.process, request.user, trust.current_level(request))
    if refused is not None:
        context["refusal"] = refused
        return render(request, "participation/not_eligible.html", context, status=403)
    form = EntryForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                competitions.submit_entry(
                    competition, request.user, title=data["title"],
                    description=data["description"], author_name=data["author_name"],
                    image=data["image"],
                )  # fmt: skip
            except UploadRejected as rejected:
                form.add_error("image", rejected.message)
                status = rejected.status
            else:
                thanks = _("Thank you: your entry has arrived. The administration checks it "
                           "before it is shown.")  # fmt: skip
                messages.success(request, thanks)
                return redirect(reverse("participation:competition", args=[slug, uid]))
        else:
            status = 422
    context["form"] = form
    return render(request, "participation/entry_form.html", context, status=status)


@require_safe
def picture(request: HttpRequest, slug: str, uid: uuid.UUID, entry: uuid.UUID) -> FileResponse:
    competition = _competition(request, slug, uid)
    found = competition.entries.filter(uid=entry, state__in=PUBLIC_ENTRIES).select_related(
        "display").first()  # fmt: skip
    if found is None:
        raise Http404("no public entry")
    result = response(found.display, as_attachment=False)
    result["Cache-Control"] = "public, max-age=3600"
    return result


def ranking(competition: Competition, counts: dict[str, int]) -> list[dict[str, Any]]:
    entries = {str(entry.uid): entry for entry in competition.entries.all()}
    total = sum(counts.values()) or 1
    top = max(counts.values(), default=0) or 1
    rows = sorted(counts.items(), key=lambda item: (-item[1], entries[item[0]].title))
    found = []
    for place, (uid, count) in enumerate(rows, start=1):
        width = max(round(BAR_SPAN * count / top), 2)
        top_y = (place - 1) * ROW_HEIGHT
        found.append({"place": place, "entry": entries[uid], "count": count,
                      "percent": round(100 * count / total), "width": width,
                      "label_y": top_y + 16, "bar_y": top_y + 22, "value_x": width + 8,
                      "value_y": top_y + 36})  # fmt: skip
    return found


@require_safe
def results_page(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    competition = _competition(request, slug, uid)
    record = result_records.publish_if_due(competition)
    context: dict[str, Any] = {"process": competition.process, "competition": competition,
                               "record": record}  # fmt: skip
    if record is not None:
        rows = ranking(competition, record.counts)
        context |= {"rows": rows, "chart_height": max(len(rows), 1) * ROW_HEIGHT}
    return render(request, "participation/competition_results.html", context)

"""Public pages of proposals below ``/mitmachen/<process>/vorschlaege/``: the list (newest or
most supported, answered or not), a proposal with its picture, place, supports, official
answer and comments, the forms to submit one, add its picture, support it, comment and report
abuse. Everything works without JavaScript (the map is an addition; the place is also given in
words and as a link to OpenStreetMap).

Who may submit, support and comment: the process's eligibility rule, always with an account.
Forms of proposals and comments have the person check (ALTCHA, or a question without
JavaScript); every form that writes is rate-limited per client address.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.accounts import altcha, trust
from rathaus.construction.models import Publication
from rathaus.core import ratelimit
from rathaus.core.files import UploadRejected, response
from rathaus.participation import eligibility, proposals
from rathaus.participation.models import Comment, Process, Proposal
from rathaus.participation.proposal_forms import (
    CommentForm,
    PictureForm,
    ProposalForm,
    ReportForm,
)
from rathaus.participation.views import _process

PROPOSALS_PER_HOUR = 5
COMMENTS_PER_HOUR = 20
REPORTS_PER_HOUR = 10
SUPPORTS_PER_HOUR = 60
ORDERS = ("neu", "unterstuetzt")


def _too_often(request: HttpRequest, scope: str, limit: int) -> HttpResponse | None:
    key = f"participation-{scope}:{ratelimit.client_address(request)}"
    wait = ratelimit.hit(key, limit, timedelta(hours=1))
    return ratelimit.too_many(request, wait) if wait else None


def _refusal(request: HttpRequest, process: Process) -> eligibility.Refusal | None:
    """Why this visitor may not submit, support or comment (an account is always needed)."""
    found = eligibility.refusal(process, request.user, trust.current_level(request))
    if found is None and eligibility.account_of(request.user) is None:
        found = eligibility.Refusal("login", _(
            "Please log in with your citizen account to take part. You can create an account "
            "in a few minutes."))  # fmt: skip
    return found


def _refused(request: HttpRequest, process: Process, refusal: eligibility.Refusal) -> HttpResponse:
    return render(request, "participation/not_eligible.html",
                  {"process": process, "refusal": refusal}, status=403)  # fmt: skip


def _closed(request: HttpRequest, process: Process, proposal: Proposal | None) -> HttpResponse:
    messages.error(request, _("Proposals, supports and comments are not possible in this phase "
                              "of the process."))  # fmt: skip
    target = _url(proposal) if proposal else reverse("participation:proposals", args=[process.slug])
    return redirect(target)


def _proposal(process: Process, uid: uuid.UUID) -> Proposal:
    found = proposals.published(process).filter(uid=uid).select_related(
        "construction_project").first()  # fmt: skip
    if found is None:
        raise Http404("no published proposal of this process")
    found.process = process
    return found


def _url(proposal: Proposal) -> str:
    return reverse("participation:proposal", args=[proposal.process.slug, proposal.uid])


@require_safe
def proposal_list(request: HttpRequest, slug: str) -> HttpResponse:
    process = _process(request, slug)
    if not proposals.has_proposals(process):
        raise Http404("the process has no proposals phase")
    order = request.GET.get("sortierung", "neu")
    order = order if order in ORDERS else "neu"
    answered = request.GET.get("beantwortet", "")
    answered = answered if answered in ("ja", "nein") else ""
    found = list(proposals.listed(process, order, answered))
    context = {"process": process, "proposals": found, "order": order, "answered": answered,
               "open": proposals.takes_proposals(process)}  # fmt: skip
    return render(request, "participation/proposals.html", context)


def _map_options(proposal: Proposal) -> dict[str, Any] | None:
    if proposal.latitude is None or not settings.RATHAUS_MAP_TILE_URL:
        return None
    return {
        "tileUrl": settings.RATHAUS_MAP_TILE_URL,
        "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
        "geometry": {"type": "Point",
                     "coordinates": [float(proposal.longitude or 0), float(proposal.latitude)]},
        "label": _("Map: place of the proposal %(title)s") % {"title": proposal.title},
    }  # fmt: skip


def _detail(request: HttpRequest, proposal: Proposal, comment_form: CommentForm | None = None,
            status: int = 200) -> HttpResponse:  # fmt: skip
    process = proposal.process
    user = request.user
    supported = user.is_authenticated and proposal.supports.filter(user=user).exists()
    project = proposal.construction_project
    context = {
        "process": process, "proposal": proposal,
        "answer": getattr(proposal, "official_answer", None),
        "comments": list(Comment.objects.filter(proposal=proposal)),
        "supported": supported, "reactions": proposals.takes_reactions(process),
        "project": project if project and project.status == Publication.PUBLISHED else None,
        "map_options": _map_options(proposal),
        "is_author": user.is_authenticated and proposal.author_id == user.pk,
        "comment_form": comment_form or CommentForm(),
        **altcha.page_context(),
    }  # fmt: skip
    return render(request, "participation/proposal.html", context, status=status)


@never_cache
@require_safe
def proposal_detail(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponse:
    return _detail(request, _proposal(_process(request, slug), uid))


@never_cache
@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, slug: str) -> HttpResponseBase:
    process = _process(request, slug)
    if not proposals.takes_proposals(process):
        return _closed(request, process, None)
    refusal = _refusal(request, process)
    if refusal is not None:
        return _refused(request, process, refusal)
    if request.method == "POST" and (blocked := _too_often(request, "proposal",
                                                             PROPOSALS_PER_HOUR)):  # fmt: skip
        return blocked
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = proposals.submit(process, request.user, title=data["title"],
                                        text=data["text"], latitude=data["latitude"],
                                        longitude=data["longitude"])  # fmt: skip
        except proposals.NotOpen:
            return _closed(request, process, None)
        messages.success(request, _("Thank you! Your proposal is published. You can add a "
                                    "picture now, or later on its page."))  # fmt: skip
        return redirect(reverse("participation:proposal_picture", args=[slug, proposal.uid]))
    context = {"process": process, "form": form, **altcha.page_context()}
    return render(request, "participation/proposal_form.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def proposal_picture(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    """The author adds (or replaces) the picture of their proposal while proposals are taken.
    A separate step, so that a refused picture never costs the text of the proposal."""
    process = _process(request, slug)
    proposal = _proposal(process, uid)
    if not request.user.is_authenticated or proposal.author_id != request.user.pk:
        raise Http404("only the author adds a picture")
    if not proposals.takes_proposals(process):
        return _closed(request, process, proposal)
    form = PictureForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if blocked := _too_often(request, "picture", PROPOSALS_PER_HOUR * 2):
            return blocked
        status = 422
        if form.is_valid():
            try:
                proposals.add_picture(proposal, form.cleaned_data["picture"],
                                      form.cleaned_data["alt"])  # fmt: skip
            except UploadRejected as refused:
                form.add_error("picture", refused.message)
                status = refused.status
            else:
                messages.success(request, _("The picture was added."))
                return redirect(_url(proposal))
    context = {"process": process, "proposal": proposal, "form": form}
    return render(request, "participation/proposal_picture.html", context, status=status)


@require_safe
def picture(request: HttpRequest, slug: str, uid: uuid.UUID) -> FileResponse:
    proposal = _proposal(_process(request, slug), uid)
    stored = proposal.picture_display or proposal.picture
    if stored is None:
        raise Http404("the proposal has no picture")
    result = response(stored, as_attachment=False)
    result["Cache-Control"] = "public, max-age=600"
    return result


@require_POST
def support(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    process = _process(request, slug)
    proposal = _proposal(process, uid)
    refusal = _refusal(request, process)
    if refusal is not None:
        return _refused(request, process, refusal)
    if blocked := _too_often(request, "support", SUPPORTS_PER_HOUR):
        return blocked
    try:
        if request.POST.get("zurueckziehen"):
            proposals.withdraw_support(proposal, request.user)
            messages.success(request, _("You no longer support this proposal."))
        elif proposals.support(proposal, request.user):
            messages.success(request, _("Thank you for your support."))
        else:
            messages.info(request, _("You support this proposal already; it counts once."))
    except proposals.NotOpen:
        return _closed(request, process, proposal)
    return redirect(f"{_url(proposal)}#unterstuetzung")


@require_POST
def comment(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    process = _process(request, slug)
    proposal = _proposal(process, uid)
    refusal = _refusal(request, process)
    if refusal is not None:
        return _refused(request, process, refusal)
    if blocked := _too_often(request, "comment", COMMENTS_PER_HOUR):
        return blocked
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _detail(request, proposal, form, status=422)
    try:
        proposals.comment(proposal, request.user, form.cleaned_data["text"])
    except proposals.NotOpen:
        return _closed(request, process, proposal)
    messages.success(request, _("Your comment is published."))
    return redirect(f"{_url(proposal)}#kommentare")


@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, slug: str, uid: uuid.UUID) -> HttpResponseBase:
    process = _process(request, slug)
    proposal = _proposal(process, uid)
    if eligibility.account_of(request.user) is None:
        return _refused(request, process, eligibility.Refusal("login", _(
            "Please log in with your citizen account to report a contribution.")))  # fmt: skip
    reported = None
    raw = request.GET.get("kommentar") or request.POST.get("kommentar") or ""
    if raw:
        reported = Comment.objects.filter(proposal=proposal, hidden=False,
                                          pk=int(raw) if raw.isdigit() and len(raw) < 18 else 0
                                          ).first()  # fmt: skip
        if reported is None:
            raise Http404("no such comment")
    form = ReportForm(request.POST or None)
    if request.method == "POST":
        if blocked := _too_often(request, "report", REPORTS_PER_HOUR):
            return blocked
        if form.is_valid():
            proposals.report(proposal, request.user, form.cleaned_data["reason"], reported)
            messages.success(request, _("Thank you. The staff of the municipality will look at "
                                        "your report."))  # fmt: skip
            return redirect(_url(proposal))
    context = {"process": process, "proposal": proposal, "reported": reported, "form": form}
    return render(request, "participation/proposal_report.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_safe
def challenge(request: HttpRequest, slug: str) -> JsonResponse:
    """A fresh ALTCHA challenge for the proposal and comment forms."""
    _process(request, slug)
    return JsonResponse(altcha.new_challenge())

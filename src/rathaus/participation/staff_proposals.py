"""Staff pages of proposals (``/verwaltung/mitmachen/vorschlaege/``): the proposals of the
authority and the open abuse reports; one proposal with its comments, where staff hide or show
it or a comment (with a reason), write the official answer, link a construction project or a
council paper and close reports. Same access as the other staff pages (``keepers``: the role
"Beteiligung"); every change is audited (:mod:`rathaus.participation.proposals`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from rathaus.core.staff_views import staff_required
from rathaus.participation import proposals
from rathaus.participation.models import AbuseReport, Comment, Proposal
from rathaus.participation.proposal_forms import AnswerForm, HideForm, LinksForm
from rathaus.participation.staff_processes import authorities, chosen_authority


def _proposal_of(request: HttpRequest, pk: int) -> Proposal:
    found = (
        Proposal.objects.select_related("process__authority", "construction_project")
        .filter(pk=pk, process__authority__in=authorities(request))
        .first()
    )
    if found is None:
        raise Http404("no proposal of the user's authorities")
    return found


def _url(proposal: Proposal) -> str:
    return reverse("participation_staff:proposal", args=[proposal.pk])


@never_cache
@require_safe
@staff_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    authority = chosen_authority(request)
    open_reports = Q(reports__closed_at__isnull=True)
    found = (
        Proposal.objects.filter(process__authority=authority)
        .select_related("process", "official_answer")
        .annotate(support_count=Count("supports", distinct=True),
                  open_reports=Count("reports", filter=open_reports, distinct=True))
        .order_by("-open_reports", "-created_at", "-id")
    )  # fmt: skip
    reports = (
        AbuseReport.objects.filter(proposal__process__authority=authority, closed_at__isnull=True)
        .select_related("proposal", "comment")
        .order_by("created_at", "id")
    )
    context = {"authority": authority, "authorities": authorities(request),
               "proposals": list(found), "reports": list(reports)}  # fmt: skip
    return render(request, "participation/staff/proposals.html", context)


def _page(
    request: HttpRequest, proposal: Proposal, status: int = 200, **forms: Any
) -> HttpResponse:
    answer = getattr(proposal, "official_answer", None)
    context = {
        "proposal": proposal, "process": proposal.process,
        "supports": proposal.supports.count(),
        "comments": list(Comment.objects.filter(proposal=proposal)),
        "reports": list(proposal.reports.filter(closed_at__isnull=True).select_related("comment")),
        "hide_form": forms.get("hide_form") or HideForm(),
        "answer_form": forms.get("answer_form")
        or AnswerForm(initial={"text": answer.text if answer else ""}),
        "links_form": forms.get("links_form") or LinksForm(
            authority=proposal.process.authority,
            initial={"project": proposal.construction_project_id,
                     "paper_path": proposal.council_paper_path,
                     "paper_label": proposal.council_paper_label}),
        "answer": answer,
    }  # fmt: skip
    return render(request, "participation/staff/proposal.html", context, status=status)


@never_cache
@require_safe
@staff_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _proposal_of(request, pk))


@require_POST
@staff_required
def proposal_visibility(request: HttpRequest, pk: int) -> HttpResponseBase:
    proposal = _proposal_of(request, pk)
    if request.POST.get("zeigen"):
        proposals.set_visible(proposal, request.user, visible=True)
        messages.success(request, _("The proposal is public again."))
        return redirect(_url(proposal))
    form = HideForm(request.POST)
    if not form.is_valid():
        return _page(request, proposal, 422, hide_form=form)
    proposals.set_visible(proposal, request.user, visible=False, reason=form.cleaned_data["reason"])
    messages.success(request, _("The proposal is hidden."))
    return redirect(_url(proposal))


@require_POST
@staff_required
def comment_visibility(request: HttpRequest, pk: int, comment: int) -> HttpResponseBase:
    proposal = _proposal_of(request, pk)
    found = Comment.objects.filter(proposal=proposal, pk=comment).first()
    if found is None:
        raise Http404("no comment of this proposal")
    if request.POST.get("zeigen"):
        proposals.set_comment_visible(found, request.user, visible=True)
        messages.success(request, _("The comment is public again."))
        return redirect(_url(proposal))
    reason = request.POST.get("reason", "").strip()[:300]
    if not reason:
        messages.error(request, _("Please give a reason for hiding the comment."))
        return redirect(f"{_url(proposal)}#kommentar-{found.pk}")
    proposals.set_comment_visible(found, request.user, visible=False, reason=reason)
    messages.success(request, _("The comment is hidden."))
    return redirect(_url(proposal))


@require_POST
@staff_required
def answer(request: HttpRequest, pk: int) -> HttpResponseBase:
    proposal = _proposal_of(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, proposal, 422, answer_form=form)
    proposals.answer(proposal, request.user, form.cleaned_data["text"])
    messages.success(request, _("The official answer is published with the proposal."))
    return redirect(_url(proposal))


@require_POST
@staff_required
def links(request: HttpRequest, pk: int) -> HttpResponseBase:
    proposal = _proposal_of(request, pk)
    form = LinksForm(request.POST, authority=proposal.process.authority)
    if not form.is_valid():
        return _page(request, proposal, 422, links_form=form)
    data = form.cleaned_data
    proposals.set_links(proposal, request.user, project=data["project"],
                        paper_path=data["paper_path"], paper_label=data["paper_label"])  # fmt: skip
    messages.success(request, _("The links were saved."))
    return redirect(_url(proposal))


@require_POST
@staff_required
def report_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    found = (
        AbuseReport.objects.select_related("proposal__process__authority")
        .filter(pk=pk, proposal__process__authority__in=authorities(request))
        .first()
    )
    if found is None:
        raise Http404("no report of the user's authorities")
    proposals.close_report(found, request.user)
    messages.success(request, _("The report is closed."))
    return redirect(_url(found.proposal))

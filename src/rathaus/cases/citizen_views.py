"""The citizen's side of submissions: "Meine Anträge" and one application with its history."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.accounts.models import Account
from rathaus.accounts.views import account_required
from rathaus.cases import documents, timeline
from rathaus.cases.models import Case, DocumentRequest
from rathaus.cases.services import CaseActionRefused
from rathaus.core import refusals
from rathaus.forms.models import Draft, Submission


@never_cache
@require_safe
@account_required
def my_applications(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    submissions = (
        Submission.objects.filter(account=account)
        .select_related("form_version", "authority", "case")
        .order_by("-submitted_at")[:200]
    )
    drafts = (
        Draft.objects.filter(account=account, submitted_at__isnull=True)
        .select_related("version__definition")
        .order_by("-updated_at")[:50]
    )
    return render(
        request,
        "cases/my_applications.html",
        {"submissions": submissions, "drafts": drafts, "account": account},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@account_required
def application(request: HttpRequest, reference: str) -> HttpResponseBase:
    """One application: status, the steps that concern the applicant, document requests."""
    from rathaus.core.files import UploadRejected, allowed_in_words, size_in_words

    account: Account = request.user.account  # type: ignore[union-attr]
    submission = (
        Submission.objects.filter(account=account, reference=reference)
        .select_related("form_version", "authority")
        .first()
    )
    if submission is None:
        raise refusals.not_found(
            request, Submission, "not an application of this account", reference=reference
        )
    case = (
        Case.objects.filter(submission=submission).select_related("org_unit", "authority").first()
    )
    error, comment, status = "", "", 200
    retry_after: int | None = None
    open_requests = (
        list(case.document_requests.filter(status=DocumentRequest.Status.OPEN)) if case else []
    )
    if request.method == "POST":
        raw = request.POST.get("request", "")
        item = next((r for r in open_requests if str(r.pk) == raw), None)
        comment = request.POST.get("comment", "")
        if item is None:
            messages.error(request, _("This document request has already been answered."))
            return redirect("cases_citizen:detail", reference)
        try:
            documents.submit_documents(item, account, request.FILES.getlist("files"), comment)
        except UploadRejected as rejected:
            error, status = rejected.message, rejected.status
            retry_after = rejected.retry_after
        except CaseActionRefused as refused:
            error, status = str(refused), 422
        else:
            messages.success(request, _("Thank you. Your documents have arrived."))
            return redirect("cases_citizen:detail", reference)
    events = (
        timeline.prepare(case.events.filter(visible_to_applicant=True), applicant=True)
        if case
        else []
    )
    response = render(
        request,
        "cases/application.html",
        {
            "submission": submission,
            "case": case,
            "events": events,
            "open_requests": open_requests,
            "error": error,
            "comment": comment,
            "accepted": allowed_in_words(documents.ACCEPTED_TYPES),
            "max_files": documents.MAX_FILES,
            "max_size": size_in_words(documents.upload_rules().max_bytes),
        },
        status=status,
    )
    if retry_after:  # the virus scanner is down; the comment stays in the form
        response["Retry-After"] = str(retry_after)
    return response

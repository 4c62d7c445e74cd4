"""The citizen's side of submissions: "Meine Anträge"."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.accounts.models import Account
from rathaus.accounts.views import account_required
from rathaus.cases.models import Submission
from rathaus.forms.models import Draft


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

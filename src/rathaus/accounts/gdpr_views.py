"""/konto/daten/: download all own data, or close the account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.accounts import gdpr
from rathaus.accounts.forms import DeleteAccountForm
from rathaus.accounts.models import Account
from rathaus.accounts.views import account_required
from rathaus.core.tenancy import current_authority


@never_cache
@account_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    form = DeleteAccountForm(request.POST or None, email=account.user.email)
    reasons = gdpr.retention_reasons(account)
    if request.method == "POST" and not reasons and form.is_valid():
        gdpr.delete_account(account, current_authority(request))
        logout(request)
        messages.success(request, _("Your account and its data have been deleted."))
        return redirect("core:home")
    return render(
        request, "accounts/my_data.html", {"form": form, "reasons": reasons, "account": account}
    )


@never_cache
@account_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    response = HttpResponse(gdpr.export_zip(account), content_type="application/zip")
    filename = f"meine-daten-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

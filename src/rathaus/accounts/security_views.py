"""Session and password self-service under /konto/: log out everywhere, change or reset the
password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.accounts import services
from rathaus.accounts.forms import (
    PasswordChangeForm,
    PasswordResetRequestForm,
    SetPasswordForm,
)
from rathaus.accounts.models import Account
from rathaus.accounts.views import account_required


@require_POST
@account_required
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    services.end_all_sessions(request, account)
    logout(request)
    messages.info(request, _("You have been logged out on all devices."))
    return redirect("accounts:login")


@never_cache
@sensitive_post_parameters("current_password", "password1", "password2")
@require_http_methods(["GET", "POST"])
@account_required
def password_change(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # account_required
    if not user.has_usable_password():
        # an account that logs in with BundID or another identity service has no password here
        return render(request, "accounts/password_change.html", {"external": True})
    form = PasswordChangeForm(user, request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(request, user, form.cleaned_data["password1"])
        messages.success(
            request,
            _("Your new password is saved. On other devices you are logged out."),
        )
        return redirect("accounts:home")
    return render(request, "accounts/password_change.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(request, form.cleaned_data["email"])
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/password_reset.html", {"form": form})


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.password_reset_user(uidb64, token)
    if user is None:
        return render(request, "accounts/password_reset_failed.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.reset_password(request, user, token, form.cleaned_data["password1"]):
            return render(request, "accounts/password_reset_failed.html", status=400)
        if request.user.is_authenticated:
            logout(request)
        messages.success(request, _("Your new password is saved. Please log in with it."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})

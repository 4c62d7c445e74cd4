"""The citizen account under /konto/: register, confirm, log in and out, profile."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.accounts import altcha, providers, services
from rathaus.accounts.forms import LoginForm, ProfileForm, RegistrationForm, ResendForm
from rathaus.accounts.models import Account, TrustLevel
from rathaus.accounts.providers import oidc, saml
from rathaus.core import audit
from rathaus.core.logout import log_out
from rathaus.core.redirects import safe_next_url, to_login
from rathaus.core.tenancy import current_authority

View = Callable[..., HttpResponseBase]


def account_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated or not hasattr(request.user, "account"):
            return to_login(request)
        return view(request, *args, **kwargs)

    return wrapper


def _next_url(request: HttpRequest) -> str:
    return safe_next_url(request, "accounts:home")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.registration_allowed(request):
            response = render(request, "accounts/registration_limited.html", status=429)
            response["Retry-After"] = str(services.registration_wait(request))
            return response
        services.register(request, form.cleaned_data)
        request.session["rathaus_registered_email"] = form.cleaned_data["email"]
        return redirect("accounts:registered")
    context = {
        "form": form,
        **altcha.page_context(),
    }
    return render(request, "accounts/register.html", context)


@never_cache
@require_safe
def challenge(request: HttpRequest) -> JsonResponse:
    """A fresh ALTCHA challenge for the registration form."""
    return JsonResponse(altcha.new_challenge())


@never_cache
def registered(request: HttpRequest) -> HttpResponse:
    email = request.session.get("rathaus_registered_email", "")
    return render(request, "accounts/registered.html", {"email": email})


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        pk = 0
    user = get_user_model().objects.filter(pk=pk, account__isnull=False).first()
    if user is not None and services.confirm_email(request, user, token):
        messages.success(request, _("Thank you. Your e-mail address is confirmed; please log in."))
        return redirect("accounts:login")
    return render(request, "accounts/confirm_failed.html", {"form": ResendForm()}, status=400)


@never_cache
@require_POST
def resend(request: HttpRequest) -> HttpResponse:
    form = ResendForm(request.POST)
    if form.is_valid():
        services.resend_confirmation(request, form.cleaned_data["email"])
        request.session["rathaus_registered_email"] = form.cleaned_data["email"]
        return redirect("accounts:registered")
    return render(request, "accounts/confirm_failed.html", {"form": form}, status=400)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        local = providers.password_provider("local")
        result = local.authenticate(request, email, form.cleaned_data["password"])
        if result is None:
            audit.record("account.login.failed", actor_name=email[:200],
                         authority=current_authority(request))  # fmt: skip
            error = _(
                "The e-mail address or the password is wrong, or the account is not confirmed yet."
            )
        else:
            services.log_in(request, result)
            return redirect(_next_url(request))
    context = {"form": form, "error": error, "next": _next_url(request)}
    if oidc.enabled():
        context["oidc_label"] = oidc.label()
    if saml.enabled():
        context["saml_label"] = saml.label()
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    return log_out(request, "account.logout", "core:home")


@never_cache
@account_required
def home(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    trust = request.session.get(services.SESSION_TRUST_LEVEL, "basic")
    unread = account.messages.filter(read_at__isnull=True).count()
    return render(
        request,
        "accounts/home.html",
        {
            "account": account,
            "trust_level": TrustLevel(trust).label,
            "provider": request.session.get(services.SESSION_PROVIDER, "local"),
            "unread": unread,
        },
    )


@never_cache
@account_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    account: Account = request.user.account  # type: ignore[union-attr]
    user = account.user
    initial = {
        "first_name": user.first_name, "last_name": user.last_name,
        "organisation_name": account.organisation_name, "date_of_birth": account.date_of_birth,
        "street": account.street, "postal_code": account.postal_code, "city": account.city,
        "phone": account.phone,
    }  # fmt: skip
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = services.update_profile(request, account, form.cleaned_data)
        messages.success(
            request, _("Your details are saved.") if changed else _("Nothing was changed.")
        )
        return redirect("accounts:home")
    return render(request, "accounts/profile.html", {"form": form, "account": account})

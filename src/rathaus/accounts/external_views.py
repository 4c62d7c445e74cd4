"""What the views of the external identity providers (OpenID Connect, SAML 2.0) share: the
page for a refused login and the step from a vouched-for identity to the logged-in person."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from rathaus.accounts import services
from rathaus.accounts.providers import ExternalLogin, LoginRefused
from rathaus.core import audit
from rathaus.core.tenancy import current_authority


def refused(request: HttpRequest, provider: str, error: LoginRefused, status: int) -> HttpResponse:
    """Audit the reason (as ``account.login.<provider>_rejected``); the person sees the
    provider's one page ``accounts/<provider>_failed.html`` for every reason."""
    audit.record(
        f"account.login.{provider}_rejected",
        actor_name=provider,
        authority=current_authority(request),
        details={"reason": error.reason},
    )
    return render(request, f"accounts/{provider}_failed.html", status=status)


def logged_in(request: HttpRequest, provider: str, login: ExternalLogin) -> HttpResponse:
    """Log in the person the provider vouched for and go on to where they were going if it is
    a page of this site (else to the account's home); refused if their account cannot log in."""
    if not services.log_in_external(
        request,
        provider=provider,
        issuer=login.issuer,
        claims=login.claims,
        trust_level=login.trust_level,
    ):
        return refused(request, provider, LoginRefused("account_not_usable"), 400)
    target = login.next_url
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "accounts:home"
    return redirect(target)

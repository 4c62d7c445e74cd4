"""Login with an OpenID Connect identity provider: /konto/anmelden/oidc/ and its callback."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rathaus.accounts import services
from rathaus.accounts.providers import oidc
from rathaus.core import audit
from rathaus.core.redirects import safe_next_url
from rathaus.core.tenancy import current_authority


def _rejected(request: HttpRequest, error: oidc.OIDCError) -> HttpResponse:
    audit.record(
        "account.login.oidc_rejected",
        actor_name="oidc",
        authority=current_authority(request),
        details={"reason": error.reason},
    )
    status = 502 if error.reason.startswith("provider_") else 400
    return render(request, "accounts/oidc_failed.html", status=status)


@never_cache
@require_GET
def oidc_start(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404
    try:
        return redirect(oidc.start(request, safe_next_url(request, "accounts:home")))
    except oidc.OIDCError as error:
        return _rejected(request, error)


@never_cache
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.enabled():
        raise Http404
    target = oidc.pending_next(request)
    try:
        claims = oidc.finish(request)
    except oidc.OIDCError as error:
        return _rejected(request, error)
    if not services.log_in_external(
        request,
        provider=oidc.KEY,
        issuer=oidc.issuer(),
        claims=claims,
        trust_level=oidc.trust_level(claims),
    ):
        return _rejected(request, oidc.OIDCError("account_not_usable"))
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "accounts:home"
    return redirect(target)

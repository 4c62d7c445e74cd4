"""Login with an OpenID Connect identity provider: /konto/anmelden/oidc/ and its callback."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rathaus.accounts import external_views
from rathaus.accounts.providers import ExternalLogin, oidc
from rathaus.core.redirects import safe_next_url


def _rejected(request: HttpRequest, error: oidc.OIDCError) -> HttpResponse:
    status = 502 if error.reason.startswith("provider_") else 400
    return external_views.refused(request, oidc.KEY, error, status)


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
    login = ExternalLogin(oidc.issuer(), claims, oidc.trust_level(claims), target)
    return external_views.logged_in(request, oidc.KEY, login)

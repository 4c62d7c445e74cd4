"""Login with a SAML 2.0 identity provider (BundID): start, Assertion Consumer Service, metadata.

The identity provider posts its answer from its own site. The session cookie is ``SameSite=Lax``
and does not come with such a cross-site POST, so a first POST without the session gets a page
that posts the same answer once more from our own site (automatically, or with a button when
JavaScript is off); that second POST carries the session with the pending request.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts import external_views
from rathaus.accounts.models import TrustLevel
from rathaus.accounts.providers import saml
from rathaus.core.redirects import safe_next_url

logger = logging.getLogger(__name__)

# Our side is wrong (configuration, keys, xmlsec1): 503 and a log line for the operator.
OUR_FAULT = {
    "xmlsec1_missing",
    "configuration_invalid",
    "metadata_not_one_identity_provider",
    "request_not_signed",
}
RESENT_FIELD = "rathaus_resent"


def _rejected(request: HttpRequest, error: saml.SAMLError) -> HttpResponse:
    status = 400
    if error.reason in OUR_FAULT:
        logger.error("SAML login is not usable: %s", error.reason)
        status = 503
    return external_views.refused(request, saml.KEY, error, status)


@never_cache
@require_GET
def saml_start(request: HttpRequest) -> HttpResponse:
    if not saml.enabled():
        raise Http404
    level = request.GET.get("niveau", "")
    try:
        return redirect(
            saml.start(
                request,
                safe_next_url(request, "accounts:home"),
                level if level in TrustLevel.values else None,
            )
        )
    except saml.SAMLError as error:
        return _rejected(request, error)


@never_cache
@csrf_exempt  # posted by the identity provider; InResponseTo binds it to this session
@require_POST
def saml_acs(request: HttpRequest) -> HttpResponse:
    if not saml.enabled():
        raise Http404
    if saml.SESSION_KEY not in request.session and not request.POST.get(RESENT_FIELD):
        return render(
            request,
            "accounts/saml_continue.html",
            {
                "saml_response": request.POST.get("SAMLResponse", "")[: saml.MAX_RESPONSE_CHARS],
                "relay_state": request.POST.get("RelayState", "")[:80],
                "resent_field": RESENT_FIELD,
            },
        )
    try:
        login = saml.finish(request)
    except saml.SAMLError as error:
        return _rejected(request, error)
    return external_views.logged_in(request, saml.KEY, login)


@require_GET
def saml_metadata(request: HttpRequest) -> HttpResponse:
    """Our service provider metadata, for registering rathaus at the identity provider."""
    if not saml.enabled():
        raise Http404
    try:
        document = saml.metadata(request)
    except saml.SAMLError as error:
        logger.error("SAML metadata cannot be made: %s", error.reason)
        return HttpResponse(
            "SAML is not configured correctly.\n", status=503, content_type="text/plain"
        )
    return HttpResponse(document, content_type="application/samlmetadata+xml; charset=utf-8")

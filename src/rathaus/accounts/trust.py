"""Trust levels (Vertrauensniveau) of the current login, for services that require one."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rathaus.accounts.models import TrustLevel
from rathaus.accounts.services import SESSION_TRUST_LEVEL


def current_level(request: HttpRequest) -> TrustLevel | None:
    """The level of this session's citizen login, or None if nobody is logged in as a citizen."""
    if not request.user.is_authenticated or not hasattr(request.user, "account"):
        return None
    value = request.session.get(SESSION_TRUST_LEVEL, TrustLevel.BASIC)
    try:
        return TrustLevel(value)
    except ValueError:
        return TrustLevel.BASIC


def satisfies(request: HttpRequest, required: str) -> bool:
    current = current_level(request)
    return current is not None and TrustLevel.rank(current) >= TrustLevel.rank(required)


def required_page(request: HttpRequest, required: str, **context: object) -> HttpResponse:
    """The 403 page saying which trust level is needed and how to log in with it; ``context``
    names what needs it (``service``, ``form_title``)."""
    current = current_level(request)
    context |= {
        "required_label": TrustLevel(required).label,
        "required_level": required,
        "current_label": current.label if current else "",
        "oidc_label": settings.RATHAUS_OIDC_LABEL if settings.RATHAUS_OIDC_ISSUER else "",
        "saml_label": settings.RATHAUS_SAML_LABEL if settings.RATHAUS_SAML_IDP_METADATA else "",
    }
    return render(request, "accounts/trust_required.html", context, status=403)

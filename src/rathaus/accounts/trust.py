"""Trust levels (Vertrauensniveau) of the current login, for services that require one."""

from __future__ import annotations

from django.http import HttpRequest

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

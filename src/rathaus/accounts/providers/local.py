"""Local login with e-mail address and password: trust level *basic*."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_login_failed
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Account, TrustLevel
from rathaus.accounts.providers import LoginResult


class LocalPasswordProvider:
    key = "local"
    verbose_name = _("E-mail address and password")
    trust_level = TrustLevel.BASIC

    def enabled(self) -> bool:
        return True

    def authenticate(self, request: HttpRequest, email: str, password: str) -> LoginResult | None:
        user = authenticate(request, username=email.strip().lower(), password=password)
        if user is None:
            return None
        if user.is_staff or not Account.objects.filter(user=user).exists():
            # Staff log in at /verwaltung/ with two factors; answer as for a wrong password.
            user_login_failed.send(__name__, credentials={"username": email}, request=request)
            return None
        return LoginResult(user=user, provider=self.key, trust_level=self.trust_level)

"""Login providers: one interface, implementations chosen by configuration.

Each provider authenticates a person and says with which trust level (Vertrauensniveau). The
local password login gives *basic*; external identity providers (OpenID Connect, later SAML for
BundID) map their assurance claims to *substantial* or *high*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import User
from django.http import HttpRequest

from rathaus.accounts.models import TrustLevel


@dataclass(frozen=True)
class LoginResult:
    user: User
    provider: str
    trust_level: TrustLevel


class PasswordLoginProvider(Protocol):
    key: str
    trust_level: TrustLevel

    def authenticate(self, request: HttpRequest, email: str, password: str) -> LoginResult | None:
        """The account holder for these credentials, or None (counted as a failed login)."""
        ...


_registry: dict[str, PasswordLoginProvider] = {}


def register(provider: PasswordLoginProvider) -> None:
    _registry[provider.key] = provider


def get(key: str) -> PasswordLoginProvider:
    return _registry[key]

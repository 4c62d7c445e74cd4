"""Login providers: one interface, implementations chosen by configuration.

Each provider authenticates a person and says with which trust level (Vertrauensniveau). The
local password login gives *basic*; external identity providers (OpenID Connect, later SAML for
BundID) map their assurance claims to *substantial* or *high*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.contrib.auth.models import User
from django.http import HttpRequest

from rathaus.accounts.models import TrustLevel
from rathaus.core.plugins import Registry, StrOrPromise, UnknownPlugin


@dataclass(frozen=True)
class LoginResult:
    user: User
    provider: str
    trust_level: TrustLevel


@runtime_checkable
class LoginProvider(Protocol):
    """A way to log in; ``enabled()`` says whether this installation offers it."""

    key: str

    @property
    def verbose_name(self) -> StrOrPromise:
        """What the choice is called (for choices and configuration help)."""
        ...

    def enabled(self) -> bool: ...


@runtime_checkable
class PasswordLoginProvider(LoginProvider, Protocol):
    trust_level: TrustLevel

    def authenticate(self, request: HttpRequest, email: str, password: str) -> LoginResult | None:
        """The account holder for these credentials, or None (counted as a failed login)."""
        ...


# Filled by AccountsConfig.ready(): the local password login and OpenID Connect.
login_providers: Registry[LoginProvider] = Registry("login provider")


def password_provider(key: str) -> PasswordLoginProvider:
    """The provider ``key``, which must take an e-mail address and a password."""
    provider = login_providers.get(key)
    if not isinstance(provider, PasswordLoginProvider):
        raise UnknownPlugin(f"The login provider {key!r} does not take passwords.")
    return provider

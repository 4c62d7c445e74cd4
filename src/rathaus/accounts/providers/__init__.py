"""Login providers: one interface, implementations chosen by configuration.

Each provider authenticates a person and says with which trust level (Vertrauensniveau). The
local password login gives *basic*; external identity providers (OpenID Connect, SAML 2.0 for
BundID) map their assurance claims to *substantial* or *high*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.contrib.auth.models import User
from django.http import HttpRequest

from rathaus.accounts.models import TrustLevel
from rathaus.core.plugins import Registry, StrOrPromise, UnknownPlugin


@dataclass(frozen=True)
class LoginResult:
    user: User
    provider: str
    trust_level: TrustLevel


@dataclass(frozen=True)
class ExternalLogin:
    """What an external identity provider vouched for: who (claims as OpenID Connect names
    them), from whom, how sure; and where the person was going."""

    issuer: str
    claims: dict[str, Any]
    trust_level: TrustLevel
    next_url: str


class LoginRefused(Exception):
    """An external identity provider's login was refused; ``reason`` goes to the audit log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def trust_level_from(value: Any) -> TrustLevel:
    """Map assurance values (from an OIDC ``acr`` claim or a SAML ``AuthnContextClassRef``) to
    a trust level; of several, the highest counts.

    Understood: eIDAS LoA URIs (``http://eidas.europa.eu/LoA/low|substantial|high``), BundID's
    STORK QAA levels (``STORK-QAA-Level-1`` and ``-2`` basic, ``-3`` substantial, ``-4`` high)
    and the BSI TR-03107-1 terms in English and German (``normal``/``untergeordnet`` basic,
    ``substantiell``, ``hoch``). Unknown or missing values give *basic*: the provider vouched
    for nothing more.
    """
    values = value if isinstance(value, list | tuple) else [value]
    best = TrustLevel.BASIC
    for item in values:
        if not isinstance(item, str):
            continue
        text = item.strip().lower()
        if text.endswith("/high") or text in {"high", "hoch", "stork-qaa-level-4"}:
            level = TrustLevel.HIGH
        elif text.endswith("/substantial") or text in {
            "substantial",
            "substantiell",
            "stork-qaa-level-3",
        }:
            level = TrustLevel.SUBSTANTIAL
        else:
            level = TrustLevel.BASIC
        if TrustLevel.rank(level) > TrustLevel.rank(best):
            best = level
    return best


# Filled by AccountsConfig.ready(): the local password login, OpenID Connect and SAML.
login_providers: Registry[LoginProvider] = Registry("login provider")


def password_provider(key: str) -> PasswordLoginProvider:
    """The provider ``key``, which must take an e-mail address and a password."""
    provider = login_providers.get(key)
    if not isinstance(provider, PasswordLoginProvider):
        raise UnknownPlugin(f"The login provider {key!r} does not take passwords.")
    return provider

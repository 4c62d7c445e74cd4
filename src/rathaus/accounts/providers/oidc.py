"""Login with an OpenID Connect identity provider (BundID, Servicekonto): the relying party.

Authorization code flow with PKCE (S256), ``state`` against cross-site request forgery and
``nonce`` against replayed ID tokens. The provider's metadata comes from its
``/.well-known/openid-configuration``, its keys from its JWKS; the ID token must be signed with
RS256 by one of those keys and carry the expected ``iss``, ``aud``, ``exp``, ``iat`` and
``nonce``. The assurance claim (``RATHAUS_OIDC_ACR_CLAIM``) gives the trust level.

:func:`start` and :func:`finish` raise :class:`OIDCError` with a short, non-secret reason for
the audit log; the view shows the person one clear page for all of them.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from rathaus.accounts.models import TrustLevel
from rathaus.accounts.providers import LoginRefused, trust_level_from

KEY = "oidc"
SESSION_KEY = "rathaus_oidc_pending"
TIMEOUT_SECONDS = 10
LEEWAY_SECONDS = 60  # clock difference tolerated between the provider and us
MAX_RESPONSE_BYTES = 1_000_000


class OIDCError(LoginRefused):
    """The login with the OpenID Connect provider was refused."""


def enabled() -> bool:
    return bool(settings.RATHAUS_OIDC_ISSUER)


def label() -> str:
    return str(settings.RATHAUS_OIDC_LABEL)


class OIDCProvider:
    """The login provider entry; the flow itself is :func:`start` and :func:`finish`."""

    key = KEY
    verbose_name = _("OpenID Connect (BundID, Servicekonto)")

    def enabled(self) -> bool:
        return enabled()


def issuer() -> str:
    """The issuer URL; stored with each external identity, as `sub` is unique per issuer."""
    return str(settings.RATHAUS_OIDC_ISSUER).rstrip("/")


def trust_level(claims: dict[str, Any]) -> TrustLevel:
    return trust_level_from(claims.get(str(settings.RATHAUS_OIDC_ACR_CLAIM)))


def _http_json(url: str, data: dict[str, str] | None = None) -> dict[str, Any]:
    headers = {"Accept": "application/json"}
    body = None
    if data is not None:
        body = urlencode(data).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        credentials = f"{settings.RATHAUS_OIDC_CLIENT_ID}:{settings.RATHAUS_OIDC_CLIENT_SECRET}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
    if not url.startswith(("https://", "http://")):
        raise OIDCError("provider_url_invalid")
    request = Request(url, data=body, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read(MAX_RESPONSE_BYTES)
    except HTTPError as exc:
        raise OIDCError(f"provider_http_{exc.code}") from None
    except (URLError, OSError):
        raise OIDCError("provider_unreachable") from None
    try:
        document = json.loads(raw)
    except ValueError:
        raise OIDCError("provider_invalid_json") from None
    if not isinstance(document, dict):
        raise OIDCError("provider_invalid_json")
    return document


def _metadata() -> dict[str, Any]:
    expected = issuer()
    metadata = _http_json(f"{expected}/.well-known/openid-configuration")
    if str(metadata.get("issuer", "")).rstrip("/") != expected:
        raise OIDCError("discovery_issuer_mismatch")
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(name), str):
            raise OIDCError(f"discovery_missing_{name}")
    return metadata


def _redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:oidc_callback"))


def start(request: HttpRequest, next_url: str) -> str:
    """Remember state, nonce and PKCE verifier in the session; the provider's login URL."""
    metadata = _metadata()
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    request.session[SESSION_KEY] = {
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
    }
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.RATHAUS_OIDC_CLIENT_ID,
            "redirect_uri": _redirect_uri(request),
            "scope": "openid profile email",
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    endpoint = metadata["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def pending_next(request: HttpRequest) -> str:
    pending = request.session.get(SESSION_KEY) or {}
    return str(pending.get("next", ""))


def finish(request: HttpRequest) -> dict[str, Any]:
    """Check the provider's answer, redeem the code and verify the ID token; its claims."""
    pending = request.session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict):
        raise OIDCError("no_pending_login")
    state = request.GET.get("state", "")
    if not secrets.compare_digest(state.encode(), str(pending["state"]).encode()):
        raise OIDCError("state_mismatch")
    if "error" in request.GET:
        raise OIDCError("provider_error:" + request.GET["error"][:60])
    code = request.GET.get("code", "")
    if not code:
        raise OIDCError("missing_code")
    metadata = _metadata()
    tokens = _http_json(
        metadata["token_endpoint"],
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _redirect_uri(request),
            "code_verifier": pending["verifier"],
        },
    )
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OIDCError("missing_id_token")
    keys = _http_json(metadata["jwks_uri"])
    claims = _verified_claims(id_token, keys)
    _check_claims(claims, nonce=str(pending["nonce"]))
    return claims


def _verified_claims(id_token: str, keys: dict[str, Any]) -> dict[str, Any]:
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        raise OIDCError("jwks_invalid") from None
    try:
        token = jwt.decode(id_token, key_set, algorithms=["RS256"])
    except JoseError as exc:
        raise OIDCError(f"id_token_invalid:{exc.error}") from None
    except (ValueError, TypeError, KeyError):
        raise OIDCError("id_token_invalid") from None
    return dict(token.claims)


def _check_claims(claims: dict[str, Any], *, nonce: str) -> None:
    now = time.time()
    if str(claims.get("iss", "")).rstrip("/") != issuer():
        raise OIDCError("wrong_issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    client_id = settings.RATHAUS_OIDC_CLIENT_ID
    if client_id not in audiences:
        raise OIDCError("wrong_audience")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OIDCError("wrong_authorized_party")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or expires < now - LEEWAY_SECONDS:
        raise OIDCError("expired")
    if not isinstance(issued, int | float) or issued > now + LEEWAY_SECONDS:
        raise OIDCError("issued_in_future")
    if not secrets.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
        raise OIDCError("wrong_nonce")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise OIDCError("missing_subject")

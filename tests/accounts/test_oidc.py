"""Login with an OpenID Connect identity provider, against a real provider on 127.0.0.1.

The provider below is small but speaks the protocol over HTTP: discovery, JWKS, an authorize
endpoint that approves its one test person at once, and a token endpoint that checks the code,
the PKCE verifier and the client credentials before it hands out an RS256-signed ID token. Each
test can make it misbehave (wrong key, nonce, audience, issuer, expiry) to see us refuse.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from rathaus.accounts.models import Account, ExternalIdentity, TrustLevel
from rathaus.accounts.providers.oidc import trust_level_from
from rathaus.core.models import AuditEvent
from tests.support import assert_first_external_login

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

CLIENT_ID = "rathaus-test"
CLIENT_SECRET = "geheim-" + "x" * 20
PERSON = {
    "sub": "bundid-4711",
    "email": "erika.mustermann@example.org",
    "email_verified": True,
    "given_name": "Erika",
    "family_name": "Mustermann",
    "acr": "http://eidas.europa.eu/LoA/substantial",
}


class Provider:
    """The provider's state and the ways a test can make it misbehave."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.signing_key = self.key
        self.codes: dict[str, dict[str, str]] = {}
        self.claim_changes: dict[str, Any] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {**PERSON, "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce}  # fmt: skip
        claims.update(self.claim_changes)
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        return jwt.encode(header, claims, self.signing_key)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, status: int, document: dict[str, Any]) -> None:
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                query = {name: values[0] for name, values in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, {
                        "issuer": provider.issuer,
                        "authorization_endpoint": f"{provider.issuer}/authorize",
                        "token_endpoint": f"{provider.issuer}/token",
                        "jwks_uri": f"{provider.issuer}/jwks",
                        "response_types_supported": ["code"],
                        "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "code_challenge_methods_supported": ["S256"],
                    })  # fmt: skip
                elif url.path == "/jwks":
                    self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    self._authorize(query)
                else:
                    self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict[str, str]) -> None:
                if (
                    query.get("client_id") != CLIENT_ID
                    or query.get("response_type") != "code"
                    or query.get("code_challenge_method") != "S256"
                    or "openid" not in query.get("scope", "").split()
                ):
                    self._json(400, {"error": "invalid_request"})
                    return
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "challenge": query["code_challenge"],
                    "nonce": query["nonce"],
                    "redirect_uri": query["redirect_uri"],
                }
                target = query["redirect_uri"] + "?" + urlencode(
                    {"code": code, "state": query["state"]}
                )  # fmt: skip
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()

            def do_POST(self) -> None:
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if (
                    self.path != "/token"
                    or self.headers.get("Authorization") != f"Basic {expected}"
                ):
                    self._json(401, {"error": "invalid_client"})
                    return
                grant = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if (
                    grant is None
                    or form.get("grant_type") != "authorization_code"
                    or grant["redirect_uri"] != form.get("redirect_uri")
                    or grant["challenge"] != challenge
                ):
                    self._json(400, {"error": "invalid_grant"})
                    return
                self._json(200, {
                    "access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                    "expires_in": 300, "id_token": provider.id_token(grant["nonce"]),
                })  # fmt: skip

        return Handler


@pytest.fixture
def provider(settings) -> Iterator[Provider]:
    server = Provider()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    settings.RATHAUS_OIDC_ISSUER = server.issuer
    settings.RATHAUS_OIDC_CLIENT_ID = CLIENT_ID
    settings.RATHAUS_OIDC_CLIENT_SECRET = CLIENT_SECRET
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        thread.join(timeout=5)


def _get(url: str) -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", f"{parts.path}?{parts.query}")
    return connection.getresponse()


def authorize(client) -> str:
    """Start at our login, let the provider approve; the callback path with code and state."""
    response = client.get("/konto/anmelden/oidc/")
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:")
    answer = _get(response["Location"])
    assert answer.status == 302, answer.read()
    location = urlsplit(answer.getheader("Location"))
    assert (location.scheme, location.netloc) == ("http", "testserver")
    assert location.path == "/konto/anmelden/oidc/antwort/"
    return f"{location.path}?{location.query}"


def assert_rejected(response, reason_start: str, status: int = 400) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert "Die Anmeldung beim Identitätsdienst ist fehlgeschlagen" in page
    assert 'href="/konto/anmelden/"' in page
    event = AuditEvent.objects.filter(action="account.login.oidc_rejected").last()
    assert event is not None
    assert event.details["reason"].startswith(reason_start), event.details
    assert "_auth_user_id" not in response.wsgi_request.session


def test_login_page_offers_the_identity_provider_only_when_configured(client, barleben, settings):
    settings.RATHAUS_OIDC_ISSUER = ""
    page = client.get("/konto/anmelden/").content.decode()
    assert "/konto/anmelden/oidc/" not in page
    assert client.get("/konto/anmelden/oidc/").status_code == 404

    settings.RATHAUS_OIDC_ISSUER = "https://id.example.de"
    page = client.get("/konto/anmelden/").content.decode()
    assert 'href="/konto/anmelden/oidc/' in page
    assert "Mit BundID oder Servicekonto anmelden" in page


def test_first_login_creates_the_account_and_the_second_finds_it(client, barleben, provider):
    response = client.get(authorize(client))
    assert response["Location"] == "/konto/"
    account = assert_first_external_login(
        client, provider="oidc", issuer=provider.issuer, subject="bundid-4711"
    )

    client.post("/konto/abmelden/")
    provider.claim_changes = {"acr": "STORK-QAA-Level-4"}
    assert client.get(authorize(client))["Location"] == "/konto/"
    assert ExternalIdentity.objects.count() == 1
    assert Account.objects.filter(external_identities__isnull=False).count() == 1
    assert client.session["_auth_user_id"] == str(account.user.pk)
    assert client.session["rathaus_trust_level"] == "high"


def test_unverified_email_is_not_taken(client, barleben, provider):
    provider.claim_changes = {"email_verified": False, "acr": "STORK-QAA-Level-1"}
    client.get(authorize(client))
    account = ExternalIdentity.objects.get().account
    assert account.user.email == ""
    assert account.email_verified_at is None
    assert client.session["rathaus_trust_level"] == "basic"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": "someone-else"}, "wrong_audience"),
        ({"nonce": "replayed"}, "wrong_nonce"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"iss": "http://127.0.0.1:1"}, "wrong_issuer"),
    ],
)
def test_tampered_id_tokens_are_refused(client, barleben, provider, change, reason):
    provider.claim_changes = change
    assert_rejected(client.get(authorize(client)), reason)
    assert not ExternalIdentity.objects.exists()


def test_id_token_signed_with_another_key_is_refused(client, barleben, provider):
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    assert_rejected(client.get(authorize(client)), "id_token_invalid")
    assert not ExternalIdentity.objects.exists()


def test_state_mismatch_is_refused_without_redeeming_the_code(client, barleben, provider):
    callback = authorize(client)
    path, query = callback.split("?")
    params = parse_qs(query)
    forged = urlencode({"code": params["code"][0], "state": "forged"})
    assert_rejected(client.get(f"{path}?{forged}"), "state_mismatch")
    assert provider.token_requests == 0
    # The pending login is used up: the genuine answer no longer works either.
    assert_rejected(client.get(callback), "no_pending_login")


def test_missing_code_is_refused(client, barleben, provider):
    path, query = authorize(client).split("?")
    state = parse_qs(query)["state"][0]
    assert_rejected(client.get(f"{path}?{urlencode({'state': state})}"), "missing_code")


def test_callback_without_a_started_login_is_refused(client, barleben, provider):
    assert_rejected(client.get("/konto/anmelden/oidc/antwort/?code=x&state=y"), "no_pending_login")


def test_provider_down_gives_a_clear_page(client, barleben, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.RATHAUS_OIDC_ISSUER = f"http://127.0.0.1:{port}"
    settings.RATHAUS_OIDC_CLIENT_ID = CLIENT_ID
    assert_rejected(client.get("/konto/anmelden/oidc/"), "provider_unreachable", status=502)


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("http://eidas.europa.eu/LoA/low", TrustLevel.BASIC),
        ("http://eidas.europa.eu/LoA/substantial", TrustLevel.SUBSTANTIAL),
        ("http://eidas.europa.eu/LoA/high", TrustLevel.HIGH),
        ("STORK-QAA-Level-1", TrustLevel.BASIC),
        ("STORK-QAA-Level-2", TrustLevel.BASIC),
        ("STORK-QAA-Level-3", TrustLevel.SUBSTANTIAL),
        ("STORK-QAA-Level-4", TrustLevel.HIGH),
        ("basic", TrustLevel.BASIC),
        ("substantial", TrustLevel.SUBSTANTIAL),
        ("high", TrustLevel.HIGH),
        (None, TrustLevel.BASIC),
        ("something-else", TrustLevel.BASIC),
    ],
)
def test_assurance_values_map_to_trust_levels(value, level):
    assert trust_level_from(value) == level

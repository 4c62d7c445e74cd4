"""Login with a SAML 2.0 identity provider (BundID): the service provider, built on pysaml2.

The flow is SP-initiated Web Browser SSO: :func:`start` sends a signed ``AuthnRequest`` with the
HTTP-Redirect binding, asking for a minimum level of assurance (BundID's
``STORK-QAA-Level-1…4``); the provider posts its ``Response`` to the Assertion Consumer Service
(HTTP-POST binding), where :func:`finish` accepts it only if

- the assertion is signed by a key from the provider's metadata (pysaml2 calls ``xmlsec1``),
  and, unless ``RATHAUS_SAML_REQUIRE_ENCRYPTED`` is off, arrived encrypted for our key;
- the issuer is the configured provider, the audience is our entity id, the destination and
  the recipient are our Assertion Consumer Service, ``NotBefore``/``NotOnOrAfter`` hold (with
  :data:`LEEWAY_SECONDS` of clock difference);
- ``InResponseTo`` names the request remembered in this session (no unsolicited responses);
- neither the response id nor the assertion id was seen before (:class:`UsedSamlMessage`).

The assurance comes from the ``AuthnContextClassRef`` of the authentication statement; BundID's
STORK levels, eIDAS LoA URIs and the BSI terms map to basic, substantial and high. Failures
raise :class:`SAMLError` with a short, non-secret reason for the audit log.
"""

from __future__ import annotations

import base64
import binascii
import os
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import TrustLevel, UsedSamlMessage
from rathaus.accounts.providers import ExternalLogin, LoginRefused, trust_level_from

KEY = "saml"
SESSION_KEY = "rathaus_saml_pending"
LEEWAY_SECONDS = 60  # clock difference tolerated between the identity provider and us
MAX_RESPONSE_CHARS = 500_000  # the base64 SAMLResponse; a real one is a few kilobytes
MAX_MESSAGE_LIFETIME = timedelta(hours=1)  # how long seen ids are kept at least
CONFIG_LIFETIME_SECONDS = 3600  # remote metadata is read again after this
# BundID asks for its levels as STORK QAA levels (comparison "minimum"); see ADR 0035.
REQUESTED_CONTEXT = {
    TrustLevel.BASIC: "STORK-QAA-Level-1",
    TrustLevel.SUBSTANTIAL: "STORK-QAA-Level-3",
    TrustLevel.HIGH: "STORK-QAA-Level-4",
}
CLAIMS = ("sub", "given_name", "family_name", "email")
# pysaml2 signs with RSA-SHA1 unless told otherwise, at every call.
SIGNATURE_ALGORITHM = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_ALGORITHM = "http://www.w3.org/2001/04/xmlenc#sha256"
NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"


class SAMLError(LoginRefused):
    """The login with the SAML identity provider was refused."""


def enabled() -> bool:
    return bool(settings.RATHAUS_SAML_IDP_METADATA)


def label() -> str:
    return str(settings.RATHAUS_SAML_LABEL)


class SAMLProvider:
    """The login provider entry; the flow itself is :func:`start` and :func:`finish`."""

    key = KEY
    verbose_name = _("SAML 2.0 (BundID)")

    def enabled(self) -> bool:
        return enabled()


def xmlsec_binary() -> str | None:
    """The ``xmlsec1`` program pysaml2 signs, verifies and decrypts with, if installed."""
    return shutil.which("xmlsec1")


@checks.register(checks.Tags.security)
def check_configuration(**kwargs: Any) -> list[checks.CheckMessage]:
    """With SAML on: xmlsec1 installed, key, certificate and metadata file readable (E035)."""
    if not enabled():
        return []
    problems: list[str] = []
    if xmlsec_binary() is None:
        problems.append("the xmlsec1 program is not installed (apt-get install xmlsec1)")
    files = {
        "RATHAUS_SAML_SP_KEY": settings.RATHAUS_SAML_SP_KEY,
        "RATHAUS_SAML_SP_CERT": settings.RATHAUS_SAML_SP_CERT,
    }
    source = str(settings.RATHAUS_SAML_IDP_METADATA)
    if not source.startswith(("https://", "http://")):
        files["RATHAUS_SAML_IDP_METADATA"] = source
    for name, path in files.items():
        if not path:
            problems.append(f"{name} is not set")
        elif not os.access(path, os.R_OK):
            problems.append(f"{name}: cannot read {path}")
    return [
        checks.Error(
            f"The BundID login (SAML) cannot work: {problem}.",
            hint="Every login with BundID is refused until this is fixed; see ADR 0035.",
            id="rathaus.E035",
        )
        for problem in problems
    ]


def attribute_map() -> dict[str, str]:
    """Claim name (sub, given_name, family_name, email) → SAML attribute name."""
    pairs = (item.split("=", 1) for item in settings.RATHAUS_SAML_ATTRIBUTES)
    return {claim.strip(): name.strip() for claim, name in pairs}


def metadata_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:saml_metadata"))


def acs_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:saml_acs"))


def entity_id(request: HttpRequest) -> str:
    """Our entity id: ``RATHAUS_SAML_SP_ENTITY_ID``, else the address of our metadata."""
    return str(settings.RATHAUS_SAML_SP_ENTITY_ID) or metadata_url(request)


_configs: dict[tuple[str, ...], tuple[float, Any]] = {}
_configs_lock = threading.Lock()


def _config(request: HttpRequest) -> Any:
    """The pysaml2 configuration; built once per settings and host (metadata is parsed)."""
    from saml2 import BINDING_HTTP_POST  # type: ignore[import-untyped]
    from saml2.config import SPConfig  # type: ignore[import-untyped]

    binary = xmlsec_binary()
    if binary is None:
        raise SAMLError("xmlsec1_missing")
    source = str(settings.RATHAUS_SAML_IDP_METADATA)
    key_file, cert_file = str(settings.RATHAUS_SAML_SP_KEY), str(settings.RATHAUS_SAML_SP_CERT)
    cache_key = (source, key_file, cert_file, entity_id(request), acs_url(request), binary)
    with _configs_lock:
        cached = _configs.get(cache_key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
    metadata: dict[str, Any] = (
        {"remote": [{"url": source}]}
        if source.startswith(("https://", "http://"))
        else {"local": [source]}
    )
    config = SPConfig()
    try:
        config.load(
            {
                "entityid": entity_id(request),
                "xmlsec_binary": binary,
                "key_file": key_file,
                "cert_file": cert_file,
                "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
                "metadata": metadata,
                "accepted_time_diff": LEEWAY_SECONDS,
                "allow_unknown_attributes": True,
                "service": {
                    "sp": {
                        "endpoints": {
                            "assertion_consumer_service": [(acs_url(request), BINDING_HTTP_POST)]
                        },
                        "authn_requests_signed": True,
                        "want_assertions_signed": True,
                        "want_response_signed": False,
                        "allow_unsolicited": False,
                        "name_id_format_allow_create": True,
                    }
                },
            }
        )
    except Exception:  # pysaml2 raises bare exceptions for unreadable keys and metadata
        raise SAMLError("configuration_invalid") from None
    if len(list(config.metadata.identity_providers())) != 1:
        raise SAMLError("metadata_not_one_identity_provider")
    with _configs_lock:
        _configs[cache_key] = (time.monotonic() + CONFIG_LIFETIME_SECONDS, config)
    return config


def _client(request: HttpRequest) -> Any:
    from saml2.client import Saml2Client  # type: ignore[import-untyped]

    return Saml2Client(config=_config(request))


def issuer(request: HttpRequest) -> str:
    """The identity provider's entity id; stored with each external identity."""
    return str(next(iter(_config(request).metadata.identity_providers())))


def metadata(request: HttpRequest) -> str:
    """Our SP metadata (signing and encryption certificate, ACS), signed with our key."""
    from saml2.metadata import create_metadata_string  # type: ignore[import-untyped]

    document = create_metadata_string(
        "",
        config=_config(request),
        valid=24 * 7,
        sign=True,
        sign_alg=SIGNATURE_ALGORITHM,
        digest_alg=DIGEST_ALGORITHM,
    )
    return document.decode() if isinstance(document, bytes) else str(document)


def start(request: HttpRequest, next_url: str, level: str | None = None) -> str:
    """A signed AuthnRequest (HTTP-Redirect binding); its id is remembered in the session."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.saml import AuthnContextClassRef  # type: ignore[import-untyped]
    from saml2.samlp import RequestedAuthnContext  # type: ignore[import-untyped]

    requested = TrustLevel(level or settings.RATHAUS_SAML_REQUESTED_LEVEL)
    client = _client(request)
    context = RequestedAuthnContext(
        authn_context_class_ref=[AuthnContextClassRef(text=REQUESTED_CONTEXT[requested])],
        comparison="minimum",
    )
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=issuer(request),
            binding=BINDING_HTTP_REDIRECT,
            sign=True,
            sigalg=SIGNATURE_ALGORITHM,
            digest_alg=DIGEST_ALGORITHM,
            requested_authn_context=context,
        )
    except Exception:
        raise SAMLError("request_not_signed") from None
    request.session[SESSION_KEY] = {"id": request_id, "next": next_url}
    return str(dict(info["headers"])["Location"])


def _decoded(raw: str) -> bytes:
    if not raw or len(raw) > MAX_RESPONSE_CHARS:
        raise SAMLError("missing_response" if not raw else "response_too_large")
    try:
        return base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        raise SAMLError("response_not_base64") from None


def _check_shape(document: bytes) -> None:
    """One Response with one assertion, encrypted if required: checked before pysaml2 parses."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(document)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise SAMLError("response_not_xml") from None
    if root.tag != f"{{{NS_PROTOCOL}}}Response":
        raise SAMLError("not_a_response")
    plain = root.findall(f"{{{NS_ASSERTION}}}Assertion")
    encrypted = root.findall(f"{{{NS_ASSERTION}}}EncryptedAssertion")
    status = root.find(f"{{{NS_PROTOCOL}}}Status/{{{NS_PROTOCOL}}}StatusCode")
    if status is not None and not status.get("Value", "").endswith(":Success"):
        return  # pysaml2 turns the status into the matching error below
    if len(plain) + len(encrypted) != 1:
        raise SAMLError("not_one_assertion")
    if settings.RATHAUS_SAML_REQUIRE_ENCRYPTED and not encrypted:
        raise SAMLError("assertion_not_encrypted")


def _reason(error: Exception) -> str:
    """A short audit reason for whatever pysaml2 raised."""
    from saml2.response import (  # type: ignore[import-untyped]
        DecryptionFailed,
        StatusError,
        UnsolicitedResponse,
    )
    from saml2.sigver import DecryptError, SignatureError, SigverError  # type: ignore[import-untyped]
    from saml2.validate import ResponseLifetimeExceed, ToEarly  # type: ignore[import-untyped]

    text = str(error)
    if isinstance(error, StatusError):
        return "idp_status:" + type(error).__name__.removeprefix("Status")[:40]
    if isinstance(error, UnsolicitedResponse):
        return "unsolicited"
    if isinstance(error, DecryptionFailed | DecryptError | UnicodeDecodeError):
        return "not_decryptable"  # garbled ciphertext decrypts to bytes that are no text
    if isinstance(error, SignatureError | SigverError):
        return "bad_signature"
    if isinstance(error, ResponseLifetimeExceed):
        return "expired"
    if isinstance(error, ToEarly):
        return "not_yet_valid"
    if "AudienceRestrictions" in text:
        return "wrong_audience"
    if "destination" in text.lower() or "recipient" in text.lower():
        return "wrong_destination"
    return "invalid_response:" + type(error).__name__[:40]


def finish(request: HttpRequest) -> ExternalLogin:
    """Verify the posted response for the request of this session; who logged in, how surely."""
    from saml2 import BINDING_HTTP_POST

    pending = request.session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict):
        raise SAMLError("no_pending_login")
    raw = request.POST.get("SAMLResponse", "")
    _check_shape(_decoded(raw))
    client = _client(request)
    try:
        response = client.parse_authn_request_response(
            raw, BINDING_HTTP_POST, outstanding={str(pending["id"]): str(pending["next"])}
        )
    except SAMLError:
        raise
    except Exception as error:
        raise SAMLError(_reason(error)) from None
    if response is None or response.assertion is None or len(response.assertions) != 1:
        raise SAMLError("not_one_assertion")
    expected_issuer = issuer(request)
    if response.issuer() != expected_issuer or response.assertion.issuer.text != expected_issuer:
        raise SAMLError("wrong_issuer")
    if response.in_response_to != pending["id"]:
        raise SAMLError("unsolicited")
    _remember(response)
    claims = _claims(response)
    contexts = [context for context, _authorities, _instant in response.authn_info()]
    return ExternalLogin(
        issuer=expected_issuer,
        claims=claims,
        trust_level=trust_level_from(contexts),
        next_url=str(pending["next"]),
    )


def _remember(response: Any) -> None:
    """Refuse a response or assertion id seen before; keep both until they expire."""
    valid_until = response.not_on_or_after or 0
    now = timezone.now()
    expires_at = max(
        datetime.fromtimestamp(valid_until, tz=UTC) if valid_until else now,
        now + MAX_MESSAGE_LIFETIME,
    )
    issuer_id = str(response.issuer())[:200]
    ids = [f"response:{response.id()}", f"assertion:{response.assertion.id}"]
    UsedSamlMessage.objects.filter(expires_at__lt=now).delete()
    try:
        with transaction.atomic():
            for message_id in ids:
                UsedSamlMessage.objects.create(
                    issuer=issuer_id, message_id=message_id[:255], expires_at=expires_at
                )
    except IntegrityError:
        raise SAMLError("replayed") from None


def _claims(response: Any) -> dict[str, Any]:
    """The mapped attributes under OIDC claim names; the subject is required."""
    values: dict[str, str] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            texts = [value.text for value in attribute.attribute_value if value.text]
            if texts and attribute.name not in values:
                values[attribute.name] = texts[0].strip()
    claims: dict[str, Any] = {}
    for claim, name in attribute_map().items():
        if values.get(name):
            claims[claim] = values[name]
    if "sub" not in claims:
        name_id = response.assertion.subject.name_id if response.assertion.subject else None
        persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
        if name_id is not None and name_id.format == persistent and name_id.text:
            claims["sub"] = name_id.text.strip()
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise SAMLError("missing_subject")
    if "email" in claims:
        # The provider confirmed the address before passing it on (BundID does); an address
        # never links to an existing account (services.external_account).
        claims["email_verified"] = True
    return claims

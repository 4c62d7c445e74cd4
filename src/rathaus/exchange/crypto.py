"""Keys, encryption and signatures of the exchange, as FIT-Connect uses them (jwcrypto).

- **Encryption**: every part of a submission (metadata, data, each attachment) is a JWE in
  compact serialisation, ``alg`` RSA-OAEP-256 and ``enc`` A256GCM, encrypted to the
  destination's public key (its ``kid`` in the header). The last part of a compact JWE is its
  authentication tag; the receiver's accept event names the tags of what it received.
- **Signatures**: events are security event tokens (RFC 8417), JWS in compact serialisation
  with ``alg`` PS512 and ``typ`` ``secevent+jwt``, signed with the issuer's signature key.
- **Our keys** are one JWK set in a file outside the database (``RATHAUS_EXCHANGE_KEY_FILE``):
  an RSA key for decryption (``key_ops`` ``unwrapKey``) and one for signing (``sign``).
  ``rathaus exchange-keys`` makes it; :func:`public_keys` are what others get.
"""

from __future__ import annotations

import functools
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwcrypto import jwe, jwk, jws
from jwcrypto.common import JWException, base64url_decode, json_decode

ENCRYPTION_ALG = "RSA-OAEP-256"
CONTENT_ENC = "A256GCM"
SIGNATURE_ALG = "PS512"
SET_TYPE = "secevent+jwt"
KEY_SIZE = 4096

EVENT_PREFIX = "https://schema.fitko.de/fit-connect/events/"
"""Events are named by URI; the last part is our ``Event.kind`` (e.g. ``accept-submission``)."""


class CryptoError(ValueError):
    """A part could not be decrypted or a signature not verified; the message says why."""


# --- keys ------------------------------------------------------------------------------------


def generate_key_set(size: int = KEY_SIZE) -> jwk.JWKSet:
    """A new private key set: one key to decrypt, one to sign (kid = the key's thumbprint)."""
    keys = jwk.JWKSet()
    for use, alg, ops in (("enc", ENCRYPTION_ALG, ["unwrapKey"]), ("sig", SIGNATURE_ALG, ["sign"])):
        key = jwk.JWK.generate(kty="RSA", size=size)
        key.update(kid=key.thumbprint(), use=use, alg=alg, key_ops=ops)
        keys.add(key)
    return keys


def write_key_set(keys: jwk.JWKSet, path: Path) -> None:
    """Write the private key set readable by its owner only; never overwrites."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(keys.export(private_keys=True))


@functools.cache
def _load(path: str) -> jwk.JWKSet:
    try:
        text = Path(path).read_text()
    except OSError as error:
        raise ImproperlyConfigured(
            f"RATHAUS_EXCHANGE_KEY_FILE {path!r} cannot be read ({error.strerror}); "
            "make one with `rathaus exchange-keys`."
        ) from None
    try:
        return jwk.JWKSet.from_json(text)
    except (JWException, ValueError) as error:
        raise ImproperlyConfigured(
            f"RATHAUS_EXCHANGE_KEY_FILE {path!r} is no JWK set: {error}"
        ) from None


def own_keys() -> jwk.JWKSet:
    """Our private key set from ``RATHAUS_EXCHANGE_KEY_FILE``."""
    path = settings.RATHAUS_EXCHANGE_KEY_FILE
    if not path:
        raise ImproperlyConfigured(
            "RATHAUS_EXCHANGE_KEY_FILE is not set; make a key set with `rathaus exchange-keys`."
        )
    return _load(str(path))


def _own(use: str) -> jwk.JWK:
    for key in own_keys()["keys"]:
        if key.get("use") == use:
            return key
    raise ImproperlyConfigured(f"The exchange key set has no key with use {use!r}.")


def public_jwk(key: jwk.JWK) -> dict[str, Any]:
    """The public half of a key with FIT-Connect's members (kid, alg, key_ops verify/wrapKey)."""
    public: dict[str, Any] = key.export_public(as_dict=True)
    public["kid"] = key.get("kid")
    public["alg"] = key.get("alg")
    public["use"] = key.get("use")
    public["key_ops"] = ["wrapKey"] if key.get("use") == "enc" else ["verify"]
    return public


def public_key_set(keys: jwk.JWKSet) -> dict[str, list[dict[str, Any]]]:
    """The public halves of ``keys`` as a JWK set, in a fixed order (by use, then kid).

    A ``JWKSet`` holds its keys in a set, so without sorting the published order would change
    from one process to the next.
    """
    public = [public_jwk(key) for key in keys["keys"]]
    return {"keys": sorted(public, key=lambda key: (str(key["use"]), str(key["kid"])))}


def public_keys() -> dict[str, list[dict[str, Any]]]:
    """Our public keys as a JWK set (encryption and signature)."""
    return public_key_set(own_keys())


def encryption_key() -> dict[str, Any]:
    return public_jwk(_own("enc"))


def signature_key() -> dict[str, Any]:
    return public_jwk(_own("sig"))


def _public(jwk_dict: dict[str, Any]) -> jwk.JWK:
    try:
        key = jwk.JWK(**jwk_dict)
    except (JWException, ValueError, TypeError) as error:
        raise CryptoError(f"not a usable key: {error}") from None
    if key.has_private:
        raise CryptoError("a private key was given where a public key belongs")
    return key


# --- encryption ------------------------------------------------------------------------------


def encrypt(plaintext: bytes, public_key: dict[str, Any], content_type: str = "") -> str:
    """A compact JWE (RSA-OAEP-256, A256GCM) of ``plaintext`` for ``public_key``."""
    key = _public(public_key)
    header = {"alg": ENCRYPTION_ALG, "enc": CONTENT_ENC, "kid": public_key.get("kid", "")}
    if content_type:
        header["cty"] = content_type
    token = jwe.JWE(plaintext, protected=json.dumps(header))
    token.add_recipient(key)
    return str(token.serialize(compact=True))


def decrypt(compact: str) -> bytes:
    """Decrypt a compact JWE with our private key; :class:`CryptoError` if it cannot be."""
    if not isinstance(compact, str) or compact.count(".") != 4:
        raise CryptoError("not a JWE in compact serialisation (five parts)")
    token = jwe.JWE()
    try:
        token.deserialize(compact)
        header = token.jose_header
        if header.get("alg") != ENCRYPTION_ALG or header.get("enc") != CONTENT_ENC:
            raise CryptoError(
                f"unexpected algorithms {header.get('alg')}/{header.get('enc')}; "
                f"{ENCRYPTION_ALG}/{CONTENT_ENC} are required"
            )
        if "zip" in header:
            # FIT-Connect does not compress; a compressed part could inflate a hundredfold
            raise CryptoError("compressed parts (zip) are not accepted")
        # without compression the plaintext is never longer than the ciphertext
        token.decrypt(_own("enc"), max_plaintext=len(compact))
    except CryptoError:
        raise
    except (JWException, ValueError, TypeError) as error:
        raise CryptoError(f"cannot be decrypted: {error}") from None
    return bytes(token.payload)


def authentication_tag(compact: str) -> str:
    """The authentication tag of a compact JWE (its fifth part)."""
    return compact.rsplit(".", 1)[-1]


# --- signed events ---------------------------------------------------------------------------


def sign_event(
    kind: str,
    *,
    issuer: str,
    submission_id: uuid.UUID | str,
    case_id: uuid.UUID | str,
    payload: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """A signed SET for event ``kind`` (e.g. ``accept-submission``); returns (token, claims)."""
    key = _own("sig")
    claims = {
        "$schema": "https://schema.fitko.de/fit-connect/set-payload/1.2.0/set-payload.schema.json",
        "jti": str(uuid.uuid4()),
        "iss": issuer,
        "iat": int(time.time()),
        "sub": f"submission:{submission_id}",
        "txn": f"case:{case_id}",
        "events": {EVENT_PREFIX + kind: payload or {}},
    }
    header = {"alg": SIGNATURE_ALG, "typ": SET_TYPE, "kid": key.get("kid")}
    token = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
    token.add_signature(key, alg=SIGNATURE_ALG, protected=json.dumps(header))
    return str(token.serialize(compact=True)), claims


def sign_claims(claims: dict[str, Any], typ: str = "JWT") -> str:
    """A compact PS512 JWS of ``claims`` with our signature key (e.g. a destinationSignature)."""
    key = _own("sig")
    header = {"alg": SIGNATURE_ALG, "typ": typ, "kid": key.get("kid")}
    token = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
    token.add_signature(key, alg=SIGNATURE_ALG, protected=json.dumps(header))
    return str(token.serialize(compact=True))


def read_event(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a SET *without* checking its signature (to find the key)."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise CryptoError("not a JWS in compact serialisation (three parts)")
    try:
        header = json_decode(base64url_decode(parts[0]))
        claims = json_decode(base64url_decode(parts[1]))
    except (ValueError, TypeError, RecursionError) as error:
        raise CryptoError(f"cannot be read: {error!r}"[:300]) from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise CryptoError("header and claims must be JSON objects")
    return header, claims


def verify_event(token: str, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The claims of a SET whose PS512 signature one of ``keys`` (public JWKs) verifies.

    :class:`CryptoError` if the header is not that of a SET, no key has its kid, or the
    signature does not verify."""
    header, _claims = read_event(token)
    if header.get("typ") != SET_TYPE:
        raise CryptoError(f"header must have alg {SIGNATURE_ALG} and typ {SET_TYPE}")
    return verify_signature(token, keys)


def verify_signature(token: str, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The claims of any PS512 JWS (e.g. a Routing API ``destinationSignature``) that one of
    ``keys`` verifies; :func:`verify_event` also requires the SET header."""
    header, _claims = read_event(token)
    if header.get("alg") != SIGNATURE_ALG:
        raise CryptoError(f"header must have alg {SIGNATURE_ALG}")
    candidates = [key for key in keys if key.get("kid") == header.get("kid")]
    if not candidates:
        raise CryptoError(f"no known signature key has kid {header.get('kid')!r}")
    signed = jws.JWS()
    try:
        signed.deserialize(token)
        signed.verify(_public(candidates[0]), alg=SIGNATURE_ALG)
    except CryptoError:
        raise
    except (JWException, ValueError, TypeError) as error:
        raise CryptoError(f"signature does not verify: {error}") from None
    try:
        claims = json_decode(signed.payload)
    except (ValueError, TypeError, RecursionError) as error:
        raise CryptoError(f"claims cannot be read: {error!r}"[:300]) from None
    if not isinstance(claims, dict):
        raise CryptoError("claims must be a JSON object")
    return claims


def event_kind(claims: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(kind, payload) of a SET's single event."""
    events = claims.get("events")
    if not isinstance(events, dict) or len(events) != 1:
        raise CryptoError("a SET must name exactly one event")
    ((uri, payload),) = events.items()
    if not isinstance(uri, str) or not uri.startswith(EVENT_PREFIX):
        raise CryptoError(f"unknown event {uri!r}")
    return uri[len(EVENT_PREFIX) :], payload if isinstance(payload, dict) else {}

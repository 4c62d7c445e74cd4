"""The signature of the sandbox's notifications, shared by the sandbox (which signs) and the
``sandbox`` provider (which checks): HMAC-SHA256 over ``timestamp + "." + raw body`` with a
shared key, sent with the key's id so that keys can be rotated."""

from __future__ import annotations

import hashlib
import hmac

KEY_ID_HEADER = "X-Sandbox-Key-Id"
TIMESTAMP_HEADER = "X-Sandbox-Timestamp"
SIGNATURE_HEADER = "X-Sandbox-Signature"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def headers(key_id: str, secret: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers that sign ``body`` at ``timestamp`` (seconds since the epoch)."""
    stamp = str(timestamp)
    return {
        KEY_ID_HEADER: key_id,
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature(secret, stamp, body),
    }

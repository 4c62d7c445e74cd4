"""The receiver's callbacks: ``POST /api/v1/exchange/callbacks/{outgoingId}`` (ADR 0053).

No bearer token and no CSRF token: the HMAC is the authentication. The receiver signs
``"<callback-timestamp>.<body>"`` with the callback secret we gave it on announce (HMAC-SHA512,
hex, header ``callback-authentication``). A signature that does not match, or a timestamp more
than five minutes away, is refused with 401 and logged. A valid callback only says "there are
new events": we queue the fetch of the event log (``poll_events``) and answer 202; the events
themselves are verified by their own signatures (:mod:`rathaus.exchange.answers`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from rathaus.core.problems import ProblemOut, problem
from rathaus.exchange.models import Outgoing

logger = logging.getLogger(__name__)

WINDOW = 300
"""Seconds a callback's timestamp may be away from our clock."""

MAX_BODY = 64 * 1024

router = Router(tags=["exchange (callbacks)"])


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``callback-authentication`` of a body: hex HMAC-SHA512 of "timestamp.body"."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()


def _refuse(request: HttpRequest, outgoing_id: uuid.UUID, why: str) -> HttpResponse:
    logger.warning("exchange callback for %s refused: %s", outgoing_id, why)
    return problem(request, 401, "Unauthorized", f"The callback is not accepted: {why}")


@router.post(
    "/{outgoing_id}",
    url_name="exchange_callback",
    response={202: None, 401: ProblemOut, 404: ProblemOut, 413: ProblemOut},
    summary="Receive a receiver's callback about new events",
    description=(
        "Called by the receiving installation, not by people. Body `{type, submissionIds}`; "
        "headers `callback-timestamp` (Unix seconds) and `callback-authentication` (hex "
        "HMAC-SHA512 of `<timestamp>.<body>` with the callback secret). 202: the event log "
        "will be fetched; 401: signature or timestamp not accepted; 404: no such submission."
    ),
)
def callback(request: HttpRequest, outgoing_id: uuid.UUID) -> Any:
    from rathaus.exchange import tasks

    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > MAX_BODY:
        return problem(request, 413, "Content Too Large", f"At most {MAX_BODY} bytes.")
    outgoing = Outgoing.objects.filter(pk=outgoing_id).only("pk", "callback_secret").first()
    if outgoing is None or not outgoing.callback_secret:
        return problem(request, 404, "Not Found", "There is no such outgoing submission.")
    timestamp = request.headers.get("callback-timestamp", "")
    given = request.headers.get("callback-authentication", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not given.isascii():
        return _refuse(
            request, outgoing_id, "callback-timestamp or callback-authentication is malformed"
        )
    if abs(time.time() - int(timestamp)) > WINDOW:
        return _refuse(request, outgoing_id, "the timestamp is older than five minutes")
    expected = signature(outgoing.callback_secret, timestamp, request.body)
    if not hmac.compare_digest(expected, given.strip().lower()):
        return _refuse(request, outgoing_id, "callback-authentication does not match")
    tasks.poll_events.enqueue(str(outgoing.pk))
    return 202, None

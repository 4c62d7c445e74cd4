"""Callbacks to the sender after every event we issue (FIT-Connect's ``new-events`` callback).

``POST <callback url>`` with the body ``{"type": …/callbacks/new-events, "submissionIds": [id]}``
and the headers ``callback-timestamp`` (Unix seconds) and ``callback-authentication`` (hex
HMAC-SHA512 of ``"<timestamp>.<body>"`` with the secret the sender gave on announce). A failed
callback is tried again later (:data:`RETRY_DELAYS`); the event is in the event log from the
start, so a sender that polls loses nothing while the callback waits.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.utils import timezone

from rathaus.exchange.models import Event
from rathaus.exchange.transports import NO_REDIRECTS

logger = logging.getLogger(__name__)

CALLBACK_TYPE = "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events"
TIMEOUT_SECONDS = 10
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``callback-authentication`` header: hex HMAC-SHA512 of ``timestamp.body``."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()


def callback_request(event: Event) -> urllib.request.Request:
    incoming = event.incoming
    if incoming is None:
        raise ValueError("only events of incoming submissions have a callback")
    body = json.dumps(
        {"type": CALLBACK_TYPE, "submissionIds": [str(incoming.submission_uuid)]},
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    return urllib.request.Request(  # noqa: S310 (deliver accepts http and https only)
        incoming.callback_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "callback-timestamp": timestamp,
            "callback-authentication": signature(incoming.callback_secret, timestamp, body),
        },
    )


def deliver(event_id: int, attempt: int = 1) -> str:
    """One attempt to tell the sender of a new event: sent, retry, failed or skipped."""
    from rathaus.exchange.tasks import send_callback

    event = Event.objects.select_related("incoming").filter(pk=event_id).first()
    if event is None or event.incoming is None or not event.incoming.callback_url:
        return "skipped"
    if not event.incoming.callback_url.startswith(("http://", "https://")):
        logger.error("callback of event %s: not an http(s) address", event.jti)
        return "failed"
    try:
        request = callback_request(event)
        with NO_REDIRECTS.open(request, timeout=TIMEOUT_SECONDS) as answer:
            answer.read(1024)
    except (urllib.error.URLError, OSError, ValueError) as error:
        if attempt > len(RETRY_DELAYS):
            logger.error(
                "callback of event %s failed for good after %s attempts: %s",
                event.jti,
                attempt,
                error,
            )
            return "failed"
        run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
        send_callback.using(run_after=run_after).enqueue(event_id, attempt + 1)
        logger.warning(
            "callback of event %s failed (attempt %s), again at %s: %s",
            event.jti,
            attempt,
            run_after.isoformat(timespec="seconds"),
            error,
        )
        return "retry"
    return "sent"

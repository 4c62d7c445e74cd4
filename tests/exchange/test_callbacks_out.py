"""The callback to the sender after an event: HMAC-SHA512 over "timestamp.body" with the secret
the sender gave, and tried again later when the sender does not answer."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.exchange import notify, receiving
from rathaus.exchange.models import Incoming, OwnDestination
from rathaus.forms.models import FormVersion
from tests.factories.exchange_receiving import (
    CALLBACK,
    parcel_of,
    queued,
    send,
    submission_with_files,
)
from tests.support import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def sender_side() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A callback endpoint on a free port that records what it receives."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"headers": dict(self.headers.items()), "body": body})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v1/exchange/callbacks/abc", received
    finally:
        server.shutdown()
        server.server_close()


def test_the_callback_is_signed_with_the_senders_secret(
    api: Client,
    destination: OwnDestination,
    version: FormVersion,
    sender_side: tuple[str, list[dict[str, Any]]],
) -> None:
    url, received = sender_side
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    Incoming.objects.filter(pk=incoming.pk).update(callback_url=url)
    receiving.process(str(incoming.pk))
    event = incoming.events.get()

    assert notify.deliver(event.pk) == "sent"

    (call,) = received
    headers = {name.lower(): value for name, value in call["headers"].items()}
    assert json.loads(call["body"]) == {
        "type": "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events",
        "submissionIds": [str(incoming.submission_uuid)],
    }
    timestamp = headers["callback-timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    expected = hmac.new(
        b"s" * 40, timestamp.encode() + b"." + call["body"], hashlib.sha512
    ).hexdigest()
    assert headers["callback-authentication"] == expected


def test_a_sender_that_does_not_answer_gets_the_callback_later(
    api: Client, destination: OwnDestination, version: FormVersion
) -> None:
    incoming = send(api, destination, parcel_of(submission_with_files(version)))
    receiving.process(str(incoming.pk))  # the callback address is a closed port
    event = incoming.events.get()
    before = timezone.now()

    assert notify.deliver(event.pk) == "retry"

    retry = queued(CALLBACK)[-1]
    assert retry.args_kwargs["args"] == [event.pk, 2]
    assert retry.run_after > before
    assert notify.deliver(event.pk, len(notify.RETRY_DELAYS) + 1) == "failed"
    assert len(queued(CALLBACK)) == 2  # the first and the one retry: no more after failing
    log = api.get(f"/api/v1/exchange/cases/{incoming.case_uuid}/events")
    assert len(log.json()["eventLog"]) == 1  # the event log does not wait for the callback

"""The ``fitconnect`` transport over real HTTP: what it sends, and which failures may pass
(retryable) and which may not (ADR 0053)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rathaus.exchange.transports import FitConnectHttp, Remote, TransportError, transports

DESTINATION = "0b6d3a7e-1c4f-4f6e-9a55-1d2b3c4d5e6f"
SUBMISSION = "5f0c1a2b-3d4e-4f50-8a6b-7c8d9e0f1a2b"
CASE = "9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b"


class Recorder:
    def __init__(self) -> None:
        self.status = 201
        self.body: bytes = json.dumps({"destinationId": DESTINATION, "submissionId": SUBMISSION,
                                       "caseId": CASE}).encode()  # fmt: skip
        self.seen: list[dict[str, object]] = []


@pytest.fixture
def remote() -> Iterator[tuple[Remote, Recorder]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def handle_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            recorder.seen.append({
                "method": self.command, "path": self.path, "headers": dict(self.headers),
                "body": self.rfile.read(length),
            })  # fmt: skip
            self.send_response(recorder.status)
            self.send_header("Content-Length", str(len(recorder.body)))
            self.end_headers()
            self.wfile.write(recorder.body)

        do_GET = do_POST = do_PUT = handle_any

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Remote(f"http://127.0.0.1:{server.server_address[1]}/api/v1/exchange", "geheim"), recorder
    server.shutdown()
    server.server_close()
    thread.join()


def test_fitconnect_is_the_registered_transport():
    assert isinstance(transports.get("fitconnect"), FitConnectHttp)


def test_announce_sends_json_with_the_bearer_token_and_the_idempotency_key(remote):
    address, recorder = remote
    answer = FitConnectHttp().announce(address, {"destinationId": "d"}, idempotency_key="k-1")
    assert (answer.submission_id, answer.case_id) == (SUBMISSION, CASE)
    (request,) = recorder.seen
    assert request["method"] == "POST"
    assert request["path"] == "/api/v1/exchange/submissions"
    assert request["headers"]["Authorization"] == "Bearer geheim"
    assert request["headers"]["Idempotency-Key"] == "k-1"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {"destinationId": "d"}


def test_an_attachment_is_sent_as_application_jose(remote):
    address, recorder = remote
    recorder.status, recorder.body = 204, b""
    FitConnectHttp().upload_attachment(address, "s", "a", "x.y.z.v.w")
    (request,) = recorder.seen
    assert request["method"] == "PUT"
    assert request["path"] == "/api/v1/exchange/submissions/s/attachments/a"
    assert request["headers"]["Content-Type"] == "application/jose"
    assert request["body"] == b"x.y.z.v.w"


def test_public_lookups_send_no_token(remote):
    address, recorder = remote
    recorder.status, recorder.body = 200, b'{"kid": "k"}'
    FitConnectHttp().key(address, "d", "k/1")
    (request,) = recorder.seen
    assert "Authorization" not in request["headers"]
    assert request["path"] == "/api/v1/exchange/destinations/d/keys/k%2F1"


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (401, False),
                              (404, False), (409, False), (422, False)],
)  # fmt: skip
def test_5xx_and_429_may_pass_4xx_not(remote, status, retryable):
    address, recorder = remote
    recorder.status = status
    recorder.body = json.dumps({"title": "Problem", "detail": "Das Ziel ist unbekannt."}).encode()
    with pytest.raises(TransportError) as raised:
        FitConnectHttp().announce(address, {}, idempotency_key="k")
    assert raised.value.retryable is retryable
    assert raised.value.status == status
    assert "Das Ziel ist unbekannt." in str(raised.value)


def test_an_answer_that_is_no_json_may_pass(remote):
    address, recorder = remote
    recorder.body = b"<html>proxy</html>"
    with pytest.raises(TransportError) as raised:
        FitConnectHttp().announce(address, {}, idempotency_key="k")
    assert raised.value.retryable is True


def test_an_announcement_whose_ids_are_not_uuids_is_not_retried(remote):
    address, recorder = remote
    recorder.body = json.dumps({"destinationId": "d", "submissionId": "s", "caseId": "c"}).encode()
    with pytest.raises(TransportError) as raised:
        FitConnectHttp().announce(address, {}, idempotency_key="k")
    assert raised.value.retryable is False
    assert "UUID" in str(raised.value)


def test_a_redirect_is_refused_and_the_token_does_not_follow_it(remote):
    address, recorder = remote
    recorder.status, recorder.body = 302, b""
    with pytest.raises(TransportError):
        FitConnectHttp().announce(address, {}, idempotency_key="k")
    assert len(recorder.seen) == 1  # not followed


def test_a_receiver_that_does_not_answer_in_time_may_pass():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        address = Remote(f"http://127.0.0.1:{listener.getsockname()[1]}/api", "t")
        with pytest.raises(TransportError) as raised:
            FitConnectHttp(timeout=0.3).events(address, "c")
    finally:
        listener.close()
    assert raised.value.retryable is True
    assert "no answer" in str(raised.value)


def test_only_http_addresses_are_used():
    with pytest.raises(TransportError) as raised:
        FitConnectHttp().events(Remote("file:///etc", "t"), "c")
    assert raised.value.retryable is False

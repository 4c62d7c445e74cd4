"""Fixtures of the sending side's tests (import them into the test module).

``receiver`` is a real HTTP server in a thread that plays a receiving installation of the
wire protocol (docs/exchange.md): it keeps what it is sent, decrypts with its own key set
(``RATHAUS_EXCHANGE_KEY_FILE`` points to it, so ``crypto.decrypt`` and ``crypto.sign_event`` act
as the receiver), issues signed events and can be made to fail.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from rathaus.exchange import crypto

TOKEN = "test-sender-token"


@pytest.fixture(scope="session")
def receiver_key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exchange-keys") / "receiver.jwks"
    crypto.write_key_set(crypto.generate_key_set(2048), path)
    return path


@dataclass
class Stored:
    submission_id: str
    case_id: str
    announcement: dict[str, Any]
    attachments: dict[str, str] = field(default_factory=dict)
    metadata: str = ""
    data: str = ""


class Receiver:
    """The state of the fake receiving installation; ``url`` is its exchange API."""

    def __init__(self) -> None:
        self.destination_id = str(uuid.uuid4())
        self.url = ""
        self.bodies: list[bytes] = []
        self.requests: list[tuple[str, str]] = []
        self.by_key: dict[str, str] = {}
        self.submissions: dict[str, Stored] = {}
        self.events: dict[str, list[str]] = {}
        self.fail_with: int | None = None  # answer every request with this status
        self.route_tamper = False  # sign routes for another destination
        self.lock = threading.Lock()

    def public_keys(self) -> dict[str, Any]:
        return crypto.public_keys()

    def encryption_key(self) -> dict[str, Any]:
        return crypto.encryption_key()

    def signature_key(self) -> dict[str, Any]:
        return crypto.signature_key()

    def only(self) -> Stored:
        (stored,) = self.submissions.values()
        return stored

    def tags(self, stored: Stored) -> dict[str, Any]:
        return {
            "metadata": crypto.authentication_tag(stored.metadata),
            "data": crypto.authentication_tag(stored.data),
            "attachments": {
                key: crypto.authentication_tag(jwe) for key, jwe in stored.attachments.items()
            },
        }

    def issue(self, stored: Stored, kind: str, payload: dict[str, Any] | None = None) -> str:
        token, _claims = crypto.sign_event(
            kind, issuer=self.destination_id, submission_id=stored.submission_id,
            case_id=stored.case_id, payload=payload,
        )  # fmt: skip
        self.events.setdefault(stored.case_id, []).append(token)
        return token

    def route_signature(self, claims: dict[str, Any]) -> str:
        """A PS512 JWS over route claims with the receiver's signature key (as its Routing
        API signs ``destinationSignature``)."""
        from jwcrypto import jws

        key = next(key for key in crypto.own_keys()["keys"] if key.get("use") == "sig")
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature(key, alg="PS512", protected=json.dumps({"alg": "PS512",
                                                                   "kid": key.get("kid")}))  # fmt: skip
        return str(token.serialize(compact=True))

    def routes(self, route: str) -> dict[str, Any]:
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(route).query)
        leika, ars = query["leikaKey"][0], query["ars"][0]
        claims = {
            "submissionHost": "127.0.0.1", "iss": "test-receiver", "iat": 1,
            "jti": str(uuid.uuid4()), "destinationId": self.destination_id,
            "services": [{
                "gebietIDs": [f"urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:rs:{ars}"],
                "leistungIDs": [f"urn:de:fim:leika:leistung:{leika}"],
            }],
        }  # fmt: skip
        signature = self.route_signature(claims)
        if self.route_tamper:
            signature = self.route_signature({**claims, "destinationId": str(uuid.uuid4())})
        return {"count": 1, "offset": 0, "totalCount": 1, "routes": [{
            "destinationId": self.destination_id, "destinationSignature": signature,
            "destinationName": "Versammlungsbehörde",
        }]}  # fmt: skip

    def accept(self, stored: Stored) -> str:
        return self.issue(stored, "accept-submission", {"authenticationTags": self.tags(stored)})


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver
    PREFIX = "/api/v1/exchange"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: Any = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            content = "application/problem+json" if status >= 400 else "application/json"
            self.send_header("Content-Type", content)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _problem(self, status: int, detail: str) -> None:
        self._answer(status, {"type": "about:blank", "title": "Problem", "status": status,
                              "detail": detail})  # fmt: skip

    def _handle(self) -> None:
        receiver = self.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = self.path
        with receiver.lock:
            receiver.bodies.append(body)
            receiver.requests.append((self.command, path))
            if receiver.fail_with is not None:
                return self._problem(receiver.fail_with, "made to fail")
            if not path.startswith(self.PREFIX):
                return self._problem(404, "not here")
            route = path[len(self.PREFIX) :]
            if self.command == "GET" and route.startswith("/routes?"):
                return self._answer(200, receiver.routes(route))
            public = re.fullmatch(r"/destinations/([^/]+)(?:/keys/([^/]+))?", route)
            if self.command == "GET" and public:
                if public.group(1) != receiver.destination_id:
                    return self._problem(404, "no such destination")
                if public.group(2):
                    for key in receiver.public_keys()["keys"]:
                        if key["kid"] == public.group(2):
                            return self._answer(200, key)
                    return self._problem(404, "no such key")
                return self._answer(200, {
                    "destinationId": receiver.destination_id, "status": "active",
                    "services": [{"identifier": "urn:de:fim:leika:leistung:99089016000000",
                                  "submissionSchemas": [], "regions": []}],
                    "encryptionKid": receiver.encryption_key()["kid"],
                    "metadataVersions": ["1.0.0"], "replyChannels": {},
                })  # fmt: skip
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._problem(401, "no valid token")
            return self._submission_api(route, body)

    def _submission_api(self, route: str, body: bytes) -> None:
        receiver = self.receiver
        if self.command == "POST" and route == "/submissions":
            document = json.loads(body)
            if document.get("destinationId") != receiver.destination_id:
                return self._problem(404, "destination-not-found")
            key = self.headers.get("Idempotency-Key", "")
            if key in receiver.by_key:
                stored = receiver.submissions[receiver.by_key[key]]
                status = 200
            else:
                stored = Stored(str(uuid.uuid4()), str(uuid.uuid4()), document)
                receiver.submissions[stored.submission_id] = stored
                receiver.by_key[key] = stored.submission_id
                status = 201
            return self._answer(status, {"destinationId": receiver.destination_id,
                                         "submissionId": stored.submission_id,
                                         "caseId": stored.case_id})  # fmt: skip
        upload = re.fullmatch(r"/submissions/([^/]+)/attachments/([^/]+)", route)
        if self.command == "PUT" and upload:
            stored = receiver.submissions.get(upload.group(1))
            if stored is None:
                return self._problem(404, "no such submission")
            if stored.metadata:
                return self._problem(409, "already submitted")
            if self.headers.get("Content-Type") != "application/jose":
                return self._problem(415, "application/jose expected")
            if upload.group(2) not in stored.announcement["announcedAttachments"]:
                return self._problem(422, "not announced")
            stored.attachments[upload.group(2)] = body.decode()
            return self._answer(204)
        submit = re.fullmatch(r"/submissions/([^/]+)", route)
        if self.command == "PUT" and submit:
            stored = receiver.submissions.get(submit.group(1))
            if stored is None:
                return self._problem(404, "no such submission")
            document = json.loads(body)
            if not stored.metadata:
                if set(stored.attachments) != set(stored.announcement["announcedAttachments"]):
                    return self._problem(422, "attachments missing")
                stored.metadata = document["encryptedMetadata"]
                stored.data = document["encryptedData"]
            return self._answer(202, {"destinationId": receiver.destination_id,
                                      "submissionId": stored.submission_id,
                                      "caseId": stored.case_id})  # fmt: skip
        log = re.fullmatch(r"/cases/([^/]+)/events", route)
        if self.command == "GET" and log:
            return self._answer(200, {"eventLog": receiver.events.get(log.group(1), [])})
        return self._problem(404, "no such endpoint")

    do_GET = do_POST = do_PUT = _handle


@pytest.fixture
def receiver(settings, receiver_key_file) -> Iterator[Receiver]:
    """A receiving installation on a free loopback port; ``crypto`` acts with its keys."""
    settings.RATHAUS_EXCHANGE_KEY_FILE = str(receiver_key_file)
    state = Receiver()
    handler = type("Handler", (_Handler,), {"receiver": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/exchange"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def remote_destination(db, receiver):
    """Our Destination row for the fake receiver, with its real public keys."""
    from tests.factories import DestinationFactory

    return DestinationFactory(
        destination_id=receiver.destination_id, submission_url=receiver.url,
        sender_token=TOKEN, encryption_key=receiver.encryption_key(),
        signing_keys=[receiver.signature_key()],
    )  # fmt: skip


SECRET_TEXT = "Geheimer Inhalt des Nachweises 4711"


@pytest.fixture
def in_outbox(remote_destination):
    """A submission with one attachment (a PDF holding :data:`SECRET_TEXT`), put into the
    outbox for the destination's authority as ``cases.services.route`` does."""
    destination = remote_destination
    from django.utils import timezone

    from rathaus.cases.models import OutboxItem
    from tests.factories import StoredFileFactory, SubmissionAttachmentFactory, SubmissionFactory
    from tests.support import pdf

    submission = SubmissionFactory(authority=destination.authority)
    content = pdf(content=f"BT /F1 12 Tf 72 720 Td ({SECRET_TEXT}) Tj ET".encode())
    import hashlib

    SubmissionAttachmentFactory(
        submission=submission, file=StoredFileFactory(content=content, name="Nachweis.pdf", media_type="application/pdf"),
        size=len(content), sha512=hashlib.sha512(content).hexdigest(),
    )  # fmt: skip
    OutboxItem.objects.create(
        submission=submission, target=destination.authority, created_at=timezone.now()
    )
    return submission

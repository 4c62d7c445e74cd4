"""The sandbox's HTTP server (stdlib, a thread per request): the provider API that rathaus
calls, and the payment page the payer's browser is sent to."""

from __future__ import annotations

import hmac
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from rathaus.payments.sandbox import page, wire
from rathaus.payments.sandbox.notifier import Notifier
from rathaus.payments.sandbox.state import Refused, Store, Transaction

MAX_BODY = 64 * 1024
CHOICES = {"pay": "PAYED", "fail": "FAILED", "cancel": "CANCELED"}


class Sandbox(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], *, api_key: str, public_url: str, notifier: Notifier
    ) -> None:
        super().__init__(address, Handler)
        self.api_key = api_key
        host = address[0]
        self.public_url = (public_url or f"http://{host}:{self.server_port}").rstrip("/")
        self.store = Store()
        self.notifier = notifier


class Handler(BaseHTTPRequestHandler):
    server: Sandbox
    server_version = "rathaus-payment-sandbox"

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("sandbox: " + (format % args) + "\n")

    # --- answers ---

    def send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def json(self, status: int, data: Any) -> None:
        self.send(status, wire.dumps(data), "application/json")

    def error(self, status: int, message: str) -> None:
        self.json(status, {"status": status, "message": message})

    def body(self) -> bytes:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise Refused(400, "Content-Length is not a number") from None
        if length > MAX_BODY:
            raise Refused(413, "the body is too large")
        return self.rfile.read(length) if length > 0 else b""

    def authorised(self) -> bool:
        given = self.headers.get("Authorization", "")
        expected = f"Bearer {self.server.api_key}"
        return bool(self.server.api_key) and hmac.compare_digest(given.encode(), expected.encode())

    # --- routes ---

    def do_GET(self) -> None:
        try:
            parts = self.path.split("?")[0].strip("/").split("/")
            if parts == ["health"]:
                return self.json(200, {"status": "ok"})
            if len(parts) == 2 and parts[0] == "pay":
                transaction = self.server.store.get(parts[1])
                return self.send(200, page.render(transaction), "text/html; charset=utf-8")
            if len(parts) == 3 and parts[:2] == ["api", "transactions"]:
                if not self.authorised():
                    return self.error(401, "an API key is needed")
                transaction = self.server.store.get(parts[2])
                return self.json(200, self.transaction(transaction))
            self.error(404, "not found")
        except Refused as exc:
            self.error(exc.status, str(exc))

    def do_POST(self) -> None:
        try:
            parts = self.path.split("?")[0].strip("/").split("/")
            body = self.body()
            if len(parts) == 2 and parts[0] == "pay":
                return self.choose(parts[1], body)
            if not parts or parts[0] != "api":
                return self.error(404, "not found")
            if not self.authorised():
                return self.error(401, "an API key is needed")
            try:
                data = wire.loads(body)
            except ValueError:
                return self.error(400, "the body is not JSON")
            if parts == ["api", "paymentrequests"]:
                transaction = self.server.store.create(data)
                self.server.notifier.event(transaction.notify_url, self.information(transaction))
                return self.json(201, self.transaction(transaction))
            if len(parts) == 4 and parts[:2] == ["api", "transactions"] and parts[3] == "refunds":
                return self.json(201, self.server.store.refund(parts[2], data))
            self.error(404, "not found")
        except Refused as exc:
            self.error(exc.status, str(exc))

    def information(self, transaction: Transaction) -> dict[str, Any]:
        return transaction.information(self.server.public_url)

    def transaction(self, transaction: Transaction) -> dict[str, Any]:
        """A transaction as XBezahldienste's PaymentTransaction: information and request."""
        return {
            "paymentInformation": self.information(transaction),
            "paymentRequest": {
                "requestId": transaction.request_id,
                "currency": transaction.currency,
                "grosAmount": wire.euros(transaction.amount_cents),
                "purpose": transaction.purpose,
                "description": transaction.description,
                "redirectUrl": transaction.redirect_url,
                "items": transaction.items,
                "requestor": transaction.requestor,
            },
        }

    def choose(self, transaction_id: str, body: bytes) -> None:
        """The payer's choice on the payment page, then back to rathaus."""
        choice = parse_qs(body.decode("utf-8", errors="replace")).get("choice", [""])[0]
        status = CHOICES.get(choice)
        if status is None:
            transaction = self.server.store.get(transaction_id)
            return self.send(
                400, page.render(transaction, invalid=True), "text/html; charset=utf-8"
            )
        decided = self.server.store.decide(transaction_id, status)
        if decided is None:
            transaction = self.server.store.get(transaction_id)
            return self.send(409, page.render(transaction), "text/html; charset=utf-8")
        self.server.notifier.event(decided.notify_url, self.information(decided))
        self.send(303, b"", "text/plain", Location=decided.redirect_url)


def describe(server: Sandbox) -> str:
    options = server.notifier.options
    return json.dumps(
        {
            "url": server.public_url,
            "delay": options.delay,
            "repeat": options.repeat,
            "shuffle": options.shuffle,
            "seed": options.seed,
            "key_id": options.key_id,
        }
    )

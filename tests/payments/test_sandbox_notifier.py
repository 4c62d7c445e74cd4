"""The sandbox's notifier on its own: signed, repeated, held back out of order or sent in
order, and sent again while the receiver does not answer 2xx."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rathaus.payments.sandbox import signing, wire
from rathaus.payments.sandbox.notifier import Notifier, Options


class Receiver(ThreadingHTTPServer):
    """Records what arrives; answers 500 to the first ``failures`` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.received: list[tuple[dict, dict]] = []
        self.failures = failures
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures > 0:
                    receiver.failures -= 1
                    status = 500
                else:
                    receiver.received.append((wire.loads(body), dict(self.headers), body))
                    status = 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"


def info(transaction: str, status: str) -> dict:
    return {"transactionId": transaction, "status": status, "grosAmount": wire.euros(1200),
            "currency": "EUR", "requestId": "r"}  # fmt: skip


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)


def run(options: Options, events: list[tuple[str, str]], failures: int = 0, expect: int = 0):
    receiver = Receiver(failures)
    notifier = Notifier(options)
    notifier.start()
    try:
        for transaction, status in events:
            notifier.event(receiver.url, info(transaction, status))
        wait_for(lambda: len(receiver.received) >= expect)
        time.sleep(0.2)
        return receiver.received, notifier
    finally:
        notifier.stop()
        receiver.shutdown()
        receiver.server_close()


def test_in_order_each_event_twice_signed_with_the_first_key():
    options = Options(key_id="k2", secret="s2", delay=0.05, repeat=2, shuffle=False)
    received, _ = run(options, [("T1", "INITIAL"), ("T1", "PAYED")], expect=4)
    assert [data["paymentInformation"]["status"] for data, _h, _b in received] == [
        "INITIAL", "INITIAL", "PAYED", "PAYED"]  # fmt: skip
    assert received[0][0]["eventId"] == received[1][0]["eventId"]  # the same event again
    assert received[0][0]["eventId"] != received[2][0]["eventId"]
    for _data, headers, body in received:
        assert headers[signing.KEY_ID_HEADER] == "k2"
        stamp = headers[signing.TIMESTAMP_HEADER]
        assert abs(int(stamp) - time.time()) < 30
        assert headers[signing.SIGNATURE_HEADER] == signing.signature("s2", stamp, body)


def test_shuffled_the_initial_comes_after_the_final_status():
    options = Options(key_id="k", secret="s", delay=0.05, repeat=1, shuffle=True, seed=3, hold=10)
    received, _ = run(options, [("T1", "INITIAL"), ("T1", "FAILED")], expect=2)
    assert [data["paymentInformation"]["status"] for data, _h, _b in received] == [
        "FAILED", "INITIAL"]  # fmt: skip


def test_a_receiver_that_fails_gets_the_notification_again():
    options = Options(key_id="k", secret="s", delay=0.0, repeat=1, shuffle=False,
                      retry_interval=0.05, max_attempts=5)  # fmt: skip
    received, notifier = run(options, [("T1", "PAYED")], failures=2, expect=1)
    assert len(received) == 1
    assert [status for _t, _s, status in notifier.sent] == [500, 500, 200]


def test_the_notifier_gives_up_after_its_attempts():
    options = Options(key_id="k", secret="s", delay=0.0, repeat=1, shuffle=False,
                      retry_interval=0.02, max_attempts=3)  # fmt: skip
    receiver_failures = 10
    received, notifier = run(options, [("T1", "PAYED")], failures=receiver_failures)
    wait_for(lambda: len(notifier.sent) >= 3)
    assert received == []
    assert [status for _t, _s, status in notifier.sent] == [500, 500, 500]

"""Sends the sandbox's notifications like an awkward real provider: late (``delay``), each
event several times (``repeat``), out of order on purpose (a transaction's INITIAL is held
back until after its final status unless ``shuffle`` is off), and again with growing pauses
while the webhook does not answer 2xx (at most ``max_attempts`` times)."""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from rathaus.payments.sandbox import signing, wire

logger = logging.getLogger(__name__)


@dataclass
class Options:
    key_id: str
    secret: str
    delay: float = 2.0
    repeat: int = 2
    shuffle: bool = True
    seed: int | None = None
    retry_interval: float = 1.0
    max_attempts: int = 8
    hold: float = 30.0  # longest an INITIAL waits for its transaction's final status
    timeout: float = 10.0


@dataclass(order=True)
class Delivery:
    due: float
    number: int
    url: str = field(compare=False)
    body: bytes = field(compare=False)
    transaction_id: str = field(compare=False)
    status: str = field(compare=False)
    attempt: int = field(default=0, compare=False)


class Notifier:
    def __init__(self, options: Options) -> None:
        self.options = options
        self.random = random.Random(options.seed)  # noqa: S311 (timing, not secrets)
        self.queue: list[Delivery] = []
        self.held: dict[str, list[Delivery]] = {}
        self.counter = itertools.count()
        self.condition = threading.Condition()
        self.stopping = False
        self.sent: list[tuple[str, str, int]] = []  # (transaction, status, HTTP status or 0)
        self.thread = threading.Thread(target=self.run, name="sandbox-notifier", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        with self.condition:
            self.stopping = True
            self.condition.notify_all()
        self.thread.join(timeout=5)

    def event(self, url: str, information: dict[str, Any]) -> None:
        """Queue the notification of a transaction's status (the same event ``repeat`` times)."""
        if not url:
            return
        body = wire.dumps({"eventId": f"evt-{uuid.uuid4()}", "paymentInformation": information})
        transaction_id, status = information["transactionId"], information["status"]
        options = self.options
        now = time.monotonic()
        with self.condition:
            copies = []
            for _copy in range(max(options.repeat, 1)):
                spread = self.random.uniform(0, options.delay) if options.shuffle else 0.0
                copies.append(
                    Delivery(
                        now + options.delay + spread,
                        next(self.counter),
                        url,
                        body,
                        transaction_id,
                        status,
                    )
                )
            if status == "INITIAL" and options.shuffle:
                # held back: it arrives after the final status (or after ``hold``)
                for delivery in copies:
                    delivery.due += options.hold
                self.held[transaction_id] = copies
            elif status != "INITIAL":
                last = max(delivery.due for delivery in copies)
                for delivery in self.held.pop(transaction_id, []):
                    delivery.due = last + self.random.uniform(0.05, max(options.delay, 0.1))
                heapq.heapify(self.queue)
            for delivery in copies:
                heapq.heappush(self.queue, delivery)
            self.condition.notify_all()

    def run(self) -> None:
        while True:
            with self.condition:
                while not self.stopping and (
                    not self.queue or self.queue[0].due > time.monotonic()
                ):
                    wait = self.queue[0].due - time.monotonic() if self.queue else None
                    self.condition.wait(timeout=wait)
                if self.stopping:
                    return
                delivery = heapq.heappop(self.queue)
            self.deliver(delivery)

    def deliver(self, delivery: Delivery) -> None:
        options = self.options
        headers = signing.headers(options.key_id, options.secret, int(time.time()), delivery.body)
        request = urllib.request.Request(  # noqa: S310 (the notify URL rathaus gave)
            delivery.url,
            data=delivery.body,
            headers={**headers, "Content-Type": "application/json"},
            method="POST",
        )
        status = 0
        try:
            with urllib.request.urlopen(request, timeout=options.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            logger.info("notification to %s failed: %s", delivery.url, exc)
        self.sent.append((delivery.transaction_id, delivery.status, status))
        sys.stderr.write(
            f"sandbox: notified {delivery.transaction_id} {delivery.status} "
            f"(attempt {delivery.attempt + 1}) -> {status or 'no answer'}\n"
        )
        if 200 <= status < 300:
            return
        delivery.attempt += 1
        if delivery.attempt >= options.max_attempts:
            sys.stderr.write(f"sandbox: gave up notifying {delivery.transaction_id}\n")
            return
        pause = min(options.retry_interval * 2 ** (delivery.attempt - 1), 300.0)
        with self.condition:
            delivery.due = time.monotonic() + pause
            delivery.number = next(self.counter)
            heapq.heappush(self.queue, delivery)
            self.condition.notify_all()

#!/usr/bin/env python3
"""Payment notifications: signed webhooks applied per second (ADR 0047).

Sets up a fresh database, creates REQUESTS pending payment requests of the sandbox provider
straight in it, starts ``rathaus serve`` (gunicorn) and ``rathaus worker`` in production mode on
loopback, and posts signed PAYED notifications to ``/api/v1/payments/webhooks/sandbox`` as the
sandbox would: half of them with 1 client, half with 8 (each one applied: row lock, status
change, audit entry, notification kept), then every one again (duplicates) and once with a
wrong signature (rejected and kept).

    .venv/bin/python bench/payments_webhooks.py [--requests 400] [--workers 2]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/payments_webhooks.py

Only 127.0.0.1 is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import ROOT, add_smoke_option, print_table, production_server

sys.path.insert(0, str(ROOT / "src"))
from rathaus.payments.sandbox import signing

KEY_ID, SECRET = "bench", "bench-webhook-secret"
PATH = "/api/v1/payments/webhooks/sandbox"

CREATE = r"""
import json, sys, django
django.setup()
from rathaus.core.models import Authority
from rathaus.payments import services
from rathaus.payments.models import PaymentRequest
from rathaus.payments.services import ItemSpec
authority = Authority.objects.create(slug="bench", name="Bench")
rows = []
for n in range(int(sys.argv[1])):
    request, _ = services.create_request(authority=authority, provider="sandbox",
        items=[ItemSpec("Geburtsurkunde", 1, 1200)], purpose="Urkunde")
    tx = f"SBX-bench-{n}"
    PaymentRequest.objects.filter(pk=request.pk).update(status="pending", transaction_id=tx)
    rows.append([str(request.pk), tx])
open(sys.argv[2], "w").write(json.dumps(rows))
"""


def notification(request_id: str, transaction: str) -> bytes:
    return json.dumps(
        {
            "eventId": f"evt-{transaction}",
            "paymentInformation": {
                "transactionId": transaction,
                "status": "PAYED",
                "grosAmount": 12.0,
                "currency": "EUR",
                "requestId": request_id,
                "paymentMethod": "SANDBOX",
            },
        }
    ).encode()


def post(port: int, body: bytes, secret: str, expected: int) -> float:
    headers = signing.headers(KEY_ID, secret, int(time.time()), body)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("POST", PATH, body=body, headers={
        **headers, "Content-Type": "application/json", "X-Forwarded-Proto": "https",
        "Host": "127.0.0.1"})  # fmt: skip
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != expected and not (expected == 401 and response.status == 429):
        # refused notifications: after 60 a minute from one address they are refused unkept
        raise RuntimeError(f"POST {PATH}: HTTP {response.status}, expected {expected}")
    return time.perf_counter() - started


def measure(port: int, bodies: list[bytes], clients: int, secret: str = SECRET,
            expected: int = 200) -> tuple[float, float, float]:  # fmt: skip
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        durations = list(pool.map(lambda body: post(port, body, secret, expected), bodies))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, len(bodies) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="payment requests (default 400)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    add_smoke_option(parser)
    args = parser.parse_args()
    count = 16 if args.smoke else args.requests
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-pay-") as folder:
        listing = Path(folder) / "requests.json"

        def prepare(env: dict[str, str]) -> None:
            subprocess.run(
                [sys.executable, "-c", CREATE, str(count), str(listing)],
                env={**env, "DJANGO_SETTINGS_MODULE": "rathaus.settings"}, cwd=ROOT, check=True,
            )  # fmt: skip

        keys = {"RATHAUS_PAYMENT_WEBHOOK_KEYS": f"{KEY_ID}:{SECRET}"}
        with production_server([], args.workers, extra_env=keys, keep_database_url=True,
                               prepare=prepare) as port:  # fmt: skip
            rows = json.loads(listing.read_text())
            bodies = [notification(request_id, tx) for request_id, tx in rows]
            half = len(bodies) // 2
            measure(port, bodies[:10], 2, "warm-up", 401)  # start the worker processes
            results = [
                ("PAYED, applied", 1, *measure(port, bodies[:half], 1)),
                ("PAYED, applied", 8, *measure(port, bodies[half:], 8)),
                ("same again, duplicate", 8, *measure(port, bodies, 8)),
                # 60 a minute are kept (401), the rest refused unkept (429)
                ("wrong signature, rejected", 8, *measure(port, bodies, 8, "forged", 401)),
            ]
    print_table(
        "Payment notifications",
        results,
        f"{count} pending requests, gunicorn with {args.workers} workers, each notification "
        "signed (HMAC-SHA256) and kept",
    )


if __name__ == "__main__":
    main()

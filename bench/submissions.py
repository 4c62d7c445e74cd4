#!/usr/bin/env python3
"""Online applications per second, end to end over HTTP, in production mode on this machine.

Sets up a fresh database with the Barleben demo, starts ``rathaus serve`` (gunicorn) and
``rathaus worker`` on loopback, and submits the demo form "Anliegen an die Gemeinde" through the
API: once without a file, and once with a small PNG uploaded first (upload + submission = one
application). Every submission is validated, stored with its "submitted" event (since ADR 0016
no audit entry), and its receipt e-mail is queued for the worker, as in real use. Prints a
Markdown table.

    .venv/bin/python bench/submissions.py [--applications 300] [--workers 2]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/submissions.py

Only 127.0.0.1 is contacted; everything stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from common import add_smoke_option, print_table, production_server

HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
DATA = {
    "topic": "roads",
    "subject": "Schlagloch",
    "message": "Vor dem Haus Breiteweg 147 ist ein tiefes Schlagloch.",
    "location": "Breiteweg 147",
    "name": "Ilse Beispiel",
    "email": "ilse@example.org",
    "reply_wanted": True,
}


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = tiny_png()


def request(port: int, method: str, path: str, body: bytes, content_type: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {**HEADERS, "Content-Type": content_type}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    if response.status not in (200, 201):
        raise RuntimeError(f"{method} {path}: HTTP {response.status} {payload[:300]!r}")
    return json.loads(payload)


def upload(port: int) -> str:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="field"\r\n\r\nphotos\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="loch.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + PNG
        + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    body = b"".join(parts)
    result = request(port, "POST", "/api/v1/forms/anliegen/uploads", body,
                     f"multipart/form-data; boundary={boundary}")  # fmt: skip
    return str(result["id"])


def apply(port: int, with_file: bool) -> float:
    started = time.perf_counter()
    data = dict(DATA)
    if with_file:
        data["photos"] = [upload(port)]
    body = json.dumps({"data": data}).encode()
    result = request(port, "POST", "/api/v1/forms/anliegen/submissions", body, "application/json")
    if not str(result.get("reference", "")).startswith("BAR-"):
        raise RuntimeError(f"unexpected answer {result}")
    return time.perf_counter() - started


def measure(port: int, with_file: bool, clients: int, count: int) -> tuple[float, float, float]:
    for _ in range(5):
        apply(port, with_file)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        durations = list(pool.map(lambda _n: apply(port, with_file), range(count)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(durations, n=100)
    return cuts[49] * 1000, cuts[94] * 1000, count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--applications", type=int, default=300, help="applications per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.applications, args.workers = 4, 1
    postgres = os.environ.get("RATHAUS_DATABASE_URL", "").startswith("postgres")
    rows = []
    with production_server([["demo-data"]], args.workers, keep_database_url=postgres) as port:
        for with_file, label in (
            (False, "application, no file"),
            (True, "upload 2 kB PNG + application"),
        ):
            for clients in (1, 8):
                print(f"{label} with {clients} client(s) …", file=sys.stderr)
                rows.append((label, clients, *measure(port, with_file, clients, args.applications)))
    print_table(
        "Applications through the API",
        rows,
        f"gunicorn with {args.workers} workers, {args.applications} applications per row; "
        "requests/s counts whole applications",
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Anonymous visitors' pages against a bare Django view, in the same run on this machine.

Sets up a fresh data directory with the demo data, starts ``rathaus serve`` (gunicorn) and,
beside it, gunicorn with a bare Django view (no middleware, no database, no template) with as
many workers. Then, for 1 and 4 concurrent clients, it sends a bounded number of GET requests
to the bare view and to each kind of public page: the start page, the catalogue, a service
page, the contact page and the imprint, each as a cache hit (200), as a revalidation
(If-None-Match, 304) and rendered afresh (an extra query parameter keeps a page out of the page
cache). Prints a Markdown table and each page's rate as a share of the bare view's (goal: at
least half). Everything stops by itself; only 127.0.0.1 is contacted.

    .venv/bin/python bench/anonymous_pages.py [--requests 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import add_smoke_option, free_port, get, measure, print_table, production_server

BARE_APP = """\
import django
from django.conf import settings

settings.configure(DEBUG=False, SECRET_KEY="bench-only", ALLOWED_HOSTS=["*"],
                   ROOT_URLCONF=__name__, MIDDLEWARE=[])
django.setup()

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("Hallo")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
"""


@contextmanager
def bare_server(workers: int) -> Iterator[int]:
    """gunicorn with the bare view, started the way ``rathaus serve`` starts gunicorn."""
    with tempfile.TemporaryDirectory(prefix="rathaus-bench-bare-") as folder:
        (Path(folder) / "bare_app.py").write_text(BARE_APP)
        port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        process = subprocess.Popen(
            [gunicorn, "--chdir", folder, "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--access-logfile", "-", "bare_app:application"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    get(port, "/")
                    break
                except (OSError, RuntimeError):
                    if time.monotonic() > deadline:
                        raise SystemExit("the bare server did not start in time") from None
                    time.sleep(0.2)
            yield port
        finally:
            process.terminate()
            process.wait(timeout=30)


def head(port: int, path: str) -> tuple[str, str]:
    """The page's ETag and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read().decode()
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return response.getheader("ETag") or "", body


def service_page(port: int) -> str:
    _etag, catalogue = head(port, "/leistungen/")
    found = re.search(r'href="(/leistungen/\d+/)"', catalogue)
    if found is None:
        raise SystemExit("no service page linked from the catalogue")
    return found.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    add_smoke_option(parser)
    args = parser.parse_args()
    levels = (1, 4)
    if args.smoke:
        args.requests, args.workers, levels = 4, 1, (1,)
    rows = []
    shares: list[tuple[str, int, float]] = []
    with (
        production_server([["demo-data"]], args.workers) as port,
        bare_server(args.workers) as bare_port,
    ):
        pages = [
            ("start page", "/"),
            ("catalogue", "/leistungen/"),
            ("service page", service_page(port)),
            ("contact page", "/kontakt/"),
            ("imprint", "/impressum/"),
        ]
        for clients in levels:
            print(f"bare view with {clients} client(s) …", file=sys.stderr)
            bare = measure(bare_port, ["/"], clients, args.requests)
            rows.append(("bare Django view", clients, *bare))
            for label, path in pages:
                print(f"GET {path} with {clients} client(s) …", file=sys.stderr)
                etag, body = head(port, path)
                if not etag:
                    raise SystemExit(f"{path} is not kept in the page cache (no ETag)")
                hit = measure(port, [path], clients, args.requests)
                size = len(body.encode()) // 1024
                rows.append((f"{label} `{path}` ({size} kB), from the cache", clients, *hit))
                shares.append((label, clients, hit[2] / bare[2]))
                revalidated = measure(port, [path], clients, args.requests,
                                      {"If-None-Match": etag}, expected=304)  # fmt: skip
                rows.append((f"{label}, revalidated (304)", clients, *revalidated))
                fresh = [f"{path}?frisch={n}" for n in range(args.requests)]
                rows.append((f"{label}, rendered afresh", clients,
                             *measure(port, fresh, clients, args.requests)))  # fmt: skip
    print_table(
        "Anonymous pages",
        rows,
        f"demo data (Barleben); gunicorn with {args.workers} workers for rathaus and for the "
        f"bare view, {args.requests} requests per row, a new connection per request",
    )
    print("| page (from the cache) | clients | share of the bare view's rate |")
    print("|---|---:|---:|")
    for label, clients, share in shares:
        print(f"| {label} | {clients} | {share:.0%} |")
    print()


if __name__ == "__main__":
    main()

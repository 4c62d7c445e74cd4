#!/usr/bin/env python3
"""Latency and throughput of the main pages in production mode, on this machine.

Sets up a fresh data directory (migrate, demo data, collectstatic), starts ``rathaus serve``
(gunicorn) and ``rathaus worker`` on loopback, then sends a bounded number of GET requests per path
with 1 and 8 concurrent clients and prints a Markdown table (p50, p95, requests per second).
Everything stops by itself; only 127.0.0.1 is contacted.

    .venv/bin/python bench/http_latency.py [--requests 300] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys

from common import add_smoke_option, measure, print_table, production_server

PATHS = ["/", "/kontakt/", "/health", "/api/v1/authorities", "/verwaltung/anmelden/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per path and level")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.workers = 4, 1
    rows = []
    with production_server([["demo-data"]], args.workers) as port:
        for path in PATHS:
            for clients in (1, 8):
                print(f"GET {path} with {clients} client(s) …", file=sys.stderr)
                rows.append((f"`{path}`", clients, *measure(port, [path], clients, args.requests)))
    print_table(
        "Pages", rows, f"gunicorn with {args.workers} workers, {args.requests} requests per row"
    )


if __name__ == "__main__":
    main()

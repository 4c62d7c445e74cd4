#!/usr/bin/env python3
"""Catalogue search latency over the full OZG catalogue (5,251 rows) in production mode.

Imports ``tests/data/ozg-katalog/leistungen.csv`` (or the file given with --catalog) into a
fresh database with the Barleben demo, starts ``rathaus serve`` on loopback and sends search
requests — a fixed list of everyday queries, used in turn — with 1 and 8 concurrent clients, to
the search page and to the API, plus service pages with the responsibility finder. Prints a
Markdown table (p50, p95, requests per second). Only 127.0.0.1 is contacted.

    .venv/bin/python bench/search_latency.py [--requests 400] [--workers 2]
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

from common import ROOT, add_smoke_option, measure, print_table, production_server

QUERIES = [
    "Geburtsurkunde", "Personalausweis verloren", "Hund anmelden", "Strassenfest", "Umzug",
    "Gewerbe anmelden", "Führerschein", "heiraten", "Baugenehmigung", "Wohngeld", "Kita",
    "Fundsachen", "Sterbeurkunde", "Demo anmelden", "Reisepass", "Parkausweis",
]  # fmt: skip
SERVICE_PAGES = [
    "/leistungen/99027002012000/?plz=39179",
    "/leistungen/99089016000000/?plz=39326",
    "/leistungen/99008001012003/",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per row")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--catalog", default=str(ROOT / "tests" / "data" / "ozg-katalog" / "leistungen.csv")
    )
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.workers = 4, 1
    page_paths = [f"/leistungen/suche?q={quote(query)}" for query in QUERIES]
    api_paths = [f"/api/v1/services?q={quote(query)}" for query in QUERIES]
    setup = [["demo-data"], ["import-catalog", args.catalog]]
    rows = []
    # The full file has two deliberately broken rows, so the import exits with 1.
    with production_server(setup, args.workers, tolerant=["import-catalog"]) as port:
        for label, paths in [
            ("search page `/leistungen/suche`", page_paths),
            ("search API `/api/v1/services`", api_paths),
            ("service page with finder", SERVICE_PAGES),
        ]:
            for clients in (1, 8):
                print(f"{label} with {clients} client(s) …", file=sys.stderr)
                rows.append((label, clients, *measure(port, paths, clients, args.requests)))
    print_table(
        "Catalogue search",
        rows,
        f"full catalogue, gunicorn with {args.workers} workers, {args.requests} requests per row",
    )


if __name__ == "__main__":
    main()

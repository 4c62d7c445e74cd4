#!/usr/bin/env python3
"""The construction sites' list and feeds with 5,000 published sites.

Migrates a fresh database, creates one authority with three villages and ``--sites`` published
sites (a third current, a third planned, a third ended; points, lines and areas around
Barleben) in bulk, and times in-process requests through Django's test client — the whole
middleware stack, no network — of the list page, the GeoJSON feed (first page, the largest
page, a later page, a village, a day, a bounding box), the iCalendar and the Atom feed.
Prints a Markdown table (p50, p95, per second).

    .venv/bin/python bench/construction_list.py [--sites 5000] [--repeats 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import timedelta
from typing import Any

from common import add_smoke_option, fresh_database, print_table, time_in_process

SEED = 20261207


def generate(count: int) -> Any:
    from django.utils import timezone

    from rathaus.construction.models import Disruption, Publication
    from rathaus.core.models import Authority, Locality

    authority = Authority.objects.create(
        slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE,
        ags="15083040", ars="150835303040",
    )  # fmt: skip
    villages = [Locality.objects.create(authority=authority, name=name, postal_code="39179")
                for name in ("Barleben", "Ebendorf", "Meitzendorf")]  # fmt: skip
    rng = random.Random(SEED)  # noqa: S311 - benchmark data
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for number in range(count):
        lat, lon = 52.18 + rng.random() * 0.06, 11.54 + rng.random() * 0.1
        shape = number % 3
        if shape == 0:
            geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        elif shape == 1:
            geometry = {"type": "LineString", "coordinates": [
                [round(lon, 6), round(lat, 6)], [round(lon + 0.002, 6), round(lat + 0.001, 6)],
                [round(lon + 0.004, 6), round(lat + 0.001, 6)]]}  # fmt: skip
        else:
            ring = [[lon, lat], [lon + 0.002, lat], [lon + 0.002, lat + 0.001], [lon, lat]]
            geometry = {"type": "Polygon",
                        "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}  # fmt: skip
        start = today + timedelta(days=rng.randint(-120, 60))
        open_end = number % 10 == 0
        rows.append(Disruption(
            authority=authority, title=f"Baustelle {number}", kind="roadworks",
            description="Erneuerung der Fahrbahn und der Leitungen.", geometry=geometry,
            locality=villages[number % 3], streets=["Breiteweg", "Schanze"], starts_on=start,
            ends_on=None if open_end else start + timedelta(days=rng.randint(1, 60)),
            until_further_notice=open_end, responsible_body="Bauamt", detour="Über die Schanze.",
            status=Publication.PUBLISHED, published_at=now,
        ))  # fmt: skip
    Disruption.objects.bulk_create(rows, batch_size=1000)
    return today


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sites", type=int, default=5_000)
    parser.add_argument("--repeats", type=int, default=20)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.sites, args.repeats = 60, 2
    with fresh_database():
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["localhost"]
        print(f"generating {args.sites} sites …", file=sys.stderr)
        started = time.perf_counter()
        today = generate(args.sites)
        generated = time.perf_counter() - started
        day = (today + timedelta(days=10)).isoformat()
        paths = [
            ("list page /baustellen/", "/baustellen/"),
            ("list page, planned, page 2", "/baustellen/?zeit=geplant&seite=2"),
            ("GeoJSON, first 100", "/baustellen/baustellen.geojson"),
            ("GeoJSON, 1,000 per page", "/baustellen/baustellen.geojson?limit=1000"),
            ("GeoJSON, page 20 of 100", "/baustellen/baustellen.geojson?seite=20"),
            ("GeoJSON, one village", "/baustellen/baustellen.geojson?ort=Ebendorf"),
            ("GeoJSON, one day", f"/baustellen/baustellen.geojson?datum={day}"),
            ("GeoJSON, bbox", "/baustellen/baustellen.geojson?bbox=11.55,52.19,11.58,52.21"),
            ("iCalendar, all", "/baustellen/baustellen.ics"),
            ("Atom, newest 50", "/baustellen/baustellen.atom"),
        ]
        rows = time_in_process(paths, args.repeats)
    print_table(
        "Construction sites",
        rows,
        f"{args.sites} published sites, generated in {generated:.1f} s; in-process requests "
        "through the test client, one after another",
    )


if __name__ == "__main__":
    main()

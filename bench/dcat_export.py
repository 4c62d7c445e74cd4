#!/usr/bin/env python3
"""The DCAT-AP.de export of a large catalogue: 10,000 datasets with 2 distributions each.

Migrates a fresh database (SQLite, or the empty PostgreSQL database named by
RATHAUS_DATABASE_URL), creates one authority with ``--datasets`` published datasets (every
property the export writes: themes, keywords, contact, temporal coverage, distributions with
size and checksum) and then reads the whole catalogue as a harvester does: every page of
``catalog.ttl`` one after the other, in-process through the same functions as the view (page
query, graph, Turtle). Prints the time per page, the total (wall clock and CPU time: on a
loaded machine the CPU time is the fairer figure), the Turtle size and the memory: the
peak of the Python heap while one page is built (tracemalloc) and the process's peak RSS.

    .venv/bin/python bench/dcat_export.py [--datasets 10000] [--page-size 100]
    .venv/bin/python scripts/with_postgres.py -- .venv/bin/python bench/dcat_export.py
"""

from __future__ import annotations

import argparse
import datetime
import resource
import statistics
import sys
import time
import tracemalloc

from common import add_smoke_option, fresh_database, print_table


def setup_catalogue(count: int):  # the Authority (imported after django.setup)
    from rathaus.core import keys
    from rathaus.core.models import Authority
    from rathaus.opendata.models import Dataset, Distribution

    authority = Authority.objects.create(
        slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE,
        ags="15083040", ars=keys.ars_for_einheitsgemeinde("15083040"), email="info@example.org",
    )  # fmt: skip
    now = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
    batch = 2000
    for start in range(0, count, batch):
        datasets = Dataset.objects.bulk_create(
            Dataset(
                authority=authority, slug=f"datensatz-{n}", title=f"Messreihe {n}",
                description="Tägliche Werte der Messstelle mit Ort und Zeit.",
                keywords=["Umwelt", "Messwerte"], themes=["ENVI", "REGI"],
                contact_name="Bauamt", contact_email="bauamt@example.org",
                temporal_start=datetime.date(2020, 1, 1), accrual_periodicity="DAILY",
                status=Dataset.Status.PUBLISHED, issued=now, modified=now,
            )
            for n in range(start, min(start + batch, count))
        )  # fmt: skip
        Distribution.objects.bulk_create(
            Distribution(
                dataset=dataset, title=title, position=position, format=code,
                access_url=f"https://barleben.example/daten/{dataset.slug}.{code.lower()}",
                download_url=f"https://barleben.example/daten/{dataset.slug}.{code.lower()}",
                media_type=media_type, byte_size=48213, checksum_algorithm="sha256",
                checksum="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                modified=now,
            )
            for dataset in datasets
            for position, (title, code, media_type) in enumerate(
                [("CSV", "CSV", "text/csv"), ("JSON", "JSON", "application/json")]
            )
        )  # fmt: skip
    return authority


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.datasets, args.page_size = 30, 10
    with fresh_database():
        from rathaus.opendata.dcat import rdf
        from rathaus.opendata.dcat.negotiation import rdf_response

        print(f"creating {args.datasets} datasets …", file=sys.stderr)
        authority = setup_catalogue(args.datasets)
        times, sizes, datasets = [], [], 0
        started, cpu_started = time.perf_counter(), time.process_time()
        page, last = 1, 1
        while page <= last:
            begin = time.perf_counter()
            graph, paging = rdf.catalogue_page(authority, page, args.page_size, "3.0")
            body = rdf_response(graph, "ttl").content
            times.append(time.perf_counter() - begin)
            sizes.append(len(body))
            datasets += len(list(graph.subjects(rdf.RDF.type, rdf.DCAT.Dataset)))
            last = paging.last
            page += 1
        total = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        if datasets != args.datasets:
            sys.exit(f"the pages held {datasets} datasets, not {args.datasets}")
        tracemalloc.start()
        rdf_response(rdf.catalogue_page(authority, 1, args.page_size, "3.0")[0], "ttl")
        _current, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    times_ms = sorted(t * 1000 for t in times)
    p95 = times_ms[int(0.95 * (len(times_ms) - 1))]
    rows = [(f"one page of {args.page_size} datasets as Turtle", 1,
             statistics.median(times_ms), p95, len(times) / total)]  # fmt: skip
    note = f"{args.datasets} datasets with 2 distributions each, {len(times)} pages"
    print_table("DCAT-AP.de export", rows, note)
    print("| what | value |")
    print("|---|---:|")
    print(f"| all pages (Turtle), wall clock, s | {total:.1f} |")
    print(f"| all pages, CPU time of this process, s | {cpu:.1f} |")
    print(f"| datasets per second | {args.datasets / total:.0f} |")
    print(f"| Turtle per page, KiB | {statistics.mean(sizes) / 1024:.0f} |")
    print(f"| Turtle in all, MiB | {sum(sizes) / 1024 / 1024:.1f} |")
    print(f"| Python heap peak while one page is built, MiB | {heap_peak / 1024 / 1024:.1f} |")
    print(f"| process peak RSS, MiB | {rss / 1024:.0f} |")
    print()


if __name__ == "__main__":
    main()

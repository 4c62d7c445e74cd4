#!/usr/bin/env python3
"""OParl list paging over 100,000 papers.

Migrates a fresh database, creates one council with ``--papers`` papers, each with a main file
and a consultation in one of the meetings (20 agenda items per meeting), in bulk, and times
in-process requests through Django's test client — the whole middleware stack, no network — of
the paper list (first page, a page reached through a ``next`` link deep in the list, the same
page by its number, the last page, a ``modified_since`` filter), the meeting list with its
embedded agenda, the file list and one paper alone; then walks the whole paper list through
its ``next`` links. Prints a Markdown table (p50, p95, per second).

    .venv/bin/python bench/oparl_paging.py [--papers 100000] [--repeats 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from typing import Any

from common import add_smoke_option, fresh_database, print_table, time_in_process

PER_MEETING = 20  # a long council meeting; the agenda is embedded in each meeting


def generate(count: int) -> Any:
    from django.utils import timezone

    from rathaus.core.models import Authority
    from rathaus.council.models import (
        AgendaItem,
        Body,
        Consultation,
        File,
        Meeting,
        Organization,
        Paper,
    )

    authority = Authority.objects.create(
        slug="barleben", name="Gemeinde Barleben", kind=Authority.Kind.GEMEINDE,
        ags="15083040", ars="150835303040",
    )  # fmt: skip
    body = Body.objects.create(authority=authority, name="Gemeinderat Barleben")
    council = Organization.objects.create(body=body, name="Gemeinderat")
    start = timezone.now() - dt.timedelta(days=3650)
    meetings = Meeting.objects.bulk_create(
        [Meeting(body=body, name=f"{n + 1}. Sitzung", start=start + dt.timedelta(days=3 * n),
                 meeting_state="durchgeführt") for n in range(max(1, count // PER_MEETING))],
        batch_size=1000,
    )  # fmt: skip
    council.meetings.add(*meetings)
    items = AgendaItem.objects.bulk_create(
        [AgendaItem(body=body, meeting=meetings[n // PER_MEETING % len(meetings)],
                    number=f"{n % PER_MEETING + 1}.", order=n % PER_MEETING,
                    name=f"Vorlage {n}", result="beschlossen") for n in range(count)],
        batch_size=2000,
    )  # fmt: skip
    files = File.objects.bulk_create(
        [File(body=body, name=f"Vorlage {n}", file_name=f"vorlage-{n}.pdf",
              mime_type="application/pdf", size=120_000,
              external_access_url=f"https://ris.example.org/files/{n}.pdf") for n in range(count)],
        batch_size=2000,
    )  # fmt: skip
    papers = Paper.objects.bulk_create(
        [Paper(body=body, name=f"Informationsvorlage {n}", reference=f"IV-{n:06d}/2026",
               paper_type="Informationsvorlage", main_file=files[n],
               date=(start + dt.timedelta(days=n % 3650)).date()) for n in range(count)],
        batch_size=2000,
    )  # fmt: skip
    Consultation.objects.bulk_create(
        [Consultation(body=body, paper=papers[n], agenda_item=items[n], meeting=items[n].meeting,
                      authoritative=True, role="Entscheidung") for n in range(count)],
        batch_size=2000,
    )  # fmt: skip
    # a few papers changed since: what an incremental client asks for
    later = timezone.now() + dt.timedelta(days=1)
    Paper.objects.filter(pk__in=[paper.pk for paper in papers[-50:]]).update(modified=later)
    return body, papers, later


def walk(first: str) -> tuple[int, int, float]:
    """Pages and papers read by following ``next`` from ``first``, and the seconds it took."""
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    url: str | None = first
    pages = papers = 0
    started = time.perf_counter()
    while url:
        page = client.get(url).json()
        pages += 1
        papers += len(page["data"])
        url = page["links"].get("next")
    return pages, papers, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=20)
    add_smoke_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.papers, args.repeats = 300, 2
    with fresh_database():
        from django.conf import settings

        settings.ALLOWED_HOSTS = ["localhost"]
        print(f"generating {args.papers} papers …", file=sys.stderr)
        started = time.perf_counter()
        body, papers, later = generate(args.papers)
        generated = time.perf_counter() - started
        size = int(settings.RATHAUS_OPARL_PAGE_SIZE)
        base = f"/oparl/v1/body/{body.pk}/paper/"
        middle = len(papers) // size // 2 + 1
        after = papers[(middle - 1) * size - 1].pk
        last = (len(papers) + size - 1) // size
        since = (later - dt.timedelta(seconds=1)).isoformat()
        paths = [
            ("papers, first page", base),
            (f"papers, page {middle} through next", f"{base}?page={middle}&after={after}"),
            (f"papers, page {middle} by number", f"{base}?page={middle}"),
            (f"papers, last page ({last})", f"{base}?page={last}"),
            (
                "papers, modified_since (50 changed)",
                base + "?modified_since=" + since.replace("+", "%2B"),
            ),
            ("meetings with agenda, first page", f"/oparl/v1/body/{body.pk}/meeting/"),
            ("files, first page", f"/oparl/v1/body/{body.pk}/file/"),
            ("one paper", f"/oparl/v1/paper/{papers[len(papers) // 2].pk}"),
        ]
        rows = time_in_process(paths, args.repeats)
        pages, read, seconds = walk(base)
        if read != len(papers):
            raise SystemExit(f"walked {read} papers, expected {len(papers)}")
        rows.append((f"whole paper list through next ({pages} pages)", 1,
                     seconds / pages * 1000, seconds / pages * 1000, pages / seconds))  # fmt: skip
    print_table(
        "OParl paging",
        rows,
        f"{args.papers} papers with main file and consultation, {size} per page, generated "
        f"in {generated:.1f} s; in-process requests through the test client, one after "
        "another; the walk row gives the mean per page",
    )


if __name__ == "__main__":
    main()

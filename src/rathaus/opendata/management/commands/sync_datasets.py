"""``rathaus sync-datasets [--authority SLUG]``: the platform's own datasets into the catalogue."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.core import datasets
from rathaus.core.models import Authority
from rathaus.opendata import catalogue_sync


class Command(BaseCommand):
    help = (
        "Bring the datasets the platform produces (sensor series, service catalogue, "
        "appointment statistics, construction sites …) into the open data catalogue of each "
        "authority: create, update, withdraw. Idempotent; the worker runs it every hour."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--authority", help="only this authority (its short name)")

    def handle(self, *args: Any, **options: Any) -> None:
        authorities = Authority.objects.order_by("slug")
        if options["authority"]:
            authorities = authorities.filter(slug=options["authority"])
            if not authorities.exists():
                raise CommandError(f"There is no authority {options['authority']!r}.")
        keys = ", ".join(source.key for source in datasets.registered()) or "none"
        self.stdout.write(f"Sources: {keys}")
        started = time.monotonic()

        def progress(authority: Authority, result: catalogue_sync.Summary) -> None:
            self.stdout.write(
                f"  {authority.slug}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.withdrawn} withdrawn"
            )

        summary = catalogue_sync.sync_all(authorities, progress)
        for failure in summary.failed:
            self.stderr.write(f"  failed: {failure} (see the log)")
        line = (
            f"Datasets: {summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged, {summary.withdrawn} withdrawn "
            f"in {time.monotonic() - started:.1f} s."
        )
        if summary.failed:
            raise CommandError(f"{line} {len(summary.failed)} source(s) failed.")
        self.stdout.write(self.style.SUCCESS(line))

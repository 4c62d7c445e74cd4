"""``rathaus import-dcat URL|FILE --authority SLUG``: another DCAT-AP.de catalogue harvested."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from rathaus.core.models import Authority
from rathaus.opendata import dcat_import


class Command(BaseCommand):
    help = (
        "Import the datasets of a DCAT-AP.de catalogue (Turtle, RDF/XML or JSON-LD; a file or "
        "an http(s) address whose hydra:next pages are followed) into the catalogue of an "
        "authority, keeping their publisher. Re-importing updates them. All or nothing: a "
        "source that cannot be read imports nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("source", help="file or http(s) address of the catalogue")
        parser.add_argument("--authority", required=True, help="slug of the authority")
        parser.add_argument(
            "--prune", action="store_true",
            help="delete datasets imported from this source earlier that it no longer lists",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        # The source names the datasets harvested from it (vanished ones are found by it): a
        # file by its full path, so that it stays the same from any working directory.
        key = source if source.startswith(("http://", "https://")) else str(Path(source).resolve())
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"no authority with the slug {options['authority']!r}")
        started = time.monotonic()
        self.stdout.write(f"Reading {source} …")
        try:
            graph = dcat_import.load(
                source, progress=lambda url: self.stdout.write(f"  page {url}")
            )
            datasets = len(dcat_import.datasets_of(graph))
            self.stdout.write(f"  {datasets} datasets found, importing into {authority.slug} …")
            report = dcat_import.read_graph(
                graph, authority, key, prune=options["prune"],
                progress=lambda done, total: self._progress(done, total),
            )  # fmt: skip
        except dcat_import.DcatImportError as exc:
            raise CommandError(f"{exc} — nothing was imported.") from None
        except IntegrityError:
            raise CommandError(
                "another import into this catalogue ran at the same time — nothing was "
                "imported; run the import again."
            ) from None
        for uri, reason in report.skipped:
            self.stderr.write(f"  skipped {uri}: {reason}")
        for uri, note in report.notes:
            self.stdout.write(f"  note {uri}: {note}")
        for uri, title in report.vanished:
            self.stdout.write(
                f"  no longer in the source: {title} ({uri}) — kept; --prune deletes it"
            )
        for uri, title in report.removed:
            self.stdout.write(f"  deleted, no longer in the source: {title} ({uri})")
        summary = (
            f"{report.total} datasets: {len(report.created)} created, "
            f"{len(report.updated)} updated, {len(report.unchanged)} unchanged, "
            f"{len(report.skipped)} skipped; {len(report.vanished)} no longer in the source, "
            f"{len(report.removed)} deleted ({time.monotonic() - started:.1f} s)."
        )
        self.stdout.write(
            self.style.WARNING(summary) if report.skipped else self.style.SUCCESS(summary)
        )

    def _progress(self, done: int, total: int) -> None:
        if done == total or done % 100 == 0:
            self.stdout.write(f"  {done} of {total} stored")

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.catalog.importer import SAMPLE, CatalogFileError, import_catalog


class Command(BaseCommand):
    help = (
        "Import the OZG service catalogue CSV (Themenfeld, Lebenslage, OZG-Leistung, LeiKa "
        "services). Idempotent; malformed rows are reported by line and skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", nargs="?", default=str(SAMPLE),
            help="CSV file (default: the sample shipped with rathaus)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        started = time.monotonic()
        self.stdout.write(f"Importing {path} …")
        try:
            report = import_catalog(
                path.read_bytes(), progress=lambda text: self.stdout.write(f"  {text}")
            )
        except CatalogFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        for line in report.duplicates:
            self.stdout.write(self.style.WARNING(f"  {line}"))
        for line in report.rejected:
            self.stderr.write(f"  rejected {line}")
        summary = (
            f"{report.rows} rows: {report.created} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.duplicates)} duplicates, "
            f"{len(report.rejected)} rejected ({time.monotonic() - started:.1f} s)."
        )
        if report.rejected:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

"""``rathaus import-observations FILE --datastream ID``: a CSV series into a datastream."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.opendata.importer import ImportFileError, import_observations


class Command(BaseCommand):
    help = (
        "Import observations from a CSV file (time;value per row, header optional, ';' or ',' "
        "separated, German decimal commas allowed) into a datastream. Checks every row first: "
        "with bad rows nothing is imported unless --skip-bad is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="CSV file")
        parser.add_argument("--datastream", type=int, required=True, help="Datastream id")
        parser.add_argument(
            "--timezone", default=None,
            help="zone of times without an offset (default: the site's TIME_ZONE)",
        )  # fmt: skip
        parser.add_argument(
            "--skip-bad", action="store_true",
            help="store the good rows even if some rows are bad (they are listed)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        started = time.monotonic()
        self.stdout.write(f"Importing {path} into Datastream({options['datastream']}) …")
        try:
            report = import_observations(
                path.read_bytes(),
                options["datastream"],
                zone=options["timezone"],
                skip_bad=options["skip_bad"],
                progress=lambda done, total: self.stdout.write(f"  {done} of {total} stored"),
            )
        except ImportFileError as exc:
            raise CommandError(f"{path}: {exc}") from None
        for line in report.bad:
            self.stderr.write(f"  {line}")
        summary = (
            f"{report.rows} rows{' after a header' if report.header else ''}: "
            f"{report.stored} stored, {len(report.bad)} bad "
            f"({time.monotonic() - started:.1f} s)."
        )
        if report.bad and not options["skip_bad"]:
            raise CommandError(f"{summary} Nothing was imported; fix the rows or use --skip-bad.")
        if report.bad:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

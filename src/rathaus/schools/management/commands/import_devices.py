"""``rathaus import-devices FILE``: devices of the schools from a CSV file, with the same checks
as the staff upload page (:mod:`rathaus.schools.importer`). Every line is checked first; one bad
line imports nothing, and every problem is listed with its line number."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.schools import importer
from rathaus.schools.models import School


class Command(BaseCommand):
    help = "Import school devices from a CSV file (UTF-8 or Windows-1252); all or nothing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > importer.MAX_BYTES:
            raise CommandError(f"{path}: larger than {importer.MAX_BYTES // 1024 // 1024} MB")
        self.stdout.write(f"Checking {path} …")
        step = 50

        def progress(done: int, total: int) -> None:
            if done % step == 0 or done == total:
                self.stdout.write(f"  {done} of {total} stored")

        report = importer.run(path.read_bytes(), schools=School.objects.all(), progress=progress)
        for line, message in report.problems:
            self.stderr.write(f"  line {line}: {message}" if line else f"  {message}")
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problem(s) in {report.lines} line(s); nothing was "
                "imported. Fix the lines and run the import again."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} device(s) imported from {report.lines} line(s) "
                f"(encoding: {report.encoding})."
            )
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from rathaus.core.geo import POSTAL_CODES, load_postal_codes


class Command(BaseCommand):
    help = "Load the German postal code table (places and Kreis per postal code); idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default=str(POSTAL_CODES))

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Loading postal codes from {options['path']} …")
        report = load_postal_codes(Path(options["path"]))
        self.stdout.write(
            self.style.SUCCESS(f"Postal codes: {report.created} new, {report.unchanged} unchanged.")
        )

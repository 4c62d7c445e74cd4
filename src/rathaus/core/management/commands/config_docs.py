from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from rathaus.conf import render_markdown


class Command(BaseCommand):
    help = "Write the configuration reference (docs/configuration.md) from the declared variables."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="file to write; standard output if omitted")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render_markdown()
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['output']}")
        else:
            self.stdout.write(text, ending="")

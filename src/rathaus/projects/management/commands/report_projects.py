"""``rathaus report-projects --out FILE.pdf|FILE.docx [--authority SLUG]``: the council paper
on the digital projects from live data, kept as a snapshot for the next paper's change log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core.models import Authority
from rathaus.projects import render


class Command(BaseCommand):
    help = "Write the information paper on the digital projects as PDF or DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="FILE.pdf or FILE.docx")
        parser.add_argument(
            "--authority", help="short name of the authority (default: the only one with projects)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        file_format = out.suffix.lower().lstrip(".")
        if file_format not in render.FORMATS:
            raise CommandError("--out must end in .pdf or .docx")
        if not out.parent.is_dir():
            raise CommandError(f"no such directory: {out.parent}")
        slug = options["authority"]
        if slug:
            authority = Authority.objects.filter(slug=slug).first()
            if authority is None:
                raise CommandError(f"no authority {slug!r}")
        else:
            found = list(Authority.objects.filter(projects__isnull=False).distinct()[:2])
            if len(found) != 1:
                raise CommandError(
                    "give --authority: "
                    + (
                        "no authority has projects"
                        if not found
                        else "several authorities have projects"
                    )
                )
            authority = found[0]
        content, report = render.generate(authority, file_format)
        out.write_bytes(content)
        self.stdout.write(
            f"{out}: {len(report.projects)} projects, {len(report.changes)} changes "
            f"since the last paper"
        )

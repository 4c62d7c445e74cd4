from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.cases.fitconnect import submission_metadata, validate_metadata
from rathaus.forms.models import Submission


class Command(BaseCommand):
    help = (
        "Print the FIT-Connect metadata (schema 1.0.0) of a submission as JSON; "
        "exits with status 1 if the reference is unknown or the document is not valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the submission's reference, e.g. BAR-2026-000001")
        parser.add_argument(
            "--output", metavar="FILE", help="write the JSON to FILE instead of printing it"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reference: str = options["reference"]
        submission = (
            Submission.objects.select_related(
                "form_version__definition__authority", "offer__service"
            )
            .prefetch_related("attachments")
            .filter(reference=reference)
            .first()
        )
        if submission is None:
            raise CommandError(f"No submission with the reference {reference!r}.")
        document = submission_metadata(submission)
        problems = validate_metadata(document)
        if problems:
            for problem in problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(
                f"The FIT-Connect metadata of {reference} is not valid "
                f"({len(problems)} problem(s)); nothing was written."
            )
        text = json.dumps(document, ensure_ascii=False, indent=2)
        output: str | None = options["output"]
        if output is None:
            self.stdout.write(text)
            return
        Path(output).write_text(text + "\n", encoding="utf-8")
        self.stdout.write(f"FIT-Connect metadata of {reference} written to {output}.")

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.certificates import install
from rathaus.core.models import Authority


class Command(BaseCommand):
    help = (
        "Install the certificate portal (/urkunden/) for an authority: its fee table from a "
        "JSON file, the order form and its process model. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--authority", required=True, help="the authority's short name")
        parser.add_argument(
            "--fees",
            type=Path,
            help="the fee file (default: the one shipped for the authority, if any)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"There is no authority {options['authority']!r}.")
        try:
            report = install.install(
                authority, fees_path=options["fees"], actor_name="rathaus install-certificates"
            )
        except install.InstallError as error:
            raise CommandError(str(error)) from None
        fees = ", ".join(f"{count} {what}" for what, count in sorted(report.fees.items()))
        self.stdout.write(f"Fee table of {authority.slug}: {fees}")
        self.stdout.write(f"Order form {install.FORM_SLUG}: {report.form}")
        self.stdout.write(f"Process model: {report.process}")
        for note in report.notes:
            self.stdout.write(f"Note: {note}")

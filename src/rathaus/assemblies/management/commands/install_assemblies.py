from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.assemblies import install
from rathaus.core.models import Authority


class Command(BaseCommand):
    help = (
        "Install the assembly notice (Versammlungsanzeige, /antrag/versammlungsanzeige/) for an "
        "assembly authority: the form, linked to its catalogue offer for LeiKa "
        f"{install.LEIKA_KEY}, and its process model. Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--authority", required=True, help="the authority's short name")

    def handle(self, *args: Any, **options: Any) -> None:
        authority = Authority.objects.filter(slug=options["authority"]).first()
        if authority is None:
            raise CommandError(f"There is no authority {options['authority']!r}.")
        try:
            report = install.install(authority, actor_name="rathaus install-assemblies")
        except install.InstallError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Notice form {install.FORM_SLUG}: {report.form}")
        self.stdout.write(f"Process model: {report.process}")
        if report.offer:
            self.stdout.write(f"Linked to the offer: {report.offer}")
        else:
            self.stdout.write(
                f"Note: {authority.slug} has no catalogue offer for LeiKa {install.LEIKA_KEY}; "
                "the form is not linked to an offer, and cases go to the authority's first unit."
            )

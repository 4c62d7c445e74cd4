from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import F

from rathaus.core.models import OrgUnit
from rathaus.documents.management.commands._xdomea import authority_named
from rathaus.documents.models import Subject
from rathaus.documents.services import FileRefused
from rathaus.documents.xdomea_import import ImportRejected, import_zip


class Command(BaseCommand):
    help = (
        "Import an xdomea 3.0.0 hand-over (0503 ZIP) into new files: the message is checked "
        "against the schema and every primary file against the message before anything is "
        "kept. Prints the new file numbers, or every problem found (exit status 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("zip", metavar="ZIP", help="the 0503 message as a ZIP file")
        parser.add_argument(
            "--authority",
            default=None,
            help="short name (slug) or AGS of the authority (default: RATHAUS_DEFAULT_AUTHORITY)",
        )
        parser.add_argument(
            "--unit",
            default=None,
            metavar="SLUG",
            help="the unit that gets the files (default: the authority's first unit)",
        )
        parser.add_argument(
            "--subject",
            default=None,
            metavar="CODE",
            help="file plan code of the files (default: the catch-all subject)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_named(options["authority"])
        units = OrgUnit.objects.filter(authority=authority)
        if options["unit"]:
            unit = units.filter(slug=options["unit"]).first()
        else:
            unit = units.order_by(
                F("parent_id").asc(nulls_first=True), "position", "name", "pk"
            ).first()
        if unit is None:
            raise CommandError(f"{authority.name} has no unit {options['unit'] or ''}".strip())
        subject = None
        if options["subject"]:
            subject = Subject.objects.filter(authority=authority, code=options["subject"]).first()
            if subject is None:
                raise CommandError(f"no subject {options['subject']!r} in the file plan")
        path = Path(options["zip"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open("rb") as source:
                imported = import_zip(source, unit=unit, subject=subject)
        except ImportRejected as exc:
            for problem in exc.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(f"{path.name} was not imported; nothing was kept.") from None
        except FileRefused as exc:
            raise CommandError(f"{path.name} was not imported: {exc}") from None
        for file in imported.files:
            self.stdout.write(f"{file.number}  {file.title} ({file.documents.count()} documents)")
        self.stdout.write(
            f"Imported {len(imported.files)} file(s) from {imported.sender or 'unknown sender'} "
            f"into {unit.name}."
        )

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from rathaus.forms import codelists, services
from rathaus.forms.models import FormVersion


class Command(BaseCommand):
    help = (
        "Import genericode code lists (as XRepository publishes them), stored by URN and "
        "version. Form versions in preparation whose questions wait for a list get its codes."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="genericode XML file")

    def handle(self, *args: Any, **options: Any) -> None:
        parsed: list[tuple[Path, codelists.ParsedCodeList]] = []
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            try:
                parsed.append((path, codelists.parse(path.read_bytes())))
            except codelists.CodeListError as exc:
                raise CommandError(
                    f"{path.name}: not a usable genericode code list: {exc}"
                ) from None
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror})") from None
        with transaction.atomic():
            for path, code_list in parsed:
                self.stdout.write(f"Importing {path.name} …")
                _row, created = codelists.store(code_list)
                state = "new" if created else "replaced"
                self.stdout.write(
                    f"  {code_list.urn} version {code_list.version} ({code_list.name}): "
                    f"{len(code_list.codes)} codes, {state}"
                )
            completed = self._apply()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(parsed)} code list(s); {completed} form version(s) in "
                "preparation got their codes."
            )
        )

    def _apply(self) -> int:
        completed = 0
        for version in FormVersion.objects.filter(status=FormVersion.Status.DRAFT).select_related(
            "definition"
        ):
            if not services.version_missing(version):
                continue
            before = len(services.version_missing(version))
            updated = services.apply_code_lists(version)
            still = services.version_missing(updated)
            if len(still) < before:
                completed += 1
                self.stdout.write(
                    f"  form {version.definition.slug} version {version.number}: "
                    f"{before - len(still)} code list(s) applied, {len(still)} still missing"
                )
        return completed

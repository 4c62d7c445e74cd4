from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core import backup


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into this instance, which must be empty (a new database, no "
        "stored files). Every checksum is checked first; nothing is restored from a damaged or "
        "partial backup."
    )
    # The checks would open the database that is about to be replaced.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]

        def progress(message: str) -> None:
            sys.stderr.write(f"restore: {message}\n")
            sys.stderr.flush()

        try:
            manifest = backup.restore(directory, progress)
        except backup.BackupError as exc:
            raise CommandError(f"restore refused: {exc}") from None
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Restored from {directory} (made {manifest['created_at']}): "
            f"{len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['file_store']['blobs']} stored files. Run `rathaus migrate` if this "
            "version of rathaus is newer than the backup's."
        )

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.core import backup


class Command(BaseCommand):
    help = (
        "Back up this instance into DIR (new or empty): the database, the stored files, the audit "
        "checkpoints and the configuration without secrets, with a manifest of checksums. With "
        "--verify: check the backup in DIR and restore it into a scratch database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--verify",
            action="store_true",
            help="check the backup in DIR instead of making one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]

        def progress(message: str) -> None:
            sys.stderr.write(f"backup: {message}\n")
            sys.stderr.flush()

        try:
            if options["verify"]:
                manifest = backup.verify(directory, progress)
            else:
                manifest = backup.create(directory, progress)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["tables"].values())
        missing = manifest["file_store"]["missing"]
        if missing:
            self.stderr.write(
                f"{len(missing)} stored file(s) named by the database are not in the file store "
                f"(listed under file_store.missing in the manifest), e.g. {missing[0]}"
            )
        done = "verified" if options["verify"] else "written"
        self.stdout.write(
            f"Backup {done}: {directory} ({manifest['database']['vendor']}, "
            f"{len(manifest['tables'])} tables, {rows} rows, {len(manifest['files'])} files, "
            f"{manifest['file_store']['blobs']} stored files)"
        )

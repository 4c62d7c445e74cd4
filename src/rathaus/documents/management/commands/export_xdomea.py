from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.documents import handover
from rathaus.documents import xdomea_schema as xs
from rathaus.documents.management.commands._xdomea import authority_named
from rathaus.documents.services import FileRefused
from rathaus.documents.xdomea_export import (
    ExportFailed,
    exportable,
    files_by_number,
    receiver_name,
    record_export,
    write_zip,
)


class Command(BaseCommand):
    help = (
        "Write an xdomea 3.0.0 message as one ZIP: 0501 (offer list, metadata only) or 0503 "
        "(hand-over with every version as a primary file) of the named files, or of every file "
        "of the authority that still has its content. Exporting changes nothing; --hand-over "
        "then marks the files handed over whose subject offers them to the archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", metavar="FILE_NUMBER", help="file numbers")
        parser.add_argument("--out", required=True, metavar="DIR", help="folder for the ZIP")
        parser.add_argument(
            "--kind",
            choices=[xs.OFFER, xs.HAND_OVER],
            default=xs.HAND_OVER,
            help="message: 0501 offer list or 0503 hand-over (default)",
        )
        parser.add_argument(
            "--authority",
            default=None,
            help="short name (slug) or AGS of the authority (default: RATHAUS_DEFAULT_AUTHORITY)",
        )
        parser.add_argument(
            "--receiver",
            default=None,
            help="name of the receiving archive (default: RATHAUS_XDOMEA_ARCHIVE, else the "
            "parent authority, else the state archive)",
        )
        parser.add_argument(
            "--hand-over",
            action="store_true",
            help="after writing a 0503: mark its files handed over (closed, retention ended, no "
            "hold, subject 'offer to the archive') and release their content",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        authority = authority_named(options["authority"])
        kind: str = options["kind"]
        if options["hand_over"] and kind != xs.HAND_OVER:
            raise CommandError(
                "--hand-over needs --kind 0503: only a hand-over carries the content"
            )
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(f"{out}: no such folder")
        try:
            if options["numbers"]:
                files = files_by_number(authority, options["numbers"])
            else:
                files = list(exportable(authority))
        except ExportFailed as exc:
            raise CommandError(str(exc)) from None
        if not files:
            raise CommandError(f"{authority.name} has no file with content to export")
        receiver = options["receiver"] or receiver_name(authority)
        self.stdout.write(f"{xs.MESSAGE_NAMES[kind]} for {receiver}, {len(files)} file(s):")
        for file in files:
            documents = file.documents.all()
            versions = sum(len(document.versions.all()) for document in documents)
            self.stdout.write(
                f"  {file.number}  {file.title} ({len(documents)} documents, {versions} versions)"
            )
        partial = out / "xdomea-export.partial"
        try:
            with partial.open("wb") as target:
                message = write_zip(kind, files, target, authority=authority, receiver=receiver)
            partial.rename(out / message.zip_name)
        except ExportFailed as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        record_export(files, message, receiver, None)
        self.stdout.write(
            f"Written {out / message.zip_name}: {len(files)} file(s), "
            f"{message.primary_files} primary file(s), process id {message.process_id}."
        )
        if options["hand_over"]:
            self._hand_over(files, receiver, message.process_id)

    def _hand_over(self, files: list[Any], receiver: str, process_id: str) -> None:
        handed, kept = 0, 0
        for file in files:
            try:
                handover.hand_over(file, None, receiver=receiver, process_id=process_id)
            except FileRefused as exc:
                kept += 1
                self.stdout.write(f"  kept {file.number}: {exc}")
            else:
                handed += 1
                self.stdout.write(f"  handed over {file.number}")
        self.stdout.write(f"Handed over to {receiver}: {handed} file(s); kept: {kept}.")

"""``rathaus import-oparl URL``: an OParl 1.0/1.1 server's body walked into the council tables."""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rathaus.core.models import Authority
from rathaus.council import oparl_import
from rathaus.council.oparl_import import values


class Command(BaseCommand):
    help = (
        "Import the council information (meetings, agenda items, papers, persons, committees, "
        "files) of an OParl 1.0 or 1.1 server, starting at its System or Body address, into the "
        "council of an authority. Runs after the first ask only for what changed since the last "
        "complete run. Pages that cannot be read and objects that cannot be kept are reported "
        "and skipped."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("url", help="address of the OParl System or of one Body")
        parser.add_argument("--authority", help="slug of the authority (default: the default "
                                                "authority of the installation)")  # fmt: skip
        parser.add_argument("--body", help="id (address) of the body, when the system has several")
        since = parser.add_mutually_exclusive_group()
        since.add_argument("--since", help="ask only for objects modified since (ISO 8601)")
        since.add_argument(
            "--full", action="store_true", help="read everything, not only what changed"
        )
        parser.add_argument(
            "--files", action="store_true", help="also fetch the files' content (upload checks)"
        )
        parser.add_argument("--max-pages", type=int, help="most pages to read in this run")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["authority"] or getattr(settings, "RATHAUS_DEFAULT_AUTHORITY", "")
        authority = Authority.objects.filter(slug=slug).first()
        if authority is None:
            raise CommandError(f"no authority with the slug {slug!r}")
        since = None
        if options["since"]:
            try:
                since = values.date_time(options["since"])
            except values.Unreadable:
                raise CommandError(f"--since {options['since']!r} is not a date and time") from None
        if options["max_pages"] is not None and options["max_pages"] < 1:
            raise CommandError("--max-pages must be at least 1")
        try:
            report = oparl_import.run(
                options["url"], authority, body=options["body"], since=since,
                full=options["full"], files=options["files"], max_pages=options["max_pages"],
                progress=lambda line: self.stderr.write(line),
            )  # fmt: skip
        except oparl_import.ImportFailed as exc:
            raise CommandError(f"{exc} — nothing was imported.") from None
        lines = report.lines()
        self.stdout.write(lines[0])
        for line in lines[1:]:
            self.stdout.write(line)
        if report.lists and not report.list_pages:
            # the body answered, but none of its lists could be read
            self.stderr.write("None of the body's lists could be read.")
            sys.exit(1)
        if report.complete:
            self.stdout.write("Import complete.")
        else:
            self.stdout.write(
                "Import incomplete (see above): the next run asks again for everything changed "
                "since the last complete run."
            )

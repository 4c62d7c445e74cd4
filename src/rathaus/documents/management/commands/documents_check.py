"""``rathaus documents-check``: is every stored content of the e-file intact? (ADR 0044)

Exits with status 1 when a blob is missing, changed or orphaned. Orphaned blobs are only
reported; ``--delete-orphans`` deletes those older than an hour that no stored file names.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.documents import integrity


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every stored blob and report missing, changed and orphaned "
        "blobs; exits with status 1 if anything is found."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help=(
                "delete orphaned blobs (below blobs/, named by no stored file) older than an "
                "hour; missing or changed blobs are never touched"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("Checking the stored blobs …")
        report = integrity.check(self.stdout.write, delete_orphans=options["delete_orphans"])
        for problem in report.missing:
            self.stderr.write(f"  missing: {problem}")
        for problem in report.changed:
            self.stderr.write(f"  changed: {problem}")
        for key in report.orphaned:
            state = "deleted" if key in report.orphans_deleted else "kept"
            self.stderr.write(f"  orphaned ({state}): {key}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"All stored blobs intact: {report.summary()}."))
            return
        raise CommandError(f"Stored blobs damaged: {report.summary()}.")

"""``rathaus verify-results``: check the result records of competitions against their votes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.participation import result_records
from rathaus.participation.models import ResultRecord


class Command(BaseCommand):
    help = (
        "Compute the SHA-256 of every published competition's stored votes again and compare it "
        "with its result record and audit entry; exits with status 1 if one does not match."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        records = ResultRecord.objects.select_related("competition").order_by("pk")
        for record in records:
            check = result_records.verify(record)
            name = f"{record.competition.title} ({record.competition.uid})"
            if check.matches:
                self.stdout.write(f"ok       {name}: {check.stored_count} votes, {check.stored}")
            else:
                broken += 1
                self.stderr.write(
                    f"CHANGED  {name}: recorded {check.stored_count} votes {check.stored}, "
                    f"stored now {check.computed_count} votes {check.computed}"
                )
        if broken:
            raise CommandError(f"{broken} result record(s) do not match their votes.")
        self.stdout.write(self.style.SUCCESS(f"{records.count()} result record(s) match."))

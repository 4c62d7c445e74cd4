from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from rathaus.core import audit


class Command(BaseCommand):
    help = "Check the hash chain of the audit log; exits with status 1 if it was tampered with."

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit.verify()
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit log intact: {result.checked} entries checked.")
            )
            return
        for problem in result.problems:
            self.stderr.write(f"  {problem}")
        raise CommandError(
            f"Audit log damaged: {len(result.problems)} problem(s) in {result.checked} entries."
        )

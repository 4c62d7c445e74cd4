"""``rathaus reconcile``: queue the tasks of work that has none, and say what was found.

The worker runs the same reconciliation every ``RATHAUS_RECONCILE_MINUTES`` (ADR 0021); this
command is for an operator after an incident, or to check that nothing is missing.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from rathaus.core import taskqueue


class Command(BaseCommand):
    help = (
        "Queue again the tasks of work that has none (submissions without a case or receipt, "
        "e-mails not sent) and run the sweep for tasks of dead workers."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--min-age",
            type=int,
            default=None,
            metavar="SECONDS",
            help="leave alone work younger than this (default: RATHAUS_RECONCILE_AFTER_SECONDS)",
        )
        parser.add_argument(
            "--lookback-hours",
            type=int,
            default=None,
            metavar="HOURS",
            help="check work of this many past hours (default: RATHAUS_RECONCILE_LOOKBACK_HOURS)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = taskqueue.sweep()
        found = taskqueue.reconcile(options["min_age"], options["lookback_hours"])
        self.stdout.write(
            "sweep: {requeued} of dead workers queued again, {retried} failed tasks queued again, "
            "{set_aside} set aside for staff".format(**swept)
        )
        for name, count in found.items():
            self.stdout.write(f"{name}: {count} missing tasks queued")
        total = sum(found.values())
        self.stdout.write(f"total: {total} missing tasks queued")
        state = taskqueue.queue_state()
        self.stdout.write(
            "queue: {queued_tasks} waiting, {stuck_tasks} stuck, {set_aside_tasks} set aside, "
            "{workers} live workers".format(**state)
        )

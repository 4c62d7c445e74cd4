"""After the load run: is everything the server acknowledged in the database exactly once?

Runs in the load script's process with Django set up against the stack's database, once the
clients have stopped. First it waits until the workers have drained what the run queued (no
task waiting or running, no e-mail queued), then it compares the database with the clients'
ledger:

* each acknowledged booking (the redirect to "held") is there exactly once; a booking that
  was sent but not acknowledged (an error answer, a lost connection) at most once;
* each acknowledged submission (the redirect to its receipt) is there exactly once, under the
  id the receipt named, with exactly one case; unacknowledged ones at most once;
* each stored booking and submission has exactly one e-mail, and every e-mail of the run is sent;
* no task of the run still waits, runs or has failed, and none was set aside (dead letter).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadgen.scenarios import Ledger

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, text: str) -> None:
        self.lines.append(f"- {'ok' if ok else 'FAILED'}: {text}")
        if not ok:
            self.problems.append(text)


def setup_django(env: dict[str, str]) -> None:
    """Django in this process, on the stack's database (its settings, not the caller's)."""
    for key in [key for key in os.environ if key.startswith("RATHAUS_")]:
        del os.environ[key]
    os.environ.update({key: value for key, value in env.items() if key.startswith("RATHAUS_")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "rathaus.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _pending(since: dt.datetime, marker: str) -> dict[str, int]:
    from django.db.models import Q
    from django.utils import timezone
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    from rathaus.core.models import DeadLetter, OutgoingEmail

    tasks = DBTaskResult.objects.filter(enqueued_at__gte=since)
    # a task to run at once has the greatest date as run_after (django-tasks-db's "none")
    due = Q(run_after__lte=timezone.now()) | Q(run_after__gte=get_date_max())
    return {
        "tasks waiting": tasks.filter(due, status=TaskResultStatus.READY).count(),
        "tasks running": tasks.filter(status=TaskResultStatus.RUNNING).count(),
        "tasks failed, not yet run again": tasks.filter(status=TaskResultStatus.FAILED)
        .exclude(id__in=DeadLetter.objects.values("task_id"))
        .count(),
        "e-mails not sent": OutgoingEmail.objects.filter(to__startswith=marker)
        .exclude(status=OutgoingEmail.Status.SENT)
        .count(),
    }


def drain(since: dt.datetime, marker: str, timeout: float) -> tuple[float, dict[str, int]]:
    """Wait until the workers have done all the run's work; seconds waited and what is left."""
    from django.db import connection

    connection.close()  # PostgreSQL was restarted since this process last used it
    started = time.monotonic()
    while True:
        left = _pending(since, marker)
        waited = time.monotonic() - started
        if not any(left.values()) or waited > timeout:
            return waited, left
        connection.close()
        time.sleep(1)


def verify(ledger: Ledger, since: dt.datetime, timeout: float) -> Findings:
    from rathaus.appointments.models import Booking
    from rathaus.cases.models import Case
    from rathaus.core.models import DeadLetter, OutgoingEmail
    from rathaus.forms.models import Submission

    marker = f"load-{ledger.run}-"
    findings = Findings()
    waited, left = drain(since, marker, timeout)
    findings.check(
        not any(left.values()),
        f"the workers finished the run's work {waited:.0f} s after the load stopped"
        + ("" if not any(left.values()) else f"; left after {timeout:.0f} s: {left}"),
    )
    bookings: Counter[str] = Counter(
        Booking.objects.filter(email__startswith=marker).values_list("email", flat=True)
    )
    submissions: dict[str, list[str]] = {}
    for email, pk in Submission.objects.filter(contact_email__startswith=marker).values_list(
        "contact_email", "pk"
    ):
        submissions.setdefault(email, []).append(str(pk))
    cases: Counter[str] = Counter(
        Case.objects.filter(submission__contact_email__startswith=marker).values_list(
            "submission__contact_email", flat=True
        )
    )
    mails: Counter[str] = Counter(
        OutgoingEmail.objects.filter(to__startswith=marker).values_list("to", flat=True)
    )
    _bookings(findings, ledger, bookings, mails)
    _submissions(findings, ledger, submissions, cases, mails)
    unsent = OutgoingEmail.objects.filter(to__startswith=marker).exclude(
        status=OutgoingEmail.Status.SENT
    )
    findings.check(
        not unsent.exists(),
        f"all {sum(mails.values())} e-mails of the run sent ({unsent.count()} not sent)",
    )
    dead = DeadLetter.objects.filter(created_at__gte=since)
    findings.check(
        not dead.exists(),
        f"no task set aside as dead letter ({dead.count()}"
        + (f": {sorted(set(dead.values_list('task_path', flat=True)))})" if dead else ")"),
    )
    return findings


def _bookings(
    findings: Findings, ledger: Ledger, stored: Counter[str], mails: Counter[str]
) -> None:
    held = [email for email, state in ledger.bookings.items() if state == "held"]
    other = [email for email, state in ledger.bookings.items() if state != "held"]
    lost = [email for email in held if stored[email] == 0]
    doubled = [email for email in ledger.bookings if stored[email] > 1]
    findings.check(
        not lost and not doubled,
        f"{len(held)} acknowledged bookings, each stored exactly once "
        f"(lost {len(lost)}, doubled {len(doubled)}){_few(lost + doubled)}",
    )
    unacknowledged = sum(1 for email in other if stored[email])
    findings.lines.append(
        f"- {len(other)} bookings sent without an acknowledgement: {unacknowledged} of them "
        "stored (at most once each, checked above)"
    )
    wrong = [email for email in stored if mails[email] != 1]
    findings.check(not wrong, f"each stored booking has exactly one e-mail{_few(wrong)}")


def _submissions(
    findings: Findings,
    ledger: Ledger,
    stored: dict[str, list[str]],
    cases: Counter[str],
    mails: Counter[str],
) -> None:
    acknowledged = {email: pk for email, pk in ledger.submissions.items() if pk}
    other = [email for email, pk in ledger.submissions.items() if not pk]
    lost = [email for email, pk in acknowledged.items() if stored.get(email) != [pk]]
    doubled = [email for email, found in stored.items() if len(found) > 1]
    findings.check(
        not lost and not doubled,
        f"{len(acknowledged)} acknowledged submissions, each stored exactly once under the "
        f"receipt's id (lost or other id {len(lost)}, doubled {len(doubled)}){_few(lost)}",
    )
    unacknowledged = sum(1 for email in other if stored.get(email))
    findings.lines.append(
        f"- {len(other)} submissions not acknowledged: {unacknowledged} of them stored "
        "(at most once each, checked above)"
    )
    wrong_cases = [email for email in stored if cases[email] != 1]
    findings.check(
        not wrong_cases, f"each stored submission has exactly one case{_few(wrong_cases)}"
    )
    wrong = [email for email in stored if mails[email] != 1]
    findings.check(not wrong, f"each stored submission has exactly one e-mail{_few(wrong)}")


def _few(emails: list[Any]) -> str:
    return f": {', '.join(map(str, emails[:5]))}{' …' if len(emails) > 5 else ''}" if emails else ""


def running_task(pid: int) -> str:
    """The task that the worker with this process id runs at this moment ("" if none)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from rathaus.core.models import WorkerHeartbeat

    beat = WorkerHeartbeat.objects.filter(pid=pid).order_by("-last_seen").first()
    if beat is None:
        return ""
    for path, workers in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "task_path", "worker_ids"
    ):
        if workers and workers[-1] == beat.worker_id:
            return str(path)
    return ""

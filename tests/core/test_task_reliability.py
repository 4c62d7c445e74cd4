"""Reliable tasks (ADR 0021): the sweep, set-aside tasks, running each task twice, the
reconciliation and what /health and the staff page say about the queue."""

from __future__ import annotations

import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from rathaus.cases import tasks as case_tasks
from rathaus.cases.models import Case
from rathaus.core import mail, roles, taskqueue
from rathaus.core.models import DeadLetter, OutgoingEmail
from rathaus.forms.models import Submission, SubmissionEvent
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    MembershipFactory,
    OrgUnitFactory,
    SubmissionFactory,
    WorkerHeartbeatFactory,
)
from tests.support import clerk_of, health_details, log_in
from tests.tasks_for_tests import add, fail

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def claimed_by(result, worker_id: str, times: int = 1) -> DBTaskResult:
    """The task row as a worker leaves it when it dies while running the task."""
    row = DBTaskResult.objects.get(pk=result.id)
    for _attempt in range(times):
        row.claim(worker_id)
    return row


def gone_pid() -> int:
    """The id of a process on this machine that has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def run_queued() -> list[str]:
    """Run every waiting task once in this process, the way a worker would; their paths."""
    ran = []
    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        row.claim("in-test")
        row.set_successful(row.task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"]))
        ran.append(row.task_path)
    return ran


@pytest.fixture
def submission():
    authority = AuthorityFactory()
    OrgUnitFactory(authority=authority)
    return SubmissionFactory(authority=authority)


# --- the sweep -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sweep_requeues_tasks_of_dead_workers_and_leaves_live_ones_alone():
    WorkerHeartbeatFactory(worker_id="alive", last_seen=timezone.now())
    WorkerHeartbeatFactory(worker_id="silent", last_seen=timezone.now() - timedelta(hours=1))
    WorkerHeartbeatFactory(worker_id="killed", hostname=socket.gethostname(), pid=gone_pid())
    running = claimed_by(add.enqueue(1, 1), "alive")
    silent = claimed_by(add.enqueue(1, 2), "silent")
    killed = claimed_by(add.enqueue(1, 3), "killed")
    unknown = claimed_by(add.enqueue(1, 4), "never-seen")

    assert taskqueue.live_worker_ids() == {"alive"}
    assert taskqueue.sweep() == {"requeued": 3, "retried": 0, "set_aside": 0}
    statuses = {
        row.pk: row.status for row in DBTaskResult.objects.filter(task_path=add.module_path)
    }
    assert statuses[running.pk] == TaskResultStatus.RUNNING
    for row in (silent, killed, unknown):
        assert statuses[row.pk] == TaskResultStatus.READY
    # The attempt count is kept: the next worker adds its id.
    assert DBTaskResult.objects.get(pk=killed.pk).worker_ids == ["killed"]
    assert taskqueue.sweep() == {"requeued": 0, "retried": 0, "set_aside": 0}


@pytest.mark.django_db
def test_a_task_whose_worker_keeps_dying_is_set_aside(settings):
    settings.RATHAUS_TASK_MAX_ATTEMPTS = 3
    result = add.enqueue(2, 2)
    claimed_by(result, "dead", times=2)
    assert taskqueue.sweep()["requeued"] == 1
    claimed_by(result, "dead")
    assert taskqueue.sweep() == {"requeued": 0, "retried": 0, "set_aside": 1}
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == taskqueue.WORKER_LOST
    letter = DeadLetter.objects.get()
    assert (letter.task_id, letter.reason, letter.attempts) == (row.pk, "worker_lost", 3)
    assert letter.args_kwargs == {"args": [2, 2], "kwargs": {}}
    assert taskqueue.sweep()["set_aside"] == 0  # once


@pytest.mark.django_db
def test_a_failed_task_runs_again_later_then_is_set_aside(settings):
    settings.RATHAUS_TASK_MAX_ATTEMPTS = 2
    result = fail.enqueue()
    row = claimed_by(result, "w")
    row.set_failed(RuntimeError("boom"))
    now = timezone.now()
    assert taskqueue.sweep(now)["retried"] == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert row.run_after >= now + timedelta(minutes=1)  # not at once: the cause may pass
    row.claim("w")
    row.set_failed(RuntimeError("boom"))
    assert taskqueue.sweep()["set_aside"] == 1
    letter = DeadLetter.objects.get()
    assert (letter.reason, letter.error) == ("failed", "builtins.RuntimeError")
    # A failure from long ago (before an upgrade) is history, not work to run again.
    old = claimed_by(fail.enqueue(), "w")
    old.set_failed(RuntimeError("long ago"))
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=30))
    assert taskqueue.sweep() == {"requeued": 0, "retried": 0, "set_aside": 0}


# --- /health -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_health_reports_stuck_and_set_aside_tasks_and_ignores_dead_workers(client, settings):
    WorkerHeartbeatFactory(worker_id="alive", last_seen=timezone.now())
    WorkerHeartbeatFactory(worker_id="killed", hostname=socket.gethostname(), pid=gone_pid())
    assert client.get("/health").status_code == 200
    claimed_by(add.enqueue(1, 1), "killed")
    worker = health_details(client).json()["checks"]["worker"]
    assert (worker["status"], worker["workers"], worker["stuck_tasks"]) == ("error", 1, 1)
    assert "tasks of dead workers" in worker["problems"]
    settings.RATHAUS_TASK_MAX_ATTEMPTS = 1
    taskqueue.sweep()
    worker = health_details(client).json()["checks"]["worker"]
    assert (worker["stuck_tasks"], worker["set_aside_tasks"]) == (0, 1)
    assert worker["problems"] == ["tasks set aside for staff"]
    taskqueue.retry(DeadLetter.objects.get().pk)
    assert client.get("/health").status_code == 200


@pytest.mark.django_db
def test_health_reports_a_queue_that_does_not_move(client, settings):
    WorkerHeartbeatFactory(last_seen=timezone.now())
    add.enqueue(1, 1)
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(hours=1))
    worker = health_details(client).json()["checks"]["worker"]
    assert worker["oldest_queued_seconds"] >= 3600
    assert worker["problems"] == ["queue not moving"]
    assert client.get("/health").status_code == 503


# --- the staff page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_heads_see_set_aside_tasks_with_their_purpose_and_retry_them(submission, settings):
    settings.RATHAUS_TASK_MAX_ATTEMPTS = 1
    route = DBTaskResult.objects.get(task_path=case_tasks.route_submission.module_path)
    route.claim("dead")
    taskqueue.sweep()
    unit = OrgUnitFactory(authority=submission.authority)
    clerk = clerk_of(unit, "sachbearbeiter")
    head = clerk_of(unit, "leiterin")
    MembershipFactory(user=head, org_unit=unit, role=roles.role(roles.HEAD))

    clerk_client = log_in(Client(), clerk.username, PASSWORD)
    assert clerk_client.get("/verwaltung/hintergrundaufgaben/").status_code == 403
    assert "hintergrundaufgaben" not in clerk_client.get("/verwaltung/").content.decode()

    staff = log_in(Client(), head.username, PASSWORD)
    assert "/verwaltung/hintergrundaufgaben/" in staff.get("/verwaltung/").content.decode()
    page = staff.get("/verwaltung/hintergrundaufgaben/").content.decode()
    assert f"Vorgang zum Antrag {submission.reference} anlegen" in page
    letter = DeadLetter.objects.get()
    response = staff.post("/verwaltung/hintergrundaufgaben/", {"letter": letter.pk})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.retried_by == head
    retry = DBTaskResult.objects.get(pk=letter.retry_task_id)
    assert (retry.status, retry.args_kwargs) == (
        "READY",
        {**route.args_kwargs, "request_id": response["X-Request-ID"]},  # the staff's request
    )
    assert (
        "Keine Aufgabe ist zurückgestellt."
        in staff.get("/verwaltung/hintergrundaufgaben/").content.decode()
    )
    # A second retry of the same letter does nothing.
    assert not taskqueue.retry(letter.pk, head)
    assert run_queued().count(case_tasks.route_submission.module_path) == 1
    assert Case.objects.filter(submission=submission).count() == 1


# --- every task twice ----------------------------------------------------------------------


@pytest.mark.django_db
def test_routing_twice_opens_one_case(submission):
    assert case_tasks.route_submission.call(str(submission.pk)) == "routed"
    assert case_tasks.route_submission.call(str(submission.pk)) == "already routed"
    assert Case.objects.filter(submission=submission).count() == 1
    assert submission.events.filter(kind=SubmissionEvent.Kind.ROUTED).count() == 1


@pytest.mark.django_db
def test_the_receipt_twice_sends_one_receipt(submission):
    assert case_tasks.send_receipt.call(str(submission.pk)) == "sent"
    assert case_tasks.send_receipt.call(str(submission.pk)) == "already sent"
    assert submission.events.filter(kind=SubmissionEvent.Kind.RECEIPT_SENT).count() == 1
    assert OutgoingEmail.objects.filter(to=submission.contact_email).count() == 1


@pytest.mark.django_db
def test_an_email_delivery_twice_sends_once(submission):
    email = mail.send_mail(to="erika@example.de", subject="Test", template="cases/email/received",
                           context={"submission": submission})  # fmt: skip
    assert mail.deliver_email.call(email.pk) == "sent"
    assert mail.deliver_email.call(email.pk) == "skipped"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutgoingEmail.Status.SENT, 1)


# --- no task lost between commit and queue -------------------------------------------------


@pytest.mark.django_db
def test_the_submission_and_its_tasks_commit_together(monkeypatch):
    authority = AuthorityFactory()
    OrgUnitFactory(authority=authority)

    def broken_queue(*args, **kwargs):
        raise RuntimeError("queue unavailable")

    monkeypatch.setattr(DatabaseBackend, "_task_to_db_task", broken_queue)
    with pytest.raises(RuntimeError), transaction.atomic():
        SubmissionFactory(authority=authority)
    assert not Submission.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_reconciliation_repairs_a_submission_whose_tasks_were_lost(submission):
    """As if the enqueue after the commit had failed (the gap before ADR 0021)."""
    DBTaskResult.objects.all().delete()
    nothing = {
        "e-mails": 0,
        "submissions": 0,
        "efile": 0,
        "council.efile": 0,
        "noticeboard.subscriptions": 0,
    }
    assert taskqueue.reconcile() == nothing  # too young to tell
    out = call_command_output("reconcile", "--min-age", "0")
    assert "submissions: 2 missing tasks queued" in out
    assert "total: 2 missing tasks queued" in out
    assert taskqueue.reconcile(0) == nothing  # tasks exist now
    ran = run_queued()
    assert sorted(ran) == [case_tasks.route_submission.module_path,
                           case_tasks.send_receipt.module_path]  # fmt: skip
    assert Case.objects.filter(submission=submission).count() == 1
    assert submission.events.filter(kind=SubmissionEvent.Kind.RECEIPT_SENT).count() == 1
    # The receipt e-mail's task is lost too: the reconciliation queues its delivery, and the
    # filing of the new case into its e-file.
    DBTaskResult.objects.all().delete()
    assert taskqueue.reconcile(0) == {**nothing, "e-mails": 1, "efile": 1}
    assert sorted(run_queued()) == [
        mail.deliver_email.module_path, "rathaus.documents.filing.file_case"
    ]  # fmt: skip
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
    assert taskqueue.reconcile(0) == nothing


@pytest.mark.django_db
def test_reconciliation_leaves_old_work_alone(submission, settings):
    """Imported submissions, or those from before an upgrade, do not suddenly get receipts."""
    DBTaskResult.objects.all().delete()
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - timedelta(hours=settings.RATHAUS_RECONCILE_LOOKBACK_HOURS + 1)
    )
    assert taskqueue.reconcile(0) == {
        "e-mails": 0,
        "submissions": 0,
        "efile": 0,
        "council.efile": 0,
        "noticeboard.subscriptions": 0,
    }
    assert taskqueue.reconcile(0, lookback_hours=1000)["submissions"] == 2


@pytest.mark.django_db
def test_reconciliation_leaves_set_aside_work_to_staff(submission, settings):
    settings.RATHAUS_TASK_MAX_ATTEMPTS = 1
    DBTaskResult.objects.get(task_path=case_tasks.route_submission.module_path).claim("dead")
    taskqueue.sweep()
    assert DeadLetter.objects.count() == 1
    assert taskqueue.reconcile(0)["submissions"] == 0


def call_command_output(*args: str) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()

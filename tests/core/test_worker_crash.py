"""A real worker killed with SIGKILL in the middle of a task: the work still happens, once.

Two workers each hold one task of a new submission (its receipt and its routing) when they are
killed. A third worker's sweep finds the tasks of the dead workers and runs them again; the
submission then has exactly one case and one receipt.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from rathaus.cases.models import Case
from rathaus.core.models import OutgoingEmail
from rathaus.forms.models import SubmissionEvent
from tests.factories import AuthorityFactory, OrgUnitFactory, SubmissionFactory
from tests.support import ROOT, database_env, health_details, start_worker

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

WORKER_ARGS = ["--queue-name", "*", "--interval", "0.2", "--no-startup-delay"]


def gated_worker(gate: Path) -> subprocess.Popen[str]:
    code = "from tests.tasks_for_tests import gated_worker; gated_worker()"
    return subprocess.Popen(
        [sys.executable, "-c", code, str(gate), *WORKER_ARGS], cwd=ROOT, env=database_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_for(condition: Callable[[], bool], what: str, workers: list[subprocess.Popen[str]]):
    deadline = time.monotonic() + 90
    while not condition():
        for worker in workers:
            if worker.poll() is not None:
                output = worker.stdout.read() if worker.stdout else ""
                pytest.fail(f"a worker exited while waiting for {what}:\n{output}")
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def stop(worker: subprocess.Popen[str], how: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        worker.send_signal(how)
    worker.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_tasks_of_killed_workers_run_again_and_their_effect_happens_once(tmp_path):
    authority = AuthorityFactory()
    OrgUnitFactory(authority=authority)
    submission = SubmissionFactory(authority=authority)
    tasks = DBTaskResult.objects.filter(task_path__startswith="rathaus.cases.tasks.")
    assert sorted(tasks.values_list("task_path", flat=True)) == [
        "rathaus.cases.tasks.route_submission",
        "rathaus.cases.tasks.send_receipt",
    ]

    gate = tmp_path / "gate"
    gate.mkdir()
    started = {name: gate / f"started-{name}" for name in ("send_receipt", "route_submission")}
    first = gated_worker(gate)
    wait_for(lambda: any(path.exists() for path in started.values()), "the first task", [first])
    second = gated_worker(gate)
    wait_for(lambda: all(path.exists() for path in started.values()), "the second task",
             [first, second])  # fmt: skip
    for worker in (first, second):
        stop(worker, signal.SIGKILL)
    assert (first.returncode, second.returncode) == (-signal.SIGKILL, -signal.SIGKILL)

    # Both tasks are left RUNNING by dead workers: /health says so and counts no live worker.
    assert set(tasks.values_list("status", flat=True)) == {TaskResultStatus.RUNNING}
    health = health_details(Client())
    assert health.status_code == 503
    state = health.json()["checks"]["worker"]
    assert (state["workers"], state["stuck_tasks"]) == (0, 2)
    assert not Case.objects.exists()

    rescuer = start_worker()
    try:
        wait_for(
            lambda: (
                set(tasks.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
                and not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).exists()
            ),
            "the tasks to run again",
            [rescuer],
        )
        health = health_details(Client()).json()["checks"]["worker"]
        assert (health["workers"], health["stuck_tasks"], health["set_aside_tasks"]) == (1, 0, 0)
    finally:
        stop(rescuer)

    assert Case.objects.filter(submission=submission).count() == 1
    events = SubmissionEvent.objects.filter(submission=submission)
    assert events.filter(kind=SubmissionEvent.Kind.ROUTED).count() == 1
    assert events.filter(kind=SubmissionEvent.Kind.RECEIPT_SENT).count() == 1
    receipts = OutgoingEmail.objects.filter(to=submission.contact_email)
    assert list(receipts.values_list("status", flat=True)) == [OutgoingEmail.Status.SENT]
    # Each task was started twice: by the killed worker, then by the rescuer.
    assert [len(row.worker_ids) for row in tasks] == [2, 2]

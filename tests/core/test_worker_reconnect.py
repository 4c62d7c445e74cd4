"""A worker that loses the database (PostgreSQL restarted, a fail-over) keeps running: it waits,
queues again the task it was running when the connection broke, and goes on with the queue."""

from __future__ import annotations

import signal

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from rathaus.core import taskqueue
from rathaus.core.management.commands import worker as worker_command
from tests.tasks_for_tests import add

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def restored_signals():
    saved = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def test_a_worker_that_lost_the_database_runs_its_interrupted_task_again(
    monkeypatch, restored_signals
):
    interrupted = add.enqueue(1, 2)
    # as the broken connection left it: running, claimed by this worker
    DBTaskResult.objects.filter(pk=interrupted.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["w-lost"]
    )
    runs: list[int] = []
    original = Worker.run

    def run(self: Worker) -> None:
        runs.append(1)
        if len(runs) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        original(self)

    pauses: list[float] = []
    monkeypatch.setattr(Worker, "run", run)
    monkeypatch.setattr(worker_command.time, "sleep", pauses.append)
    call_command("worker", "--batch", "--worker-id", "w-lost", "--queue-name", "*",
                 "--no-startup-delay")  # fmt: skip

    row = DBTaskResult.objects.get(pk=interrupted.id)
    assert len(runs) == 2  # the loop went on after the outage instead of ending the worker
    assert pauses[:1] == [1.0]
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["w-lost", "w-lost"]  # run once more, by the same worker


def test_release_leaves_the_tasks_of_other_workers_alone():
    other = add.enqueue(3, 4)
    DBTaskResult.objects.filter(pk=other.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["w-other"]
    )
    assert taskqueue.release("w-lost") == 0
    assert DBTaskResult.objects.get(pk=other.id).status == TaskResultStatus.RUNNING

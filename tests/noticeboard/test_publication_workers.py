"""Two workers at the same moment put a notice up once: the row lock, the status check and the
constraint "once per notice and event" leave one record (ADR 0067)."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest
import time_machine

from rathaus.noticeboard import publication
from rathaus.noticeboard.models import DisplayRecord, Notice
from tests.factories.noticeboard import NoticeFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # row locks: runs on PostgreSQL too (ADR 0036)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_put_a_notice_up_and_take_it_down_once():
    start = dt.datetime(2026, 12, 14, 8, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=14)
    notices = [
        NoticeFactory(display_from=start, display_until=end, status=Notice.Status.SCHEDULED,
                      put_up_at=None)
        for _ in range(3)
    ]  # fmt: skip
    done: list[list[int]] = []

    def worker(step, now: dt.datetime) -> None:
        done.append(step(now))

    with time_machine.travel(start, tick=False):
        errors = run_in_threads(*(partial(worker, publication.put_up_due, start)
                                  for _ in range(4)), together=True)  # fmt: skip
    assert errors == []
    assert sorted(pk for ids in done for pk in ids) == sorted(notice.pk for notice in notices)
    done.clear()
    with time_machine.travel(end, tick=False):
        errors = run_in_threads(*(partial(worker, publication.take_down_due, end)
                                  for _ in range(4)), together=True)  # fmt: skip
    assert errors == []
    assert sorted(pk for ids in done for pk in ids) == sorted(notice.pk for notice in notices)
    for notice in notices:
        assert list(
            DisplayRecord.objects.filter(notice=notice).order_by("at").values_list("event", "at")
        ) == [("put_up", start), ("taken_down", end)]
        notice.refresh_from_db()
        assert notice.status == Notice.Status.ENDED

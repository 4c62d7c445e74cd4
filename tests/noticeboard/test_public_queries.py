"""The list and the archive of the notices need the same number of queries for 2 or 20 notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.noticeboard.models import Category, DisplayRecord, Notice
from tests.factories import AuthorityFactory, NoticeAttachmentFactory, NoticeFactory
from tests.factories.noticeboard import DisplayRecordFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def queries(path: str) -> int:
    client = Client()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def make(town, count: int) -> None:
    categories = list(Category)
    for number in range(count):
        current = NoticeFactory(authority=town, category=categories[number % len(categories)])
        NoticeAttachmentFactory(notice=current)
        ended = NoticeFactory(
            authority=town, status=Notice.Status.ENDED,
            display_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=number),
            display_until=dt.datetime(2026, 2, 1, tzinfo=dt.UTC) + dt.timedelta(days=number),
        )  # fmt: skip
        DisplayRecordFactory(notice=ended, event=DisplayRecord.Event.PUT_UP, at=ended.display_from)
        DisplayRecordFactory(
            notice=ended, event=DisplayRecord.Event.TAKEN_DOWN, at=ended.display_until
        )


@pytest.mark.parametrize(
    "path",
    ["/bekanntmachungen/", "/bekanntmachungen/?bereich=allgemein",
     "/bekanntmachungen/archiv/", "/bekanntmachungen/archiv/?bereich=allgemein&jahr=2026",
     "/bekanntmachungen/feed.atom"],
)  # fmt: skip
def test_the_number_of_queries_does_not_grow_with_the_notices(path):
    town = AuthorityFactory(slug="barleben")
    make(town, 2)
    few = queries(path)
    make(town, 18)

    assert queries(path) == few

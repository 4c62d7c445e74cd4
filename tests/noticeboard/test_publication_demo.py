"""The Barleben demo has official notices: a statute, the budget, a development plan and an
election notice on display, one scheduled for next week and two in the archive with their
display records; the Bürgerbüro's demo clerk keeps them; loading again adds nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core.demo import Tally
from rathaus.noticeboard import demo, publication
from rathaus.noticeboard.models import DisplayRecord, Notice
from tests.support import log_in

pytestmark = pytest.mark.django_db


def test_the_demo_notices_are_on_display_planned_and_archived(barleben):
    notices = Notice.objects.filter(authority=barleben, uid__in=[n.uid for n in demo.NOTICES])
    by_status: dict[str, list[Notice]] = {}
    for notice in notices:
        by_status.setdefault(notice.status, []).append(notice)
    on_display = by_status[Notice.Status.ON_DISPLAY]
    assert {notice.category for notice in on_display} == {
        "statutes", "budget", "planning", "elections"
    }  # fmt: skip
    now = timezone.now()
    assert all(n.display_from <= now < n.display_until for n in on_display)
    (planned,) = by_status[Notice.Status.SCHEDULED]
    assert 6 <= (planned.display_from - now).days <= 7
    ended = by_status[Notice.Status.ENDED]
    assert len(ended) == 2
    for notice in ended:
        records = list(notice.display_records.order_by("at"))
        assert [(r.event, r.at) for r in records] == [
            (DisplayRecord.Event.PUT_UP, notice.display_from),
            (DisplayRecord.Event.TAKEN_DOWN, notice.display_until),
        ]
        assert {r.content_sha256 for r in records} == {publication.content_sha256(notice)}
    for notice in on_display:
        assert notice.display_records.get().event == DisplayRecord.Event.PUT_UP
    # the history is written as of each start, so the public reads the prescribed periods
    assert all(n.put_up_at == n.display_from for n in [*on_display, *ended])


def test_loading_again_adds_nothing_and_the_clerk_keeps_the_notices(barleben):
    before = Notice.objects.count(), DisplayRecord.objects.count()
    tally = Tally()
    demo.load(tally)
    assert (Notice.objects.count(), DisplayRecord.objects.count()) == before
    assert tally["Notice: unchanged"] == len(demo.NOTICES)
    assert not tally.changed
    client = log_in(Client(), demo.DEMO_KEEPER)
    page = client.get("/verwaltung/bekanntmachungen/?status=aushang").content.decode()
    assert "Haushaltssatzung der Gemeinde Barleben für das Haushaltsjahr 2027" in page

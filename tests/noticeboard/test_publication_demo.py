"""The Barleben demo has official notices: a statute, the budget, a development plan and an
election notice on display, one scheduled for next week and two in the archive with their
display records; the Bürgerbüro's demo clerk keeps them; loading again adds nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from rathaus.core import demo as core_demo
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


def test_the_demo_texts_name_concrete_dates_and_the_plan_has_its_draft_attached(barleben):
    today = timezone.localdate()
    plan = Notice.objects.get(uid=demo.NOTICES[2].uid)
    assert "Bebauungsplan Nr. 42 „Am Kanal“" in plan.text.replace("Bebauungsplans", "Bebauungsplan")
    start = today + dt.timedelta(days=demo.NOTICES[2].start)
    last = today + dt.timedelta(days=demo.NOTICES[2].end - 1)
    assert f"vom {start:%d.%m.%Y} bis {last:%d.%m.%Y}" in plan.summary
    assert "unten angehängt" in plan.text
    assert "im Internet" not in plan.text
    (attachment,) = plan.attachments.select_related("file")
    assert attachment.file.media_type == "application/pdf"
    assert attachment.file.read_bytes().startswith(b"%PDF")
    # the proof covers the attachment: put up with it, the hash is the one of today
    assert plan.display_records.get().content_sha256 == publication.content_sha256(plan)
    client = Client()
    response = client.get(f"/bekanntmachungen/{plan.uid}/anlagen/{attachment.pk}/")
    assert response.status_code == 200
    texts = " ".join(f"{n.summary} {n.text}" for n in Notice.objects.filter(authority=barleben))
    assert "übernächsten" not in texts
    assert "Bis dahin" not in texts
    assert "{" not in texts
    budget = Notice.objects.get(uid=demo.NOTICES[1].uid)
    assert "am " in budget.summary
    assert f"bis {today + dt.timedelta(days=11):%d.%m.%Y}" in budget.text


def test_demo_data_points_to_the_notices_the_screen_and_the_worker(monkeypatch):
    monkeypatch.setattr(core_demo, "load", lambda: (Tally(), []))
    out = StringIO()
    call_command("demo_data", stdout=out)
    printed = out.getvalue()
    for hint in ("/bekanntmachungen/", "/anzeige/rathaus-foyer/", "/verwaltung/bekanntmachungen/",
                 demo.DEMO_KEEPER, "make run"):  # fmt: skip
        assert hint in printed

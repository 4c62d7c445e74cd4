"""Publishing official notices: the worker puts a notice up when its period starts and takes it
down at its end, each step written once with its time and the content's hash; scheduling is
refused when the notice is not ready; staff withdraw a notice early with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from django.utils import timezone

from rathaus.core import events, housekeeping, signage
from rathaus.core.models import AuditEvent
from rathaus.noticeboard import publication
from rathaus.noticeboard.events import NoticePutUp, NoticeTakenDown
from rathaus.noticeboard.models import DisplayRecord, Notice
from rathaus.noticeboard.public import moment_in_words
from tests.factories import UserFactory
from tests.factories.core import StoredFileFactory
from tests.factories.noticeboard import NoticeAttachmentFactory, NoticeFactory

pytestmark = pytest.mark.django_db

BERLIN = timezone.get_fixed_timezone(60)
START = dt.datetime(2026, 12, 14, 0, 0, tzinfo=BERLIN)
END = dt.datetime(2026, 12, 28, 0, 0, tzinfo=BERLIN)


def draft(**values) -> Notice:
    defaults = {"display_from": START, "display_until": END, "status": Notice.Status.DRAFT,
                "put_up_at": None}  # fmt: skip
    return NoticeFactory(**{**defaults, **values})


def records(notice: Notice) -> list[tuple[str, dt.datetime]]:
    return list(notice.display_records.order_by("at").values_list("event", "at"))


@contextmanager
def listening(capture, heard: list[object]) -> Iterator[None]:
    """Events are delivered after the commit: run the commit callbacks of the block."""
    with (
        events.subscribed(NoticePutUp, heard.append),
        events.subscribed(NoticeTakenDown, heard.append),
        capture(execute=True),
    ):
        yield


def test_a_scheduled_notice_goes_up_at_its_start_and_down_at_its_end_with_its_proof(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    clerk = UserFactory()
    notice = draft()
    NoticeAttachmentFactory(notice=notice, file=StoredFileFactory(content=b"%PDF-1.4 Anlage A"))
    heard: list[object] = []
    with (
        time_machine.travel(START - dt.timedelta(days=3), tick=False),
        listening(capture, heard),
    ):
        publication.schedule(notice, clerk)
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SCHEDULED
        assert publication.run().put_up == []
    hash_before = publication.content_sha256(notice)

    up_at = START + dt.timedelta(seconds=40)
    with (
        time_machine.travel(up_at, tick=False),
        listening(capture, heard),
    ):
        assert publication.run().put_up == [notice.pk]
        notice.refresh_from_db()
        assert notice.status == Notice.Status.ON_DISPLAY
        assert notice.put_up_at == up_at
        assert [slide.title for slide in signage.get("noticeboard.notices").slides(
            notice.authority, {})] == [notice.title]  # fmt: skip
        assert publication.run().taken_down == []

    down_at = END + dt.timedelta(seconds=20)
    with (
        time_machine.travel(down_at, tick=False),
        listening(capture, heard),
    ):
        assert publication.run().taken_down == [notice.pk]
        assert signage.get("noticeboard.notices").slides(notice.authority, {}) == []
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ENDED
    assert notice.taken_down_at == down_at
    assert records(notice) == [("put_up", up_at), ("taken_down", down_at)]
    assert set(notice.display_records.values_list("content_sha256", flat=True)) == {hash_before}
    assert set(notice.display_records.values_list("by", flat=True)) == {"worker"}
    assert heard == [
        NoticePutUp(notice.pk, notice.authority_id, notice.category),
        NoticeTakenDown(notice.pk, notice.authority_id, withdrawn=False),
    ]
    actions = set(
        AuditEvent.objects.filter(object_id=str(notice.pk)).values_list("action", flat=True)
    )
    assert {"noticeboard.notice.scheduled", "noticeboard.notice.put_up",
            "noticeboard.notice.taken_down"} <= actions  # fmt: skip


def test_the_worker_job_is_registered_every_minute():
    job = next(job for job in housekeeping.registered() if job.name == "noticeboard.publication")
    assert job.every == dt.timedelta(minutes=1)
    notice = draft(status=Notice.Status.SCHEDULED)
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        assert "noticeboard.publication" in housekeeping.run_due()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ON_DISPLAY


def test_putting_up_twice_writes_one_record():
    notice = draft(status=Notice.Status.SCHEDULED)
    with time_machine.travel(START, tick=False):
        assert publication.put_up_due() == [notice.pk]
        assert publication.put_up_due() == []
        assert publication.put_up(notice, timezone.now()) is False
    assert notice.display_records.count() == 1
    with time_machine.travel(END, tick=False):
        assert publication.take_down_due() == [notice.pk]
        assert publication.take_down_due() == []
    assert records(notice) == [("put_up", START), ("taken_down", END)]


def test_a_record_written_elsewhere_stops_a_second_put_up():
    """The status check and the constraint "once per notice and event" both hold the line: a
    notice still marked scheduled whose record exists is not put up again."""
    notice = draft(status=Notice.Status.SCHEDULED)
    DisplayRecord.objects.create(notice=notice, event="put_up", at=START, content_sha256="0" * 64,
                                 by="worker")  # fmt: skip
    with time_machine.travel(START, tick=False):
        assert publication.put_up_due() == []
    assert notice.display_records.count() == 1


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"display_from": END, "display_until": START}, "endet, bevor sie beginnt"),
        (
            {
                "display_from": START - dt.timedelta(days=30),
                "display_until": START - dt.timedelta(days=2),
            },
            "vorbei",
        ),
        (
            {"display_from": START - dt.timedelta(days=14)},
            "Der Aushang kann nicht rückwirkend beginnen.",
        ),
        ({"signed_by": ""}, "Unterschrift"),
        ({"text": "  "}, "der Text"),
    ],
)
def test_scheduling_is_refused_with_the_reason(values, reason):
    notice = draft()
    # (the database refuses an end before the start; a notice read with one is checked too)
    for field, value in values.items():
        setattr(notice, field, value)
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        found = publication.problems(notice)
    assert any(reason in problem for problem in found), found


def test_scheduling_refused_leaves_a_draft():
    notice = draft(signed_by="")
    with (
        time_machine.travel(START - dt.timedelta(days=1), tick=False),
        pytest.raises(publication.PublicationRefused) as refused,
    ):
        publication.schedule(notice, UserFactory())
    assert "Unterschrift" in " ".join(refused.value.reasons)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT


def test_scheduling_a_notice_whose_start_is_now_puts_it_up_at_once():
    notice = draft()
    now = START + dt.timedelta(minutes=3)
    with time_machine.travel(now, tick=False):
        scheduled = publication.schedule(notice, UserFactory(username="amt"))
    assert scheduled.status == Notice.Status.ON_DISPLAY
    record = notice.display_records.get()
    assert (record.event, record.at) == ("put_up", now)
    assert record.by.startswith("amt")
    assert record.note == ""


def test_a_late_worker_notes_how_late_it_put_the_notice_up():
    notice = draft(status=Notice.Status.SCHEDULED)
    now = START + dt.timedelta(hours=2)
    with time_machine.travel(now, tick=False):
        assert publication.run().put_up == [notice.pk]
    record = notice.display_records.get()
    assert (record.event, record.at, record.by) == ("put_up", now, "worker")
    assert "120 Minuten" in record.note


def test_withdrawing_takes_a_notice_down_early_with_the_reason(
    django_capture_on_commit_callbacks,
):
    notice = draft(status=Notice.Status.SCHEDULED)
    with time_machine.travel(START, tick=False):
        publication.run()
    heard: list[object] = []
    withdrawn_at = START + dt.timedelta(days=2)
    with (
        time_machine.travel(withdrawn_at, tick=False),
        listening(django_capture_on_commit_callbacks, heard),
    ):
        with pytest.raises(publication.PublicationRefused):
            publication.withdraw(notice, UserFactory(), "   ")
        publication.withdraw(notice, UserFactory(username="amt"), "Fehler im Text")
        with pytest.raises(publication.PublicationRefused):
            publication.withdraw(notice, UserFactory(), "noch einmal")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    assert notice.withdrawn_reason == "Fehler im Text"
    assert notice.taken_down_at == withdrawn_at
    assert records(notice) == [("put_up", START), ("withdrawn", withdrawn_at)]
    assert notice.display_records.get(event="withdrawn").note == "Fehler im Text"
    assert heard == [NoticeTakenDown(notice.pk, notice.authority_id, withdrawn=True)]
    with time_machine.travel(END, tick=False):
        assert publication.take_down_due() == []


def test_the_content_hash_covers_what_the_notice_says():
    notice = draft()
    first = publication.content_sha256(notice)
    assert first == publication.content_sha256(Notice.objects.get(pk=notice.pk))
    notice.text += " Ergänzt."
    changed_text = publication.content_sha256(notice)
    assert changed_text != first
    NoticeAttachmentFactory(notice=notice, file=StoredFileFactory(content=b"%PDF-1.4 Anlage B"))
    assert publication.content_sha256(notice) != changed_text
    notice.display_until += dt.timedelta(days=1)
    assert len({first, changed_text, publication.content_sha256(notice)}) == 3


def test_the_screen_source_shows_notices_on_display_newest_first():
    source = signage.get("noticeboard.notices")
    assert source is not None
    older = NoticeFactory(title="Ältere", display_from=timezone.now() - dt.timedelta(days=5),
                          summary="", text="Erste Zeile\n\nZweite Zeile")  # fmt: skip
    newer = NoticeFactory(authority=older.authority, title="Neuere", category="budget")
    NoticeFactory(authority=older.authority, title="Entwurf", status=Notice.Status.DRAFT)
    slides = source.slides(older.authority, {})
    assert [slide.title for slide in slides] == ["Neuere", "Ältere"]
    assert str(slides[0].heading) == "Haushalt"
    assert slides[0].path == f"/bekanntmachungen/{newer.uid}/"
    assert slides[1].lines == ["Erste Zeile", "Zweite Zeile"]
    assert slides[0].facts[0].value == moment_in_words(newer.display_until, end=True)
    assert [slide.title for slide in source.slides(older.authority, {"limit": 1})] == ["Neuere"]


@time_machine.travel(dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC), tick=False)
def test_the_screen_words_an_end_at_midnight_as_the_public_page_does():
    # stored as midnight of 20.12.: the page says "bis 19.12.2026, 24:00 Uhr", so does the screen
    end = timezone.make_aware(dt.datetime(2026, 12, 20, 0, 0))
    notice = NoticeFactory(display_from=timezone.now() - dt.timedelta(days=1), display_until=end)
    source = signage.get("noticeboard.notices")
    assert source is not None
    [slide] = source.slides(notice.authority, {})
    assert slide.facts[0].value == "19.12.2026, 24:00 Uhr"
    assert "20.12.2026" not in slide.facts[0].value

"""The demo's e-files: every state of a file is there, loading twice adds nothing, the clerks
of the units see their files and the search finds the words of the demo's PDFs."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rathaus.core import demo as core_demo
from rathaus.core.demo import Tally
from rathaus.core.models import StoredFile
from rathaus.documents import access, demo, fulltext, retention, search
from rathaus.documents.demo_files import text_pdf
from rathaus.documents.models import Document, File, FileEvent, Version

pytestmark = [pytest.mark.django_db]


def user(username: str):
    return get_user_model().objects.get(username=username)


def test_the_demo_has_open_closed_and_held_files_with_documents_and_versions(barleben):
    files = File.objects.filter(authority=barleben)
    ended = retention.ended()

    to_destroy = retention.to_destroy(ended).filter(authority=barleben)
    to_archive = retention.to_archive(ended).filter(authority=barleben)
    assert [f.number for f in to_destroy] == ["10.41/2021/0001"]
    assert [f.number for f in to_archive] == ["10.40/2015/0001"]
    assert retention.refusal(to_destroy.get()) == ""
    held = files.exclude(hold_reason="")
    assert [f.number for f in held] == ["32.10/2025/0007"]
    assert "Verwaltungsgericht Magdeburg" in held.get().hold_reason
    assert files.filter(status=File.Status.OPEN, hold_reason="").count() == 3
    for file in files:
        assert 2 <= file.documents.count() <= 4, file.number
        assert file.closed_at is None or file.created_at < file.closed_at

    second = Version.objects.filter(document__file__in=files, number=2)
    assert second.count() == 2
    assert all(version.reason and version.final for version in second)
    assert not Version.objects.filter(document__in=[v.document for v in second], number=1,
                                      final=True).exists()  # fmt: skip
    versions = Version.objects.filter(document__file__in=files)
    assert {v.media_type for v in versions} == {"application/pdf"}
    assert {v.text_status for v in versions} == {Version.TextStatus.DONE}
    directions = set(Document.objects.filter(file__in=files).values_list("direction", flat=True))
    assert directions == {"in", "out", "internal"}


def test_loading_the_demo_twice_adds_nothing(barleben):
    models = (File, Document, Version, FileEvent, StoredFile)
    before = {model: model.objects.count() for model in models}

    tally, _logins = core_demo.load()

    assert {model: model.objects.count() for model in models} == before
    assert tally["E-file 10.40/2021/0001: unchanged"] == 1
    assert not tally.changed


def test_the_demo_loader_names_the_files_it_creates(db):
    tally, _logins = core_demo.load()

    created = sorted(key for key in tally if key.startswith("E-file"))
    assert created == [
        "E-file 10.40/2015/0001 (closed, retention ended, for the archive): created",
        "E-file 10.40/2021/0001 (open): created",
        "E-file 10.41/2021/0001 (closed, retention ended, for destruction): created",
        "E-file 32.10/2025/0007 (legal hold): created",
        "E-file 33.10/2025/0031 (open): created",
        "E-file 63.10/2022/0004 (open): created",
    ]
    assert tally["Document: created"] == Document.objects.count() == 16
    again = Tally()
    demo.load(again)
    assert again["Document: created"] == 0


def test_the_clerks_of_the_units_see_their_demo_files(barleben):
    visible = {
        name: set(access.visible_files(user(name)).values_list("number", flat=True))
        for name in ("buergerbuero", "ordnungsamt", "bauamt", "digitales")
    }
    assert visible["buergerbuero"] == {"33.10/2025/0031"}
    assert visible["ordnungsamt"] == {"32.10/2025/0007"}
    assert visible["bauamt"] == {"63.10/2022/0004"}
    assert visible["digitales"] == {"10.40/2021/0001", "10.40/2015/0001", "10.41/2021/0001"}
    for file in File.objects.filter(authority=barleben, org_unit__slug__startswith="digital"):
        assert access.manages(user("digitales"), file)
    assert access.manages(user("ordnungsamt"), File.objects.get(number="32.10/2025/0007"))


def test_the_search_finds_a_word_of_a_demo_pdf_only_for_those_who_see_the_file(barleben):
    hits = search.search(user("digitales"), "Campusnetz")
    assert {hit.file_number for hit in hits} == {"10.40/2021/0001"}
    assert "Vermerk zum Projektende und zur Weiternutzung des Campusnetzes" in {
        hit.title for hit in hits
    }
    assert search.search(user("bauamt"), "Rechtsbehelfsbelehrung") == []
    assert [hit.file_number for hit in search.search(user("ordnungsamt"), "Rechtsbehelfsbelehrung")
            ] == ["32.10/2025/0007"]  # fmt: skip


def test_the_demo_pdf_keeps_umlauts_quotes_and_brackets_readable():
    text = fulltext.read_text(
        text_pdf("Untersagungsverfügung", ["Imbiss „Börde-Grill“ (Breiteweg) – § 35 GewO"]),
        "application/pdf",
    )
    assert "Untersagungsverfügung" in text
    assert "Imbiss „Börde-Grill“ (Breiteweg) – § 35 GewO" in text


def test_two_demo_users_can_carry_out_the_four_eyes_deletion_of_the_due_demo_file(
    barleben, django_capture_on_commit_callbacks
):
    due = retention.to_destroy(retention.ended()).get(authority=barleben)
    clerk, administrator = user("digitalwerkstatt"), user("digitales")
    assert access.visible_files(clerk).filter(pk=due.pk).exists()
    assert not access.manages(clerk, due)

    request = retention.request_deletion(due, clerk, "Aufbewahrungsfrist abgelaufen")
    with django_capture_on_commit_callbacks(execute=True):
        record = retention.approve(request, administrator)

    assert record.file_number == "10.41/2021/0001"
    assert File.objects.get(pk=due.pk).status == File.Status.DESTROYED


def test_the_history_of_a_demo_file_tells_when_things_happened(barleben):
    file = File.objects.get(authority=barleben, number="10.41/2021/0001")
    events = list(FileEvent.objects.filter(file=file).order_by("at", "pk"))

    assert events[0].kind == "file_created"
    assert events[0].at == file.created_at
    closed = next(event for event in events if event.kind == "file_closed")
    assert closed.at == file.closed_at
    assert all(file.created_at <= event.at <= file.closed_at for event in events)

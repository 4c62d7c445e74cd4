"""The archive at /bekanntmachungen/archiv/: ended and withdrawn notices, newest first, with the
proof of display in words from the display records, by category and year, paged."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from rathaus.noticeboard.models import Category, DisplayRecord, Notice
from tests.factories import AuthorityFactory, NoticeFactory
from tests.factories.noticeboard import DisplayRecordFactory

pytestmark = pytest.mark.django_db

BERLIN = dt.timezone(dt.timedelta(hours=1))  # December: CET


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def shown(town, start: dt.datetime, end: dt.datetime, **fields) -> Notice:
    """A notice that was put up at ``start`` and taken down (or withdrawn) at ``end``."""
    fields.setdefault("status", Notice.Status.ENDED)
    withdrawn = fields["status"] == Notice.Status.WITHDRAWN
    notice = NoticeFactory(authority=town, display_from=start, display_until=end + dt.timedelta(
        days=1 if withdrawn else 0), put_up_at=start, taken_down_at=end, **fields)  # fmt: skip
    DisplayRecordFactory(notice=notice, event=DisplayRecord.Event.PUT_UP, at=start,
                         content_sha256="a" * 64)  # fmt: skip
    DisplayRecordFactory(
        notice=notice, at=end, content_sha256="a" * 64,
        event=DisplayRecord.Event.WITHDRAWN if withdrawn else DisplayRecord.Event.TAKEN_DOWN,
    )  # fmt: skip
    return notice


def get(path: str, status: int = 200) -> str:
    response = Client().get(path)
    assert response.status_code == status
    return response.content.decode()


def test_the_archive_shows_ended_and_withdrawn_notices_with_the_proof_in_words(town):
    shown(town, dt.datetime(2026, 12, 1, tzinfo=BERLIN), dt.datetime(2026, 12, 16, tzinfo=BERLIN),
          title="Haushaltssatzung 2027", category=Category.BUDGET)  # fmt: skip
    shown(town, dt.datetime(2026, 11, 2, 8, 0, tzinfo=BERLIN),
          dt.datetime(2026, 11, 5, 14, 12, tzinfo=BERLIN), title="Einladung Einwohnerversammlung",
          status=Notice.Status.WITHDRAWN, withdrawn_reason="Der Termin wurde verlegt.")  # fmt: skip
    NoticeFactory(authority=town, title="Hängt noch aus")
    NoticeFactory(authority=town, title="Entwurf", status=Notice.Status.DRAFT, put_up_at=None)
    NoticeFactory(authority=town, title="Nie ausgehängt", status=Notice.Status.WITHDRAWN,
                  put_up_at=None)  # fmt: skip
    shown(AuthorityFactory(), dt.datetime(2026, 1, 1, tzinfo=BERLIN),
          dt.datetime(2026, 1, 15, tzinfo=BERLIN), title="Anderer Ort")  # fmt: skip

    html = get("/bekanntmachungen/archiv/")

    assert html.index("Haushaltssatzung 2027") < html.index("Einladung Einwohnerversammlung")
    assert "Ausgehängt vom 01.12.2026, 00:00 Uhr bis 15.12.2026, 24:00 Uhr" in html
    assert (
        "Ausgehängt vom 02.11.2026, 08:00 Uhr bis 05.11.2026, 14:12 Uhr, dann zurückgezogen" in html
    )
    assert "Grund für das Zurückziehen: Der Termin wurde verlegt." in html
    assert '<details class="notices-proof">' in html
    assert f"<code>{'a' * 64}</code>" in html
    assert "Abgenommen: 15.12.2026, 24:00 Uhr" in html
    assert "2 Bekanntmachungen gefunden." in html
    for hidden in ("Hängt noch aus", "Entwurf", "Nie ausgehängt", "Anderer Ort"):
        assert hidden not in html


def test_the_archive_filters_by_category_and_year_and_refuses_a_bad_filter(town):
    shown(town, dt.datetime(2025, 3, 1, tzinfo=BERLIN), dt.datetime(2025, 3, 15, tzinfo=BERLIN),
          title="Wahlbekanntmachung 2025", category=Category.ELECTIONS)  # fmt: skip
    shown(town, dt.datetime(2026, 3, 1, tzinfo=BERLIN), dt.datetime(2026, 3, 15, tzinfo=BERLIN),
          title="Wahlbekanntmachung 2026", category=Category.ELECTIONS)  # fmt: skip
    shown(town, dt.datetime(2026, 4, 1, tzinfo=BERLIN), dt.datetime(2026, 4, 15, tzinfo=BERLIN),
          title="Hundesteuersatzung", category=Category.STATUTES)  # fmt: skip

    html = get("/bekanntmachungen/archiv/?bereich=wahlen&jahr=2026")
    assert "Wahlbekanntmachung 2026" in html
    assert "Wahlbekanntmachung 2025" not in html
    assert "Hundesteuersatzung" not in html
    assert 'href="?bereich=wahlen&amp;jahr=2025">2025</a>' in html

    html = get("/bekanntmachungen/archiv/?jahr=zweitausend&bereich=nirgends", status=400)
    assert "Bitte prüfen Sie den Filter." in html
    assert 'value="zweitausend"' in html  # what was typed is kept
    assert "Wahlbekanntmachung 2025" in html  # and the archive stays readable


def test_the_archive_pages_through_old_notices(town):
    start = dt.datetime(2026, 1, 1, tzinfo=BERLIN)
    for number in range(23):
        day = start + dt.timedelta(days=number)
        shown(town, day, day + dt.timedelta(days=14), title=f"Alte Bekanntmachung {number:02d}")

    first = get("/bekanntmachungen/archiv/")
    second = get("/bekanntmachungen/archiv/?seite=2")

    assert "Alte Bekanntmachung 22" in first
    assert "Alte Bekanntmachung 03" in first
    assert "Alte Bekanntmachung 02" not in first
    assert "Alte Bekanntmachung 02" in second
    assert "Seite 1 von 2" in first
    assert 'href="?seite=2"' in first


def test_a_notice_of_the_archive_shows_its_proof(town):
    notice = shown(town, dt.datetime(2026, 12, 1, tzinfo=BERLIN),
                   dt.datetime(2026, 12, 16, tzinfo=BERLIN), title="Bebauungsplan Nr. 12")  # fmt: skip

    html = get(f"/bekanntmachungen/{notice.uid}/")

    assert "Aushangfrist beendet" in html
    assert "Aushangnachweis" in html
    assert "Ausgehängt vom 01.12.2026, 00:00 Uhr bis 15.12.2026, 24:00 Uhr" in html


def test_the_proof_of_display_of_an_archived_notice_is_a_public_pdf_with_the_times(town):
    start, end = dt.datetime(2026, 12, 1, tzinfo=BERLIN), dt.datetime(2026, 12, 16, tzinfo=BERLIN)
    ended = shown(town, start, end, title="Haushaltssatzung 2027", category=Category.BUDGET)
    withdrawn = shown(town, start, end, title="Einladung", status=Notice.Status.WITHDRAWN,
                      withdrawn_reason="Der Termin wurde verlegt.")  # fmt: skip
    page = get("/bekanntmachungen/archiv/")
    assert f'href="/bekanntmachungen/{ended.uid}/aushangnachweis.pdf"' in page
    assert "Fingerabdruck" in page
    assert f'href="/bekanntmachungen/{ended.uid}/aushangnachweis.pdf"' in get(
        f"/bekanntmachungen/{ended.uid}/"
    )
    for notice in (ended, withdrawn):
        response = Client().get(f"/bekanntmachungen/{notice.uid}/aushangnachweis.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text = "".join(
            "".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "Aushangnachweis" in text
        assert notice.title.replace(" ", "") in text
        for moment in (start, end):
            with translation.override("de"):
                worded = formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
            assert "".join(worded.split()) in text
        assert "a" * 64 in text
        assert "Von" not in text  # who did each step is for staff only


def test_the_proof_pdf_of_a_notice_not_in_the_archive_is_404(town):
    on_display = NoticeFactory(authority=town)
    draft = NoticeFactory(authority=town, status=Notice.Status.DRAFT, put_up_at=None)
    never = NoticeFactory(authority=town, status=Notice.Status.WITHDRAWN, put_up_at=None)
    elsewhere = shown(AuthorityFactory(), dt.datetime(2026, 1, 1, tzinfo=BERLIN),
                      dt.datetime(2026, 1, 15, tzinfo=BERLIN))  # fmt: skip
    for notice in (on_display, draft, never, elsewhere):
        get(f"/bekanntmachungen/{notice.uid}/aushangnachweis.pdf", status=404)
    assert "aushangnachweis.pdf" not in get(f"/bekanntmachungen/{on_display.uid}/")

"""The public notices at /bekanntmachungen/: only what is on display now (by status and by time),
one notice with its text, signature and attachments, withdrawn notices with their reason, and
nothing of drafts or scheduled notices."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from rathaus.noticeboard.models import Category, Notice
from tests.factories import AuthorityFactory, NoticeAttachmentFactory, NoticeFactory
from tests.factories.core import StoredFileFactory

pytestmark = pytest.mark.django_db

BERLIN = dt.timezone(dt.timedelta(hours=1))  # December: CET
DEC_1 = dt.datetime(2026, 12, 1, 0, 0, tzinfo=BERLIN)
DEC_16 = dt.datetime(2026, 12, 16, 0, 0, tzinfo=BERLIN)


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def notice(town, **fields):
    fields.setdefault("display_from", DEC_1)
    fields.setdefault("display_until", DEC_16)
    fields.setdefault("put_up_at", fields["display_from"])
    return NoticeFactory(authority=town, **fields)


def page(path: str, status: int = 200) -> str:
    response = Client().get(path)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def test_the_list_shows_what_is_on_display_by_status_and_by_time(town):
    notice(town, title="Haushaltssatzung 2027", category=Category.BUDGET,
           summary="Der Haushalt für 2027 ist beschlossen.")  # fmt: skip
    notice(town, title="Entwurf Wahlbekanntmachung", status=Notice.Status.DRAFT, put_up_at=None)
    notice(town, title="Geplante Satzung", status=Notice.Status.SCHEDULED, put_up_at=None)
    notice(town, title="Beendete Bekanntmachung", status=Notice.Status.ENDED)
    notice(town, title="Zurückgezogene Bekanntmachung", status=Notice.Status.WITHDRAWN)
    # a late worker: still "on display" by status, but its period is over
    notice(town, title="Längst vorbei", display_from=DEC_1 - dt.timedelta(days=30),
           display_until=DEC_1 - dt.timedelta(days=1))  # fmt: skip
    notice(AuthorityFactory(), title="Anderer Ort")

    with time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN)):
        html = page("/bekanntmachungen/")

    assert "Haushaltssatzung 2027" in html
    assert "Der Haushalt für 2027 ist beschlossen." in html
    assert "Ausgehängt seit 01.12.2026, 00:00 Uhr, bis 15.12.2026, 24:00 Uhr" in html
    assert '<h2 class="kern-heading-medium" id="bereich-haushalt">Haushalt</h2>' in html
    assert "kern-badge" not in html  # the group heading names the category, no badge repeats it
    for hidden in ("Entwurf", "Geplante", "Beendete", "Zurückgezogene", "Längst vorbei",
                   "Anderer Ort"):  # fmt: skip
        assert hidden not in html
    assert 'rel="alternate" type="application/atom+xml"' in html
    assert 'href="/bekanntmachungen/archiv/"' in html
    assert 'href="/bekanntmachungen/abonnieren/"' in html


def test_a_notice_appears_and_disappears_with_its_period_even_if_the_worker_is_late(town):
    notice(town, title="Offenlage Bebauungsplan", category=Category.PLANNING)

    with time_machine.travel(DEC_1 - dt.timedelta(minutes=1)):
        assert "Offenlage Bebauungsplan" not in page("/bekanntmachungen/")
    with time_machine.travel(DEC_1):
        assert "Offenlage Bebauungsplan" in page("/bekanntmachungen/")
    with time_machine.travel(DEC_16 - dt.timedelta(seconds=1)):
        assert "Offenlage Bebauungsplan" in page("/bekanntmachungen/")
    with time_machine.travel(DEC_16):
        html = page("/bekanntmachungen/")
    assert "Offenlage Bebauungsplan" not in html
    assert "Zurzeit ist keine Bekanntmachung ausgehängt." in html


@time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN))
def test_the_list_filters_by_category_and_says_when_a_category_is_unknown(town):
    notice(town, title="Wahlbekanntmachung Bürgermeisterwahl", category=Category.ELECTIONS)
    notice(town, title="Hundesteuersatzung", category=Category.STATUTES)

    html = page("/bekanntmachungen/?bereich=wahlen")
    assert "Wahlbekanntmachung Bürgermeisterwahl" in html
    assert "Hundesteuersatzung" not in html
    assert 'aria-current="page">Wahlen</a>' in html
    assert 'href="/bekanntmachungen/feed.atom?bereich=wahlen"' in html
    assert 'href="/bekanntmachungen/abonnieren/?bereich=wahlen"' in html

    html = page("/bekanntmachungen/?bereich=unbekannt", status=400)
    assert "Diesen Bereich gibt es nicht." in html
    assert "Hundesteuersatzung" in html
    assert "Wahlbekanntmachung" in html


@time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=BERLIN))
def test_a_notice_shows_its_text_escaped_its_signature_period_and_attachments(town):
    shown = notice(
        town, title="Satzung über die Erhebung von Hundesteuer", category=Category.STATUTES,
        text="§ 1 Steuergegenstand\n\nGegenstand ist das Halten von Hunden.\n<script>x</script>",
        signed_place="Barleben", signed_on=dt.date(2026, 11, 28),
        signed_by="Der Bürgermeister\nMax Mustermann",
    )  # fmt: skip
    NoticeAttachmentFactory(notice=shown, title="Satzung im Wortlaut", position=1)
    NoticeAttachmentFactory(
        notice=shown, title="Lageplan", position=2,
        file=StoredFileFactory(name="plan.png", media_type="image/png", content=b"\x89PNG" * 300),
    )  # fmt: skip

    html = page(f"/bekanntmachungen/{shown.uid}/")

    assert '<h1 class="kern-heading-x-large">Satzung über die Erhebung von Hundesteuer</h1>' in html
    assert "<p>§ 1 Steuergegenstand</p>" in html
    assert "<p>Gegenstand ist das Halten von Hunden.<br>&lt;script&gt;x&lt;/script&gt;</p>" in html
    assert "Barleben, 28.11.2026<br>Der Bürgermeister<br>Max Mustermann" in html
    assert "Ausgehängt vom 01.12.2026, 00:00 Uhr bis 15.12.2026, 24:00 Uhr" in html
    assert 'Satzung im Wortlaut</a> <span class="kern-body--small">(PDF-Dokument,' in html
    assert 'Lageplan</a> <span class="kern-body--small">(PNG-Bild, 1,2\xa0KB)' in html
    assert html.index("Satzung im Wortlaut") < html.index("Lageplan")
    assert "Aushangnachweis" not in html  # the proof belongs to the archive


def test_drafts_and_scheduled_notices_and_their_attachments_are_404(town):
    for status in (Notice.Status.DRAFT, Notice.Status.SCHEDULED):
        hidden = notice(town, status=status, put_up_at=None,
                        display_from=dt.datetime.now(dt.UTC) - dt.timedelta(days=1))  # fmt: skip
        attachment = NoticeAttachmentFactory(notice=hidden)
        page(f"/bekanntmachungen/{hidden.uid}/", status=404)
        page(f"/bekanntmachungen/{hidden.uid}/anlagen/{attachment.pk}/", status=404)
    # withdrawn before it was ever put up: never public
    never = notice(town, status=Notice.Status.WITHDRAWN, put_up_at=None)
    page(f"/bekanntmachungen/{never.uid}/", status=404)
    # another portal's notice
    other = NoticeFactory(authority=AuthorityFactory())
    page(f"/bekanntmachungen/{other.uid}/", status=404)


def test_attachments_of_notices_on_display_and_in_the_archive_download(town):
    for status in (Notice.Status.ON_DISPLAY, Notice.Status.ENDED, Notice.Status.WITHDRAWN):
        shown = NoticeFactory(authority=town, status=status)
        attachment = NoticeAttachmentFactory(notice=shown)
        response = Client().get(f"/bekanntmachungen/{shown.uid}/anlagen/{attachment.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        # an attachment of another notice is not reachable through this one
        foreign = NoticeAttachmentFactory(notice=NoticeFactory(authority=town))
        page(f"/bekanntmachungen/{shown.uid}/anlagen/{foreign.pk}/", status=404)


def test_a_withdrawn_notice_says_so_and_why(town):
    withdrawn = notice(
        town, title="Einladung Einwohnerversammlung", status=Notice.Status.WITHDRAWN,
        withdrawn_reason="Der Termin wurde verlegt; eine neue Einladung folgt.",
        taken_down_at=dt.datetime(2026, 12, 3, 9, 30, tzinfo=BERLIN),
    )  # fmt: skip

    html = page(f"/bekanntmachungen/{withdrawn.uid}/")

    assert "Diese Bekanntmachung wurde zurückgezogen" in html
    assert "Zurückgezogen am 03.12.2026, 09:30." in html
    assert "Der Termin wurde verlegt; eine neue Einladung folgt." in html
    assert 'href="/bekanntmachungen/archiv/"' in html  # the breadcrumbs lead to the archive

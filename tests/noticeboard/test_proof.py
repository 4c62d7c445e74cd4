"""The proof of display (Aushangnachweis): a PDF stating the notice, the period prescribed, when
it was actually put up and taken down, the content's hash and the attachments with theirs;
offered to staff once the display has ended, as text on the staff page at any time."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.test import Client
from django.utils import formats, timezone, translation
from pypdf import PdfReader

from rathaus.core import roles
from rathaus.noticeboard import proof, publication
from rathaus.noticeboard.keepers import ROLE
from rathaus.noticeboard.models import Notice
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory, StoredFileFactory
from tests.factories.noticeboard import NoticeAttachmentFactory, NoticeFactory
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=dt.UTC)
END = dt.datetime(2026, 11, 16, 0, 0, tzinfo=dt.UTC)


def keeper(town) -> Client:
    user = clerk_of(OrgUnitFactory(authority=town, name="Hauptamt"), "hauptamt", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), "hauptamt", PASSWORD)


def shown(notice: Notice, up: dt.datetime, down: dt.datetime) -> None:
    with time_machine.travel(up, tick=False):
        publication.run()
    with time_machine.travel(down, tick=False):
        publication.run()
    notice.refresh_from_db()


def words(moment: dt.datetime) -> str:
    with translation.override("de"):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_the_proof_pdf_states_the_period_the_real_times_and_the_hashes():
    town = AuthorityFactory(name="Gemeinde Barleben")
    notice = NoticeFactory(authority=town, title="Satzung über Gebühren", category="statutes",
                           display_from=START, display_until=END,
                           status=Notice.Status.SCHEDULED, put_up_at=None)  # fmt: skip
    attachment = NoticeAttachmentFactory(notice=notice, title="Gebührentabelle",
                                         file=StoredFileFactory(content=b"%PDF-1.4 Tabelle"))  # fmt: skip
    up, down = START + dt.timedelta(seconds=35), END + dt.timedelta(seconds=50)
    shown(notice, up, down)
    assert proof.available(notice)
    client = keeper(town)
    response = client.get(f"/verwaltung/bekanntmachungen/{notice.pk}/aushangnachweis.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"aushangnachweis-{notice.uid}.pdf" in response["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert "Aushangnachweis" in text
    assert "Satzung über Gebühren" in text
    assert "Satzungen und Verordnungen" in text
    for moment in (START, END, up, down):
        assert "".join(words(moment).split()) in flat, words(moment)
    assert publication.content_sha256(notice) in flat
    assert attachment.file.sha256 in flat
    assert "Gebührentabelle" in text
    assert "14Tg.0Std.0Min." in flat


def test_the_proof_is_text_on_the_staff_page_at_any_time_and_a_pdf_only_at_the_end():
    town = AuthorityFactory()
    client = keeper(town)
    notice = NoticeFactory(authority=town, status=Notice.Status.SCHEDULED, put_up_at=None)
    publication.run()
    page = client.get(f"/verwaltung/bekanntmachungen/{notice.pk}/").content.decode()
    assert "Aushangnachweis" in page
    assert words(notice.display_from) in page
    assert "wie aufgezeichnet" in page
    assert client.get(f"/verwaltung/bekanntmachungen/{notice.pk}/aushangnachweis.pdf"
                      ).status_code == 404  # fmt: skip
    assert "aushangnachweis.pdf" not in page

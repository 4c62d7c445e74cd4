"""Staff keep the official notices (/verwaltung/bekanntmachungen/): write a draft, attach files
through the upload checks, schedule, withdraw with a reason; a published notice is not edited;
only superusers, administrators and the role "Bekanntmachungen" of the authority."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.core.scanning import ScanResult
from rathaus.noticeboard import publication
from rathaus.noticeboard.keepers import ROLE
from rathaus.noticeboard.models import Notice, NoticeAttachment
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.noticeboard import NoticeAttachmentFactory, NoticeFactory
from tests.support import clerk_of, log_in, pdf

pytestmark = pytest.mark.django_db
LIST = "/verwaltung/bekanntmachungen/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def keeper(town, username="hauptamt", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Hauptamt")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def form(**changes) -> dict[str, str]:
    start = timezone.localtime() + dt.timedelta(days=2)
    data = {
        "title": "Satzung über die Straßenreinigung", "category": "statutes",
        "summary": "Neue Regeln für den Winterdienst.", "text": "§ 1 Geltungsbereich …",
        "display_from": start.strftime("%Y-%m-%dT%H:%M"),
        "display_until": (start + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "signed_place": "Barleben", "signed_on": timezone.localdate().isoformat(),
        "signed_by": "Der Bürgermeister",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_keeper_writes_schedules_and_the_worker_puts_it_up(town):
    client = keeper(town)
    assert 'href="/verwaltung/bekanntmachungen/"' in client.get("/verwaltung/").content.decode()
    assert client.get(f"{LIST}neu/").status_code == 200
    saved = client.post(f"{LIST}neu/", form())
    assert saved.status_code == 302
    notice = Notice.objects.get(title="Satzung über die Straßenreinigung")
    assert (notice.authority, notice.status) == (town, Notice.Status.DRAFT)

    page = client.get(saved["Location"]).content.decode()
    assert "Zur Veröffentlichung einplanen" in page
    assert "Noch nicht ausgehängt." in page
    client.post(f"{LIST}{notice.pk}/planen/")
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SCHEDULED
    listed = client.get(f"{LIST}?status=geplant").content.decode()
    assert notice.title in listed
    assert notice.title not in client.get(f"{LIST}?status=aushang").content.decode()

    with time_machine.travel(notice.display_from, tick=False):
        publication.run()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ON_DISPLAY
    assert notice.title in client.get(f"{LIST}?status=aushang").content.decode()
    history = client.get(f"{LIST}{notice.pk}/").content.decode()
    assert "Aushangprotokoll" in history
    assert publication.content_sha256(notice) in history
    assert "Vorzeitig zurückziehen" in history
    actions = set(
        AuditEvent.objects.filter(object_id=str(notice.pk)).values_list("action", flat=True)
    )
    assert {"noticeboard.notice.created", "noticeboard.notice.scheduled"} <= actions


def test_scheduling_with_the_end_before_the_start_is_refused(town):
    client = keeper(town)
    start = timezone.localtime() + dt.timedelta(days=2)
    refused = client.post(f"{LIST}neu/", form(display_until=(start - dt.timedelta(days=1))
                                              .strftime("%Y-%m-%dT%H:%M")))  # fmt: skip
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Das Ende muss nach dem Beginn liegen." in page
    assert "Neue Regeln für den Winterdienst." in page  # nothing typed is lost
    assert not Notice.objects.exists()

    unsigned = NoticeFactory(authority=town, status=Notice.Status.DRAFT, signed_by="")
    response = client.post(f"{LIST}{unsigned.pk}/planen/", follow=True)
    assert "kann nicht eingeplant werden" in response.content.decode()
    assert "die Unterschrift" in response.content.decode()
    unsigned.refresh_from_db()
    assert unsigned.status == Notice.Status.DRAFT


def test_a_published_notice_is_not_edited_and_a_scheduled_one_goes_back_to_draft(town):
    client = keeper(town)
    shown = NoticeFactory(authority=town, title="Haushaltssatzung 2027")
    refused = client.post(f"{LIST}{shown.pk}/", form(title="Geänderter Titel"))
    assert refused.status_code == 409
    assert "Ziehen Sie sie zurück und veröffentlichen Sie eine Berichtigung" in (
        refused.content.decode()
    )
    shown.refresh_from_db()
    assert shown.title == "Haushaltssatzung 2027"
    upload = SimpleUploadedFile("plan.pdf", pdf(), content_type="application/pdf")
    client.post(f"{LIST}{shown.pk}/anlagen/", {"title": "Plan", "file": upload})
    assert not shown.attachments.exists()

    start = timezone.now() + dt.timedelta(days=3)
    planned = NoticeFactory(authority=town, status=Notice.Status.SCHEDULED, put_up_at=None,
                            display_from=start, display_until=start + dt.timedelta(days=14))  # fmt: skip
    changed = client.post(f"{LIST}{planned.pk}/", form(title="Berichtigter Titel"), follow=True)
    assert "wieder ein Entwurf" in changed.content.decode()
    planned.refresh_from_db()
    assert (planned.title, planned.status) == ("Berichtigter Titel", Notice.Status.DRAFT)


def test_withdrawing_asks_for_the_reason_and_records_it(town):
    client = keeper(town)
    notice = NoticeFactory(authority=town, status=Notice.Status.SCHEDULED, put_up_at=None)
    publication.run()
    page = client.get(f"{LIST}{notice.pk}/zurueckziehen/")
    assert page.status_code == 200
    assert "Grund für das Zurückziehen" in page.content.decode()
    empty = client.post(f"{LIST}{notice.pk}/zurueckziehen/", {"reason": "  "})
    assert empty.status_code == 422
    notice.refresh_from_db()
    assert notice.status == Notice.Status.ON_DISPLAY
    client.post(f"{LIST}{notice.pk}/zurueckziehen/", {"reason": "Falsches Datum im Text"})
    notice.refresh_from_db()
    assert notice.status == Notice.Status.WITHDRAWN
    assert notice.display_records.get(event="withdrawn").note == "Falsches Datum im Text"
    edit = client.get(f"{LIST}{notice.pk}/").content.decode()
    assert "Falsches Datum im Text" in edit
    assert f"{LIST}{notice.pk}/aushangnachweis.pdf" in edit


def test_attachments_pass_the_upload_checks_and_a_refusal_keeps_what_was_typed(town):
    client = keeper(town)
    notice = NoticeFactory(authority=town, status=Notice.Status.DRAFT, put_up_at=None)
    url = f"{LIST}{notice.pk}/anlagen/"
    upload = SimpleUploadedFile("satzung.pdf", pdf(), content_type="application/pdf")
    assert client.post(url, {"title": "Satzung im Wortlaut", "file": upload}).status_code == 302
    image = SimpleUploadedFile("plan.png", b"not a png at all", content_type="image/png")
    refused = client.post(url, {"title": "Übersichtsplan Nr. 42", "file": image})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert 'value="Übersichtsplan Nr. 42"' in page
    assert 'id="id_file_error"' in page
    infected = SimpleUploadedFile("virus.pdf", pdf(), content_type="application/pdf")
    with mock.patch("rathaus.core.scanning.NoScanner.scan",
                    return_value=ScanResult(clean=False, signature="Eicar")):  # fmt: skip
        found = client.post(url, {"title": "Virus", "file": infected})
    assert found.status_code == 422
    assert "Schadsoftware" in found.content.decode()
    assert list(notice.attachments.values_list("title", flat=True)) == ["Satzung im Wortlaut"]
    stored = notice.attachments.get()
    download = client.get(f"{url}{stored.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert Client().get(f"{url}{stored.pk}/").status_code == 302  # to the login

    second = NoticeAttachmentFactory(notice=notice, title="Anlage 2", position=5)
    first = notice.attachments.get(title="Satzung im Wortlaut")
    client.post(f"{url}{second.pk}/verschieben/", {"richtung": "hoch"})
    assert list(notice.attachments.values_list("title", flat=True)) == [
        "Anlage 2", "Satzung im Wortlaut"
    ]  # fmt: skip
    client.post(f"{url}{first.pk}/entfernen/")
    assert list(notice.attachments.values_list("title", flat=True)) == ["Anlage 2"]
    assert not NoticeAttachment.objects.filter(pk=first.pk).exists()


def test_a_clerk_and_other_authorities_are_kept_out(town):
    foreign = NoticeFactory(authority=AuthorityFactory(slug="wolmirstedt"))
    clerk = keeper(town, "buergerbuero", role=roles.CLERK)
    assert clerk.get(LIST).status_code == 403
    assert "/verwaltung/bekanntmachungen/" not in clerk.get("/verwaltung/").content.decode()
    client = keeper(town, "hauptamt")
    assert client.get(f"{LIST}{foreign.pk}/").status_code == 404
    assert client.post(f"{LIST}{foreign.pk}/zurueckziehen/", {"reason": "x"}).status_code == 404
    assert client.get(f"{LIST}{foreign.pk}/aushangnachweis.pdf").status_code == 404
    assert Client().get(LIST).status_code == 302  # to the login


def test_an_administrator_keeps_the_notices_too(town):
    client = keeper(town, "digital", role=roles.ADMINISTRATOR)
    NoticeFactory(authority=town, title="Wahlbekanntmachung")
    assert "Wahlbekanntmachung" in client.get(LIST).content.decode()


def test_the_notices_and_the_screens_link_to_each_other_as_sections(town):
    client = keeper(town)
    notices = client.get(LIST).content.decode()
    screens_tab = f'href="{LIST}anzeigen/?behoerde=barleben"'
    assert screens_tab in notices
    assert 'aria-current="page"><span class="kern-label">Bekanntmachungen</span>' in notices
    screens = client.get(f"{LIST}anzeigen/?behoerde=barleben")
    assert screens.status_code == 200
    page = screens.content.decode()
    assert f'href="{LIST}?behoerde=barleben"' in page
    assert 'aria-current="page"><span class="kern-label">Anzeigen im Ort</span>' in page

"""The council's start page (/rat/) and a meeting's page: next and last meetings, the month
calendar, the filter by committee, a meeting with its place, files and agenda — nothing
deleted, nothing of a non-public agenda item."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from rathaus.council.models import Meeting
from tests.factories import (
    AgendaItemFactory,
    AuthorityFactory,
    BodyFactory,
    CouncilFileFactory,
    CouncilLocationFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
)
from tests.factories.council import ConsultationFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=BERLIN)


def berlin(month: int, day: int, hour: int = 18, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def town(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "barleben"
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


@pytest.fixture
def body(town):
    return BodyFactory(authority=town, name="Gemeinderat Barleben")


def meeting(body, name: str, start: dt.datetime, **fields) -> Meeting:
    return MeetingFactory(body=body, name=name, start=start, end=start + dt.timedelta(hours=3),
                          **fields)  # fmt: skip


def test_the_start_page_shows_next_and_last_meetings(body):
    council = OrganizationFactory(body=body, name="Gemeinderat")
    next_one = meeting(body, "5. Sitzung des Gemeinderates", berlin(12, 15))
    next_one.organizations.add(council)
    meeting(body, "Abgesagte Sitzung", berlin(12, 10), cancelled=True)
    meeting(body, "4. Sitzung des Gemeinderates", berlin(11, 10),
            meeting_state=Meeting.State.HELD)  # fmt: skip
    meeting(body, "Gelöschte Sitzung", berlin(12, 20), deleted=True)
    meeting(BodyFactory(), "Sitzung woanders", berlin(12, 16))

    response = Client().get("/rat/")

    assert response.status_code == 200
    page = response.content.decode()
    upcoming = page.split('id="naechste"')[1].split('id="kalender"')[0]
    assert "5. Sitzung des Gemeinderates" in upcoming
    assert "Dienstag, 15. Dezember 2026, 18:00 bis 21:00 Uhr" in upcoming
    assert "Gemeinderat" in upcoming
    assert "Rathaus, Ratssaal" in upcoming
    assert upcoming.index("Abgesagte Sitzung") < upcoming.index("5. Sitzung")
    assert "abgesagt" in upcoming.split("Abgesagte Sitzung")[1].split("</li>")[0].lower()
    last = page.split('id="letzte"')[1]
    assert "4. Sitzung des Gemeinderates" in last
    assert "Tagesordnung und Ergebnisse" in last
    assert "Gelöschte Sitzung" not in page
    assert "Sitzung woanders" not in page
    for address in ("/rat/vorlagen/", "/rat/personen/", "/rat/gremien/", "/rat/sitzungen.ics"):
        assert f'href="{address}' in page


def test_the_month_calendar_shows_the_chosen_month_with_links_to_the_next(body):
    meeting(body, "Januarsitzung", berlin(1, 21, year=2027))
    meeting(body, "Dezembersitzung", berlin(12, 15))

    client = Client()
    january = client.get("/rat/?monat=2027-01").content.decode()
    grid = january.split('class="council-month"')[1].split("</table>")[0]
    assert "Januarsitzung" in grid
    assert "Dezembersitzung" not in grid
    assert "Kalender: Januar 2027" in january
    assert 'href="?monat=2026-12#kalender"' in january
    assert 'href="?monat=2027-02#kalender"' in january
    phone_list = january.split('class="council-month-list"')[1].split("</div>")[0]
    assert "Januarsitzung" in phone_list
    assert "Donnerstag, 21. Januar 2027" in phone_list

    today = client.get("/rat/").content.decode()
    assert "Kalender: Dezember 2026" in today
    assert 'aria-current="date"' in today


def test_a_bad_month_or_committee_is_answered_with_a_message(body):
    meeting(body, "Dezembersitzung", berlin(12, 15))
    client = Client()

    month = client.get("/rat/?monat=2026-13")
    assert month.status_code == 400
    assert "Bitte geben Sie den Monat" in month.content.decode()
    assert "Kalender: Dezember 2026" in month.content.decode()
    committee = client.get("/rat/?gremium=999999")
    assert committee.status_code == 400
    assert "Bitte wählen Sie ein Gremium aus der Liste." in committee.content.decode()
    assert "Dezembersitzung" in committee.content.decode()


def test_the_filter_by_committee_keeps_the_month(body):
    building = OrganizationFactory(body=body, name="Bauausschuss")
    social = OrganizationFactory(body=body, name="Sozialausschuss")
    meeting(body, "Bauausschuss tagt", berlin(12, 14)).organizations.add(building)
    meeting(body, "Sozialausschuss tagt", berlin(12, 16)).organizations.add(social)

    page = Client().get(f"/rat/?gremium={building.pk}&monat=2026-12").content.decode()

    assert "Bauausschuss tagt" in page
    assert "Sozialausschuss tagt" not in page
    assert f'href="?gremium={building.pk}&amp;monat=2027-01#kalender"' in page
    assert f'href="/rat/sitzungen.ics?gremium={building.pk}"' in page


def test_without_a_council_the_pages_say_so(town):
    for address in ("/rat/", "/rat/vorlagen/", "/rat/personen/", "/rat/gremien/"):
        response = Client().get(address)
        assert response.status_code == 200
        assert "noch nicht veröffentlicht" in response.content.decode()
    assert Client().get("/rat/sitzungen/1/").status_code == 404
    assert Client().get("/rat/sitzungen.ics").status_code == 404


def test_a_meeting_shows_place_state_files_and_agenda(body):
    council = OrganizationFactory(body=body, name="Gemeinderat")
    place = CouncilLocationFactory(body=body, description="Rathaus", room="Ratssaal",
                                   street_address="Ernst-Thälmann-Straße 22",
                                   postal_code="39179", locality="Barleben")  # fmt: skip
    invitation = CouncilFileFactory(body=body, name="Einladung zur 4. Sitzung")
    minutes = CouncilFileFactory(body=body, name="Ergebnisprotokoll", deleted=True)
    held = meeting(body, "4. Sitzung des Gemeinderates", berlin(11, 10), location=place,
                   meeting_state=Meeting.State.HELD, invitation=invitation,
                   results_protocol=minutes)  # fmt: skip
    held.organizations.add(council)
    paper = PaperFactory(body=body, reference="BV-0081/2020", name="Haushaltssatzung 2027")
    item = AgendaItemFactory(body=body, meeting=held, number="5.", order=5,
                             name="Haushaltssatzung 2027", result="einstimmig beschlossen",
                             resolution_text="Der Gemeinderat beschließt die Satzung.")  # fmt: skip
    ConsultationFactory(body=body, meeting=held, agenda_item=item, paper=paper)
    AgendaItemFactory(body=body, meeting=held, number="9.", order=9, public=False,
                      name="Grundstück Geheimweg 3", result="Verkauf beschlossen",
                      resolution_text="Vertraulich")  # fmt: skip
    AgendaItemFactory(body=body, meeting=held, number="10.", order=10, name="Gelöschter Punkt",
                      deleted=True)  # fmt: skip

    response = Client().get(f"/rat/sitzungen/{held.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Dienstag, 10. November 2026, 18:00 bis 21:00 Uhr" in page
    assert "Durchgeführt" in page
    assert "Ernst-Thälmann-Straße 22" in page
    assert "39179 Barleben" in page
    assert f'href="/rat/gremien/{council.pk}/"' in page
    assert "Einladung zur 4. Sitzung" in page
    assert "Ergebnisprotokoll" not in page
    assert "einstimmig beschlossen" in page
    assert "Der Gemeinderat beschließt die Satzung." in page
    assert f'href="/rat/vorlagen/{paper.pk}/"' in page
    assert "BV-0081/2020" in page
    assert "Nicht öffentlich" in page
    for secret in ("Geheimweg", "Verkauf beschlossen", "Vertraulich", "Gelöschter Punkt"):
        assert secret not in page
    assert f'href="/rat/sitzungen/{held.pk}/termin.ics"' in page


def test_a_cancelled_meeting_says_so(body):
    cancelled = meeting(body, "Sondersitzung", berlin(12, 18), cancelled=True)
    page = Client().get(f"/rat/sitzungen/{cancelled.pk}/").content.decode()
    assert "Diese Sitzung wurde abgesagt." in page
    assert "Abgesagt" in page


def test_unknown_deleted_and_foreign_meetings_are_not_found(body):
    deleted = meeting(body, "Gelöscht", berlin(12, 18), deleted=True)
    foreign = meeting(BodyFactory(), "Woanders", berlin(12, 18))
    client = Client()
    for pk in (deleted.pk, foreign.pk, 999999):
        assert client.get(f"/rat/sitzungen/{pk}/").status_code == 404


def test_file_links_lead_to_the_oparl_access_address_or_the_source(body):
    imported = CouncilFileFactory(body=body, name="Einladung", stored=None,
                                  external_download_url="https://ris.example/d/1")  # fmt: skip
    lost = CouncilFileFactory(body=body, name="Protokoll ohne Adresse", stored=None)
    here = CouncilFileFactory(body=body, name="Wortprotokoll")
    held = meeting(body, "Sitzung", berlin(11, 10), invitation=imported, results_protocol=lost,
                   verbatim_protocol=here)  # fmt: skip

    page = Client().get(f"/rat/sitzungen/{held.pk}/").content.decode()

    # imported without its content: the source's address (ours would answer 404)
    assert 'href="https://ris.example/d/1"' in page
    assert f"/oparl/v1/file/{imported.pk}/" not in page
    assert "Protokoll ohne Adresse <span" in page
    assert "nicht online verfügbar" in page
    assert f'href="{reverse("oparl:file-access", args=[here.pk])}"' in page


def title_of(response) -> str:
    return response.content.decode().split("<title>")[1].split("</title>")[0]


def test_titles_name_the_portal_once(body):
    start = meeting(body, "5. Sitzung des Gemeinderates", berlin(12, 15))

    index = Client().get("/rat/")
    page = Client().get(reverse("council:meeting", args=[start.pk]))

    assert title_of(index) == "Ratsinformation – Gemeinde Barleben"
    assert '<h1 class="kern-heading-x-large">Ratsinformation</h1>' in index.content.decode()
    assert title_of(page) == "5. Sitzung des Gemeinderates – Ratsinformation – Gemeinde Barleben"


def test_meeting_times_are_worded_in_the_language_of_the_page():
    from django.utils import translation

    from rathaus.council.public import period_in_words, when_in_words

    start, end = berlin(12, 13), berlin(12, 13, hour=20) + dt.timedelta(minutes=30)
    with translation.override("en"):
        assert when_in_words(start, end) == "Sunday 13 December 2026, 18:00 to 20:30"
        assert when_in_words(start, None) == "Sunday 13 December 2026, 18:00"
        assert period_in_words(dt.date(2024, 7, 1), None) == "since 1 July 2024"
    with translation.override("de"):
        assert when_in_words(start, end) == "Sonntag, 13. Dezember 2026, 18:00 bis 20:30 Uhr"
        assert when_in_words(start, end + dt.timedelta(days=1)) == (
            "Sonntag, 13. Dezember 2026, 18:00 Uhr bis Montag, 14. Dezember 2026, 20:30 Uhr"
        )
        assert period_in_words(dt.date(2024, 7, 1), None) == "seit 1. Juli 2024"

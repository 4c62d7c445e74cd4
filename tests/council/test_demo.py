"""The Barleben demo has a council: the Gemeinderat with the committees and factions, invented
members, meetings held and to come (one cancelled), the papers about the digital projects with
their real numbers, each with a PDF whose text is set; loading again changes nothing; the demo's
Standesamt clerk keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from rathaus.core.demo import BARLEBEN_AGS, Tally
from rathaus.core.files import open_blob
from rathaus.council import demo, keepers
from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from tests.support import log_in

pytestmark = pytest.mark.django_db
MODELS = (Body, LegislativeTerm, Organization, Person, Membership, Meeting, AgendaItem, Paper,
          Consultation, File)  # fmt: skip


def test_the_demo_council_has_its_committees_factions_and_members(barleben):
    body = Body.objects.get(authority=barleben)
    assert body.ags == BARLEBEN_AGS
    term = LegislativeTerm.objects.get(body=body, name="Wahlperiode 2024–2029")
    assert (term.start_date.year, term.end_date.year) == (2024, 2029)
    committees = set(Organization.objects.filter(
        body=body, organization_type=Organization.Type.COMMITTEE).values_list("name", flat=True))  # fmt: skip
    assert committees == {"Gemeinderat", "Hauptausschuss", "Bauausschuss", "Sozialausschuss",
                          "Finanzausschuss"}  # fmt: skip
    factions = Organization.objects.filter(body=body, organization_type="Fraktion")
    assert 3 <= factions.count() <= 4
    council = Membership.objects.filter(organization__name="Gemeinderat", organization__body=body)
    assert council.count() >= 20
    chair = council.get(role="Vorsitzender").person
    assert chair.status == ["Bürgermeister"]
    # every council member sits for a faction; the Ratssaal is at the town hall's address
    assert not council.exclude(person=chair).filter(on_behalf_of__isnull=True).exists()
    saal = Organization.objects.get(body=body, name="Gemeinderat").location
    assert (saal.room, saal.street_address) == ("Ratssaal", barleben.street)
    # invented people only: none of the names in the real papers
    names = " ".join(Person.objects.filter(body=body).values_list("name", flat=True))
    for real in ("Hagemann", "Nase", "Schreiber"):
        assert real not in names


def test_the_demo_has_meetings_before_and_after_today(barleben):
    now = timezone.now()
    meetings = Meeting.objects.filter(body__authority=barleben)
    held = meetings.filter(meeting_state=Meeting.State.HELD, start__lt=now)
    assert held.filter(start__gt=now - dt.timedelta(days=40)).count() >= 3
    coming = meetings.filter(start__gt=now, start__lt=now + dt.timedelta(days=35))
    assert coming.filter(cancelled=False).count() >= 3
    assert coming.filter(cancelled=True).count() == 1
    assert not meetings.filter(start__gt=now, meeting_state=Meeting.State.HELD).exists()
    recent = held.filter(start__gt=now - dt.timedelta(days=40))
    assert not recent.filter(results_protocol__isnull=True).exists()
    assert AgendaItem.objects.filter(meeting__in=held).exclude(result="").exists()
    assert AgendaItem.objects.filter(meeting__body__authority=barleben, public=False).exists()


def test_the_digital_projects_papers_follow_the_real_consultations(barleben):
    references = set(Paper.objects.filter(body__authority=barleben)
                     .values_list("reference", flat=True))  # fmt: skip
    assert {"IV-0012/2020", "BV-0081/2020", "BV-0082/2020", "BV-0083/2020",
            "IV-003/2022"} <= references  # fmt: skip
    overview = Paper.objects.get(body__authority=barleben, reference="IV-0012/2020")
    assert overview.name.startswith("Vorgelagerte Gesamtübersicht aller Digitalisierungsprojekte")
    steps = [
        (c.meeting.organizations.get().name, c.meeting.start.date())
        for c in overview.consultations.select_related("meeting").order_by("meeting__start")
    ]
    assert steps == [
        ("Bauausschuss", dt.date(2020, 12, 1)),
        ("Sozialausschuss", dt.date(2020, 12, 2)),
        ("Finanzausschuss", dt.date(2020, 12, 3)),
        ("Hauptausschuss", dt.date(2020, 12, 8)),
        ("Gemeinderat", dt.date(2020, 12, 15)),
    ]
    assert all(c.agenda_item.result == "zur Kenntnis genommen"
               for c in overview.consultations.all())  # fmt: skip


def test_every_demo_paper_has_a_pdf_whose_text_is_set(barleben):
    papers = Paper.objects.filter(body__authority=barleben).select_related("main_file__stored")
    assert papers.count() >= 7
    for paper in papers:
        file = paper.main_file
        assert file is not None, paper
        assert file.text_state == File.TextState.DONE, paper
        assert paper.reference in file.text, paper
        assert file.mime_type == "application/pdf"
        assert file.size == file.stored.size
        with open_blob(file.stored.key) as handle:
            assert paper.reference in PdfReader(handle).pages[0].extract_text(), paper


def test_loading_again_changes_nothing(barleben):
    before = {model.__name__: model.objects.count() for model in MODELS}
    tally = Tally()
    demo.load(tally)
    assert not tally.changed, {key: n for key, n in tally.items() if "unchanged" not in key}
    assert tally["Council Paper: unchanged"] == before["Paper"]
    assert {model.__name__: model.objects.count() for model in MODELS} == before


def test_the_demo_clerk_of_the_standesamt_keeps_the_council(barleben):
    from django.contrib.auth import get_user_model

    assert keepers.may_keep(get_user_model().objects.get(username="standesamt"), barleben)
    assert not keepers.may_keep(get_user_model().objects.get(username="bauamt"), barleben)
    page = log_in(Client(), "standesamt").get("/verwaltung/rat/personen/")
    assert page.status_code == 200
    assert "Rainer Rathausmann" in page.content.decode()

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


def test_demo_meetings_are_on_weekday_evenings_outside_the_holidays(barleben):
    local = [timezone.localtime(m.start) for m in Meeting.objects.filter(body__authority=barleben)]
    assert all(start.weekday() < 5 and start.hour >= 17 for start in local)
    assert not [s for s in local if (s.month, s.day) >= (12, 24) or (s.month, s.day) == (1, 1)]
    taken: set[dt.date] = set()
    # counted from a Sunday before Christmas: never on a weekend, a holiday or a taken day
    days = [demo.meeting_day(n, dt.date(2026, 12, 20), taken) for n in (0, 1, 6, 7, 13)]
    assert days == [dt.date(2026, 12, 22), dt.date(2026, 12, 23), dt.date(2027, 1, 5),
                    dt.date(2027, 1, 6), dt.date(2027, 1, 7)]  # fmt: skip


def test_the_papers_the_notices_refer_to_were_decided_before(barleben):
    now = timezone.now()
    budget = Paper.objects.get(body__authority=barleben, name__contains="Haushaltsjahr 2027")
    decided = budget.consultations.get(authoritative=True)
    assert decided.meeting.organizations.get().name == "Gemeinderat"
    assert decided.meeting.start < now
    assert decided.agenda_item.result.endswith("beschlossen")
    plan = Paper.objects.get(body__authority=barleben,
                             name__startswith="Bebauungsplan Nr. 42 „Am Kanal“")  # fmt: skip
    decided = plan.consultations.get(authoritative=True)
    assert decided.meeting.start < now
    assert decided.agenda_item.result.endswith("beschlossen")
    # a few committees met in the last months, with results
    recent = Meeting.objects.filter(body__authority=barleben, start__lt=now,
                                    start__gt=now - dt.timedelta(days=90)).exclude(
        organizations__name="Gemeinderat")  # fmt: skip
    assert recent.count() >= 5
    assert AgendaItem.objects.filter(meeting__in=recent).exclude(result="").count() >= 5


def test_demo_data_says_where_the_council_is():
    from rathaus.core import demo as core_demo

    notes = [note for note in core_demo.login_notes if "/rat/" in note]
    assert notes
    assert "/verwaltung/rat/" in notes[0]
    assert "standesamt" in notes[0]
    assert "/oparl/v1/" in notes[0]

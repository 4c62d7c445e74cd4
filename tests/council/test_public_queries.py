"""Every public council page needs the same number of queries for few and for many meetings,
agenda items, papers, files and members (no N+1); the search too."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.council.models import Organization
from tests.factories import (
    AgendaItemFactory,
    AuthorityFactory,
    BodyFactory,
    CouncilFileFactory,
    CouncilMembershipFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
)
from tests.factories.council import ConsultationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def body(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "barleben"
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    return BodyFactory(authority=town, name="Gemeinderat Barleben")


def queries_for(address: str) -> int:
    client = Client()
    client.get(address)  # the first request also looks up sessions, sites and the like
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


def same_for_few_and_many(address: Callable[[], str], add: Callable[[], None]) -> None:
    add()
    few = queries_for(address())
    for _ in range(6):
        add()
    assert queries_for(address()) == few


def test_the_start_page_and_the_calendar(body):
    committee = OrganizationFactory(body=body, name="Bauausschuss")

    def add() -> None:
        MeetingFactory(body=body).organizations.add(committee, OrganizationFactory(body=body))

    same_for_few_and_many(lambda: "/rat/", add)
    same_for_few_and_many(lambda: f"/rat/?gremium={committee.pk}", add)
    same_for_few_and_many(lambda: "/rat/sitzungen.ics", add)


def test_a_meeting_page(body):
    meeting = MeetingFactory(body=body, invitation=CouncilFileFactory(body=body))

    def add() -> None:
        item = AgendaItemFactory(body=body, meeting=meeting,
                                 resolution_file=CouncilFileFactory(body=body))  # fmt: skip
        item.auxiliary_files.add(CouncilFileFactory(body=body))
        ConsultationFactory(body=body, meeting=meeting, agenda_item=item)
        meeting.auxiliary_files.add(CouncilFileFactory(body=body))
        meeting.organizations.add(OrganizationFactory(body=body))

    same_for_few_and_many(lambda: f"/rat/sitzungen/{meeting.pk}/", add)


def test_the_papers_and_the_search(body):
    def add() -> None:
        paper = PaperFactory(body=body, name="Radweg",
                             main_file=CouncilFileFactory(body=body, text="Der Radweg"))  # fmt: skip
        paper.auxiliary_files.add(CouncilFileFactory(body=body, text="Radweg Anlage"))

    same_for_few_and_many(lambda: "/rat/vorlagen/", add)
    same_for_few_and_many(lambda: "/rat/vorlagen/?q=radweg&jahr=", add)


def test_a_paper_page(body):
    paper = PaperFactory(body=body, main_file=CouncilFileFactory(body=body))

    def add() -> None:
        paper.auxiliary_files.add(CouncilFileFactory(body=body))
        paper.originator_persons.add(PersonFactory(body=body))
        paper.related_papers.add(PaperFactory(body=body))
        paper.superordinated_papers.add(PaperFactory(body=body))
        ConsultationFactory(body=body, paper=paper).organizations.add(
            OrganizationFactory(body=body)
        )

    same_for_few_and_many(lambda: f"/rat/vorlagen/{paper.pk}/", add)


def test_persons_and_organisations(body):
    faction = OrganizationFactory(body=body, organization_type=Organization.Type.FACTION)
    committee = OrganizationFactory(body=body)
    person = PersonFactory(body=body)

    def add() -> None:
        member = PersonFactory(body=body)
        CouncilMembershipFactory(body=body, person=member, organization=faction)
        CouncilMembershipFactory(body=body, person=member, organization=committee)
        CouncilMembershipFactory(body=body, person=person, organization=OrganizationFactory(
            body=body))  # fmt: skip
        MeetingFactory(body=body).organizations.add(committee)

    same_for_few_and_many(lambda: "/rat/personen/", add)
    same_for_few_and_many(lambda: f"/rat/personen/{person.pk}/", add)
    same_for_few_and_many(lambda: "/rat/gremien/", add)
    same_for_few_and_many(lambda: f"/rat/gremien/{committee.pk}/", add)

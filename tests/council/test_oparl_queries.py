"""An OParl list page needs the same number of queries for few and for many objects: everything
a page embeds is loaded per relation, not per object."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AuthorityFactory
from tests.factories.council import (
    AgendaItemFactory,
    BodyFactory,
    ConsultationFactory,
    FileFactory,
    LegislativeTermFactory,
    LocationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # counts queries (ADR 0036)


@pytest.fixture
def body():
    return BodyFactory(authority=AuthorityFactory(slug="barleben", name="Gemeinde Barleben"))


def _fill(body, count: int) -> None:
    for _ in range(count):
        paper = PaperFactory(body=body, main_file=FileFactory(body=body))
        paper.auxiliary_files.add(FileFactory(body=body))
        paper.locations.add(LocationFactory(body=body))
        paper.originator_persons.add(PersonFactory(body=body))
        consultation = ConsultationFactory(body=body, paper=paper)
        AgendaItemFactory(body=body, meeting=consultation.meeting)
        meeting = MeetingFactory(body=body, invitation=FileFactory(body=body))
        meeting.auxiliary_files.add(FileFactory(body=body))
        meeting.organizations.add(
            OrganizationFactory(body=body, location=LocationFactory(body=body))
        )
        MembershipFactory(body=body)
        LegislativeTermFactory(body=body)


@pytest.mark.parametrize("segment", ["paper", "meeting", "file", "agendaitem", "person",
                                     "consultation", "location", "organization", "membership",
                                     "legislativeterm"])  # fmt: skip
def test_a_list_page_needs_the_same_queries_for_few_and_many_objects(body, segment):
    client = Client()
    url = f"/oparl/v1/body/{body.pk}/{segment}/"
    _fill(body, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _fill(body, 4)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).json()
    assert len(page["data"]) > 1
    assert len(many) == len(few), "\n".join(q["sql"][:200] for q in many.captured_queries)


@pytest.mark.parametrize("segment", ["file", "meeting", "agendaitem", "paper"])
def test_list_pages_do_not_load_the_texts_of_files(body, segment):
    _fill(body, 1)
    item = AgendaItemFactory(body=body, public=True, resolution_file=FileFactory(body=body))
    item.auxiliary_files.add(FileFactory(body=body))
    with CaptureQueriesContext(connection) as listed:
        assert Client().get(f"/oparl/v1/body/{body.pk}/{segment}/").status_code == 200
    column = f"{connection.ops.quote_name('council_file')}.{connection.ops.quote_name('text')}"
    assert not [query["sql"] for query in listed.captured_queries if column in query["sql"]]
    # the file alone still has its text
    file = FileFactory(body=body, text="Der Gemeinderat beschließt.")
    PaperFactory(body=body, main_file=file)
    assert Client().get(f"/oparl/v1/file/{file.pk}").json()["text"] == "Der Gemeinderat beschließt."

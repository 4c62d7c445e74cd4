"""The council office keeps the papers at /verwaltung/rat/vorlagen/: a reference once per
council, submitters and related papers chosen from what exists, consultations, soft delete."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.council.keepers import ROLE
from rathaus.council.models import Consultation, Paper
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.council import (
    AgendaItemFactory,
    BodyFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
PAPERS = "/verwaltung/rat/vorlagen/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def keeper(town, username="ratsbuero", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Ratsbüro")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def paper_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {"reference": "BV-0081/2020", "name": "Bebauungsplan Ebendorf",
                               "paper_type": "Beschlussvorlage", "date": "2020-05-04"}  # fmt: skip
    data.update(changes)
    return data


def test_a_keeper_adds_a_paper_with_submitters_and_a_related_paper(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    office = OrganizationFactory(body=body, name="Bauamt", organization_type="Verwaltungsbereich")
    faction = OrganizationFactory(body=body, name="Fraktion Beispiel", organization_type="Fraktion")
    member = PersonFactory(body=body, name="Erika Musterfrau")
    earlier = PaperFactory(body=body, reference="IV-0012/2020")
    page = client.get(f"{PAPERS}neu/").content.decode()
    assert '<option value="Informationsvorlage">' in page  # suggestions for the kind
    response = client.post(f"{PAPERS}neu/", paper_data(
        under_direction_of=[office.pk], originator_organizations=[faction.pk],
        originator_persons=[member.pk], related_papers=[earlier.pk], paper_type="Sondervorlage",
    ))  # fmt: skip
    assert response.status_code == 302
    paper = Paper.objects.get(reference="BV-0081/2020")
    assert paper.paper_type == "Sondervorlage"  # a kind of its own may be typed
    assert list(paper.under_direction_of.all()) == [office]
    assert list(paper.originator_persons.all()) == [member]
    assert list(earlier.related_papers.all()) == [paper]
    assert AuditEvent.objects.filter(action="council.paper.created", authority=town).exists()
    assert "BV-0081/2020" in client.get(f"{PAPERS}?q=0081").content.decode()


def test_a_reference_is_unique_per_council(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    PaperFactory(body=body, reference="BV-0081/2020")
    PaperFactory(body=BodyFactory(), reference="BV-0090/2020")  # another council's
    response = client.post(f"{PAPERS}neu/", paper_data())
    assert response.status_code == 422
    html = response.content.decode()
    assert "Die Vorlagennummer BV-0081/2020 hat schon eine andere Vorlage dieses Rates." in html
    assert 'value="Bebauungsplan Ebendorf"' in html
    assert client.post(f"{PAPERS}neu/", paper_data(reference="BV-0090/2020")).status_code == 302


def test_consultations_are_added_and_removed(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    paper = PaperFactory(body=body)
    committee = OrganizationFactory(body=body, name="Bauausschuss")
    item = AgendaItemFactory(body=body, meeting__body=body)
    url = f"{PAPERS}{paper.pk}/"
    assert client.post(f"{url}beratungen/", {}).status_code == 422
    response = client.post(f"{url}beratungen/", {
        "consultation-organization": committee.pk, "consultation-agenda_item": item.pk,
        "consultation-role": "Vorberatung",
    })  # fmt: skip
    assert response.status_code == 302
    consultation = Consultation.objects.get(paper=paper)
    assert consultation.meeting == item.meeting
    assert not consultation.authoritative
    assert list(consultation.organizations.all()) == [committee]
    assert "Vorberatung" in client.get(url).content.decode()
    client.post(f"{url}beratungen/{consultation.pk}/entfernen/")
    consultation.refresh_from_db()
    assert consultation.deleted


def test_a_paper_is_deleted_softly_and_only_by_its_councils_keepers(town):
    client = keeper(town)
    paper = PaperFactory(body=BodyFactory(authority=town))
    foreign = PaperFactory(body=BodyFactory(authority=AuthorityFactory(slug="wolmirstedt")))
    assert client.get(f"{PAPERS}{foreign.pk}/").status_code == 404
    assert client.post(f"{PAPERS}{paper.pk}/loeschen/", {"confirm": "yes"}).status_code == 302
    paper.refresh_from_db()
    assert paper.deleted
    assert Paper.objects.filter(pk=paper.pk).exists()
    assert client.get(f"{PAPERS}{paper.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="council.paper.deleted").exists()

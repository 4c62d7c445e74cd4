"""The council office keeps persons with their memberships, organisations, legislative terms and
locations at /verwaltung/rat/: create, edit, soft delete with confirmation, audited; dates are
checked; only the keepers of the authority's council get in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.council.keepers import ROLE
from rathaus.council.models import Body, LegislativeTerm, Location, Membership, Organization, Person
from tests.factories import PASSWORD, AuthorityFactory, CouncilMembershipFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.council import (
    BodyFactory,
    LegislativeTermFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
BASE = "/verwaltung/rat/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben", ags="15083040")


def keeper(town, username="ratsbuero", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Hauptamt")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def actions() -> list[str]:
    found = AuditEvent.objects.filter(action__startswith="council.").order_by("id")
    return list(found.values_list("action", flat=True))


def test_a_person_is_created_edited_and_deleted_softly(town):
    client = keeper(town)
    page = client.get(f"{BASE}personen/neu/").content.decode()
    assert "Nur dienstliche Kontaktdaten" in page
    response = client.post(f"{BASE}personen/neu/", {
        "form_of_address": "Frau", "title": "Dr.", "given_name": "Erna", "family_name": "Probe",
        "email": "erna.probe@rat.example", "phone": "039203 1234",
        "status": "Ratsmitglied\nAusschussvorsitzende", "life": "Seit 2019 im Rat.",
    })  # fmt: skip
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}personen/{person.pk}/"
    assert person.name == "Dr. Erna Probe"
    assert person.body == Body.objects.get(authority=town)
    assert person.email == ["erna.probe@rat.example"]
    assert person.status == ["Ratsmitglied", "Ausschussvorsitzende"]
    assert "Dr. Erna Probe" in client.get(f"{BASE}personen/").content.decode()
    edit = client.get(f"{BASE}personen/{person.pk}/").content.decode()
    assert "Ratsmitglied\nAusschussvorsitzende</textarea>" in edit  # lists one per line

    form = {"given_name": "Erna", "family_name": "Probe-Test", "email": "keine-adresse"}
    response = client.post(f"{BASE}personen/{person.pk}/", form)
    assert response.status_code == 422
    assert "„keine-adresse“ ist keine E-Mail-Adresse." in response.content.decode()
    form["email"] = ""
    assert client.post(f"{BASE}personen/{person.pk}/", form).status_code == 302
    person.refresh_from_db()
    assert person.name == "Erna Probe-Test"

    confirm = client.get(f"{BASE}personen/{person.pk}/loeschen/")
    assert confirm.status_code == 200
    assert "Ja, löschen" in confirm.content.decode()
    assert not Person.objects.get().deleted  # asking deletes nothing
    assert client.post(f"{BASE}personen/{person.pk}/loeschen/").status_code == 302
    assert Person.objects.get().deleted
    assert ">Erna Probe-Test</a>" not in client.get(f"{BASE}personen/").content.decode()
    assert client.get(f"{BASE}personen/{person.pk}/").status_code == 404
    assert actions() == ["council.person.created", "council.person.changed",
                         "council.person.deleted"]  # fmt: skip


def test_a_membership_is_kept_on_the_persons_page_and_its_dates_are_checked(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    person = PersonFactory(body=body, name="Anton Beispielmann")
    committee = OrganizationFactory(body=body, name="Bauausschuss")
    faction = OrganizationFactory(body=body, name="Fraktion Muster",
                                  organization_type=Organization.Type.FACTION)  # fmt: skip
    add = f"{BASE}personen/{person.pk}/mitgliedschaften/neu/"
    form = {
        "organization": committee.pk,
        "role": "Mitglied",
        "voting_right": "on",
        "start_date": "2024-07-01",
        "end_date": "2024-06-30",
        "on_behalf_of": faction.pk,
    }
    response = client.post(add, form)
    assert response.status_code == 422
    assert "Das Ende darf nicht vor dem Beginn liegen." in response.content.decode()
    assert not Membership.objects.exists()

    form["end_date"] = ""
    response = client.post(add, form)
    assert response["Location"] == f"{BASE}personen/{person.pk}/#mitgliedschaften"
    membership = Membership.objects.get()
    assert (membership.organization, membership.on_behalf_of) == (committee, faction)
    assert membership.body == body
    assert membership.voting_right
    page = client.get(f"{BASE}personen/{person.pk}/").content.decode()
    assert "Bauausschuss</a>, Mitglied (für Fraktion Muster)" in page

    edit = f"{BASE}personen/{person.pk}/mitgliedschaften/{membership.pk}/"
    client.post(edit, {**form, "voting_right": "", "end_date": "2026-12-31"})
    membership.refresh_from_db()
    assert membership.end_date == dt.date(2026, 12, 31)
    assert not membership.voting_right
    assert client.post(f"{edit}loeschen/").status_code == 302
    assert Membership.objects.get().deleted
    assert "Bauausschuss</a>" not in client.get(f"{BASE}personen/{person.pk}/").content.decode()
    assert actions() == ["council.membership.created", "council.membership.changed",
                         "council.membership.deleted"]  # fmt: skip


def test_an_organisation_is_created_edited_and_deleted(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    council = OrganizationFactory(body=body, name="Gemeinderat")
    response = client.post(f"{BASE}gremien/neu/", {
        "name": "Hauptausschuss", "short_name": "HA", "organization_type": "Gremium",
        "classification": "Ausschuss", "sub_organization_of": council.pk,
        "start_date": "2024-07-01", "end_date": "2029-06-30", "post": "Vorsitzender\nMitglied",
        "position": "2",
    })  # fmt: skip
    assert response.status_code == 302
    committee = Organization.objects.get(name="Hauptausschuss")
    assert committee.sub_organization_of == council
    assert committee.post == ["Vorsitzender", "Mitglied"]
    listing = client.get(f"{BASE}gremien/").content.decode()
    assert "Hauptausschuss" in listing
    assert "01.07.2024 – 30.06.2029" in listing

    response = client.post(f"{BASE}gremien/{committee.pk}/", {
        "name": "Hauptausschuss", "organization_type": "Gremium", "position": "2",
        "start_date": "2024-07-01", "end_date": "2020-01-01",
    })  # fmt: skip
    assert response.status_code == 422
    client.post(f"{BASE}gremien/{committee.pk}/loeschen/")
    assert Organization.objects.get(pk=committee.pk).deleted
    assert set(actions()) == {"council.organization.created", "council.organization.deleted"}


def test_terms_must_not_overlap(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    LegislativeTermFactory(body=body, name="Wahlperiode 2019–2024",
                           start_date=dt.date(2019, 7, 1), end_date=dt.date(2024, 6, 30))  # fmt: skip
    response = client.post(
        f"{BASE}wahlperioden/neu/",
        {"name": "Wahlperiode 2024–2029", "start_date": "2024-06-01", "end_date": "2029-06-30"},
    )
    assert response.status_code == 422
    assert "überschneidet sich mit der Wahlperiode „Wahlperiode 2019–2024“ " \
           "(01.07.2019 – 30.06.2024)" in response.content.decode()  # fmt: skip
    assert LegislativeTerm.objects.count() == 1

    response = client.post(
        f"{BASE}wahlperioden/neu/",
        {"name": "Wahlperiode 2024–2029", "start_date": "2024-07-01", "end_date": "2029-06-30"},
    )
    assert response.status_code == 302
    term = LegislativeTerm.objects.get(name="Wahlperiode 2024–2029")
    # changing a term does not collide with itself
    response = client.post(
        f"{BASE}wahlperioden/{term.pk}/",
        {"name": "Wahlperiode 2024 bis 2029", "start_date": "2024-07-01", "end_date": "2029-06-30"},
    )
    assert response.status_code == 302
    # a deleted term is no obstacle any more
    client.post(f"{BASE}wahlperioden/{term.pk}/loeschen/")
    response = client.post(
        f"{BASE}wahlperioden/neu/",
        {"name": "Wahlperiode neu", "start_date": "2024-07-01", "end_date": ""},
    )
    assert response.status_code == 302


def test_a_location_keeps_a_point_on_the_map(town):
    client = keeper(town)
    form = {"description": "Rathaus, Ratssaal", "street_address": "Ernst-Thälmann-Straße 22",
            "room": "Ratssaal", "postal_code": "39179", "locality": "Barleben",
            "latitude": "52.2034", "longitude": ""}  # fmt: skip
    response = client.post(f"{BASE}orte/neu/", form)
    assert response.status_code == 422
    assert "Bitte geben Sie Breite und Länge an" in response.content.decode()
    response = client.post(f"{BASE}orte/neu/", {**form, "longitude": "11.6198"})
    location = Location.objects.get()
    assert response["Location"] == f"{BASE}orte/{location.pk}/"
    assert location.geojson == {"type": "Point", "coordinates": [11.6198, 52.2034]}
    page = client.get(f"{BASE}orte/{location.pk}/").content.decode()
    assert 'value="52.2034"' in page

    client.post(f"{BASE}orte/{location.pk}/", {**form, "latitude": "", "longitude": ""})
    location.refresh_from_db()
    assert location.geojson is None
    assert client.post(f"{BASE}orte/neu/", {"latitude": "95", "longitude": "11"}).status_code == 422
    client.post(f"{BASE}orte/{location.pk}/loeschen/")
    assert Location.objects.get().deleted


def test_clerks_and_other_authorities_are_kept_out(town):
    other = AuthorityFactory(slug="wolmirstedt")
    foreign_body = BodyFactory(authority=other)
    foreign = PersonFactory(body=foreign_body)
    membership = CouncilMembershipFactory(body=foreign_body, person=foreign)
    clerk = keeper(town, "buergerbuero", role=roles.CLERK)
    for segment in ("personen", "gremien", "wahlperioden", "orte"):
        assert clerk.get(f"{BASE}{segment}/").status_code == 403
        assert clerk.post(f"{BASE}{segment}/neu/", {"name": "x"}).status_code == 403
    assert not Person.objects.filter(body__authority=town).exists()

    client = keeper(town)
    assert client.get(f"{BASE}personen/{foreign.pk}/").status_code == 404
    assert client.post(f"{BASE}personen/{foreign.pk}/loeschen/").status_code == 404
    assert (
        client.get(f"{BASE}personen/{foreign.pk}/mitgliedschaften/{membership.pk}/").status_code
        == 404
    )
    assert not Person.objects.get(pk=foreign.pk).deleted
    # a keeper's list shows their own council only, even when asked for another one
    assert foreign.name not in client.get(f"{BASE}personen/?behoerde=wolmirstedt").content.decode()
    assert Client().get(f"{BASE}personen/").status_code == 302  # to the login


def test_an_administrator_keeps_the_council_too(town):
    client = keeper(town, "digital", role=roles.ADMINISTRATOR)
    PersonFactory(body=BodyFactory(authority=town), name="Berta Beispielfrau")
    assert "Berta Beispielfrau" in client.get(f"{BASE}personen/").content.decode()

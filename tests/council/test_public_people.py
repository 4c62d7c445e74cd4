"""Persons and organisations of the council: members grouped by faction with their current
roles, a person's office contact and memberships, an organisation's members and meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from rathaus.council.models import Organization
from tests.factories import (
    AuthorityFactory,
    BodyFactory,
    CouncilLocationFactory,
    CouncilMembershipFactory,
    MeetingFactory,
    OrganizationFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "barleben"
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    return BodyFactory(authority=town, name="Gemeinderat Barleben")


def test_persons_are_grouped_by_faction_with_their_current_roles(body):
    faction = OrganizationFactory(body=body, name="Fraktion Grüne Wiese",
                                  organization_type=Organization.Type.FACTION)  # fmt: skip
    committee = OrganizationFactory(body=body, name="Bauausschuss")
    erika = PersonFactory(body=body, name="Erika Beispiel")
    CouncilMembershipFactory(body=body, person=erika, organization=faction, role="Vorsitzende")
    CouncilMembershipFactory(body=body, person=erika, organization=committee, role="Mitglied")
    CouncilMembershipFactory(body=body, person=erika, organization=OrganizationFactory(
        body=body, name="Alter Ausschuss"), end_date=dt.date(2020, 1, 1))  # fmt: skip
    PersonFactory(body=body, name="Otto Ohnefraktion")
    PersonFactory(body=body, name="Gelöschte Person", deleted=True)

    page = Client().get("/rat/personen/").content.decode()

    group = page.split("Fraktion Grüne Wiese")[1].split("</section>")[0]
    assert "Erika Beispiel" in group
    assert "Bauausschuss: Mitglied" in group
    assert "Alter Ausschuss" not in page
    others = page.split("Ohne Fraktion")[1]
    assert "Otto Ohnefraktion" in others
    assert "Gelöschte Person" not in page


def test_a_person_shows_office_contact_and_memberships(body):
    office = CouncilLocationFactory(body=body, description="Fraktionsbüro",
                                    street_address="Bahnhofstraße 1", room="")  # fmt: skip
    person = PersonFactory(body=body, name="Erika Beispiel", email=["e.beispiel@rat.example"],
                           phone=["039203 5650"], location=office)  # fmt: skip
    committee = OrganizationFactory(body=body, name="Finanzausschuss")
    CouncilMembershipFactory(body=body, person=person, organization=committee,
                             role="Stellvertreterin", start_date=dt.date(2024, 7, 1))  # fmt: skip
    CouncilMembershipFactory(body=body, person=person, organization=OrganizationFactory(
        body=body, name="Sozialausschuss"), start_date=dt.date(2019, 7, 1),
        end_date=dt.date(2024, 6, 30))  # fmt: skip
    CouncilMembershipFactory(body=body, person=person, role="Gelöscht", deleted=True)

    page = Client().get(f"/rat/personen/{person.pk}/").content.decode()

    assert "mailto:e.beispiel@rat.example" in page
    assert "039203 5650" in page
    assert "Bahnhofstraße 1" in page
    current = page.split("Aktuelle Mitgliedschaften")[1].split("</section>")[0]
    assert "Finanzausschuss" in current
    assert "Stellvertreterin" in current
    assert "seit 1. Juli 2024" in current
    former = page.split("Frühere Mitgliedschaften")[1].split("</section>")[0]
    assert "Sozialausschuss" in former
    assert "1. Juli 2019 bis 30. Juni 2024" in former
    assert "Gelöscht" not in page


def test_organisations_are_grouped_and_show_members_and_meetings(body):
    committee = OrganizationFactory(body=body, name="Hauptausschuss")
    OrganizationFactory(body=body, name="Fraktion Bürgerliste",
                        organization_type=Organization.Type.FACTION)  # fmt: skip
    OrganizationFactory(body=body, name="Gelöschter Ausschuss", deleted=True)
    member = PersonFactory(body=body, name="Erika Beispiel")
    CouncilMembershipFactory(body=body, person=member, organization=committee, role="Vorsitzende")
    upcoming = MeetingFactory(body=body, name="7. Sitzung des Hauptausschusses")
    upcoming.organizations.add(committee)
    gone = MeetingFactory(body=body, name="Gelöschte Sitzung", deleted=True)
    gone.organizations.add(committee)
    client = Client()

    overview = client.get("/rat/gremien/").content.decode()
    assert "Gemeinderat und Ausschüsse" in overview
    assert overview.index("Hauptausschuss") < overview.index("Fraktionen</h2>")
    assert "Fraktion Bürgerliste" in overview.split("Fraktionen</h2>")[1]
    assert "Gelöschter Ausschuss" not in overview

    page = client.get(f"/rat/gremien/{committee.pk}/").content.decode()
    assert "Erika Beispiel" in page
    assert "Vorsitzende" in page
    assert "7. Sitzung des Hauptausschusses" in page
    assert "Gelöschte Sitzung" not in page
    assert f"/rat/sitzungen.ics?gremium={committee.pk}" in page


def test_unknown_deleted_and_foreign_persons_and_organisations_are_not_found(body):
    client = Client()
    for kind, factory in (("personen", PersonFactory), ("gremien", OrganizationFactory)):
        deleted = factory(body=body, deleted=True)
        foreign = factory(body=BodyFactory())
        for pk in (deleted.pk, foreign.pk, 999999):
            assert client.get(f"/rat/{kind}/{pk}/").status_code == 404

"""The staff lists of persons, organisations, terms and locations need the same number of
queries for two rows as for twelve (no N+1: membership counts and "part of" come with the
list)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.core import roles
from rathaus.council.keepers import ROLE
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    CouncilLocationFactory,
    CouncilMembershipFactory,
)
from tests.factories.core import OrgUnitFactory
from tests.factories.council import BodyFactory, LegislativeTermFactory, OrganizationFactory
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def keeper(town) -> Client:
    user = clerk_of(OrgUnitFactory(authority=town), "ratsbuero", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    return log_in(Client(), "ratsbuero", PASSWORD)


def add(body, start: int, count: int) -> None:
    for index in range(start, start + count):
        membership = CouncilMembershipFactory(body=body)
        CouncilMembershipFactory(body=body, person=membership.person)
        OrganizationFactory(body=body, sub_organization_of=membership.organization)
        LegislativeTermFactory(body=body, name=f"Wahlperiode {index}",
                               start_date=dt.date(1900 + 5 * index, 1, 1),
                               end_date=dt.date(1904 + 5 * index, 12, 31))  # fmt: skip
        CouncilLocationFactory(body=body, description=f"Ort {index}")


def queries_for(client: Client, address: str) -> int:
    client.get(address)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_lists_need_a_fixed_number_of_queries():
    town = AuthorityFactory(slug="zaehlort")
    body = BodyFactory(authority=town)
    client = keeper(town)
    addresses = [f"/verwaltung/rat/{segment}/" for segment in
                 ("personen", "gremien", "wahlperioden", "orte")]  # fmt: skip
    add(body, 0, 2)
    few = [queries_for(client, address) for address in addresses]
    add(body, 2, 10)
    assert [queries_for(client, address) for address in addresses] == few
    assert client.get(addresses[0]).content.decode().count('class="kern-table__row"') == 13

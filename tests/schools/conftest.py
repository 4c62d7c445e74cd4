from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core import roles
from rathaus.schools.keepers import ROLE
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.schools import SchoolFactory
from tests.support import clerk_of, log_in


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


@pytest.fixture
def school(town):
    return SchoolFactory(authority=town, name="Grundschule Barleben", code="grundschule-barleben")


def keeper_of(town, username="schulit", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Bereich Digitales")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


@pytest.fixture
def keeper(town):
    return keeper_of(town)


@pytest.fixture
def make_keeper():
    """Log in a staff member of the town with a role (default: "Schul-IT")."""
    return keeper_of

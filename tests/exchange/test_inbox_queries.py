"""The inbox of exchanged submissions reads as many queries for many rows as for a few."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.core import roles
from rathaus.exchange.models import OwnDestination
from tests.factories import PASSWORD, TOTPDeviceFactory
from tests.factories.core import MembershipFactory, UserFactory
from tests.factories.exchange import IncomingFactory
from tests.support import log_in

pytestmark = pytest.mark.database  # counts queries: runs on PostgreSQL too

LIST = "/verwaltung/austausch/eingang/"


def list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_inbox_list_reads_as_many_queries_for_20_rows_as_for_2(
    destination: OwnDestination, db: Any
) -> None:
    user = UserFactory(username="lk-clerk", is_staff=True)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, org_unit=destination.org_unit, role=roles.role(roles.CLERK))
    client = log_in(Client(), "lk-clerk", PASSWORD)
    IncomingFactory.create_batch(2, destination=destination)
    few = list_queries(client)

    IncomingFactory.create_batch(18, destination=destination)

    assert list_queries(client) == few

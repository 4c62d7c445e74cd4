"""The staff list of notices and a notice's page make as many queries for many notices,
attachments and records as for few (no query per row)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.core import roles
from rathaus.noticeboard.keepers import ROLE
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.noticeboard import (
    DisplayRecordFactory,
    NoticeAttachmentFactory,
    NoticeFactory,
)
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_a_notice_page_do_not_query_per_row():
    town = AuthorityFactory()
    user = clerk_of(OrgUnitFactory(authority=town), "hauptamt", is_staff=True)
    user.memberships.update(role=roles.role(ROLE))
    client = log_in(Client(), "hauptamt", PASSWORD)
    notice = NoticeFactory(authority=town)
    NoticeAttachmentFactory(notice=notice)
    DisplayRecordFactory(notice=notice)
    few = (
        queries(client, "/verwaltung/bekanntmachungen/"),
        queries(client, f"/verwaltung/bekanntmachungen/{notice.pk}/"),
    )
    NoticeFactory.create_batch(8, authority=town)
    NoticeAttachmentFactory.create_batch(4, notice=notice)
    DisplayRecordFactory(notice=notice, event="taken_down")
    many = (
        queries(client, "/verwaltung/bekanntmachungen/"),
        queries(client, f"/verwaltung/bekanntmachungen/{notice.pk}/"),
    )
    assert many == few

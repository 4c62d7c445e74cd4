"""The applicant's list shows the hand-overs with a fixed number of queries (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account
from rathaus.cases.models import OutboxItem
from tests.factories import AuthorityFactory, OutgoingFactory, SubmissionFactory
from tests.support import citizen_client

pytestmark = pytest.mark.database  # counts queries; runs on PostgreSQL too


def exchanged(authority, account, count: int) -> None:
    for index in range(count):
        submission = SubmissionFactory(authority=authority, account=account)
        if index % 2:
            OutboxItem.objects.create(submission=submission, target=AuthorityFactory(),
                                      created_at=timezone.now())  # fmt: skip
        else:
            OutgoingFactory(submission=submission, status="sent", sent_at=timezone.now())


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/konto/antraege/")
    assert response.status_code == 200
    return len(captured)


def test_my_applications_do_not_query_per_handed_over_application(barleben):
    client = citizen_client()
    account = Account.objects.get(user__username=CITIZEN_EMAIL)
    exchanged(barleben, account, 2)
    few = queries(client)
    exchanged(barleben, account, 6)
    html = client.get("/konto/antraege/").content.decode()
    assert html.count("exchange-note") == 8
    assert queries(client) == few

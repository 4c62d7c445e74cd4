"""The staff inbox and case page read a fixed number of queries, however much they show.

Like Open Zaak's ``assertNumQueries``: a page whose queries grow with its rows (N+1) fails, and
the exact count of one configuration makes any new query show up here first. If a change adds a
query on purpose, update the number and say why in the commit.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    PASSWORD,
    CaseDocumentFactory,
    CaseEventFactory,
    CaseFactory,
    CaseNoteFactory,
    CaseUploadFactory,
    FormDefinitionFactory,
    FormVersionFactory,
    OrgUnitFactory,
    ProcessInstanceFactory,
    ProcessTaskFactory,
)
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

INBOX = "/verwaltung/vorgaenge/"

# Session, user, authenticator device; the user's units (2 queries, done twice: for the list and
# for the form filter); the cases; the forms of the filter; the authority for the page frame
# (found by its host name in one query); the staff frame (memberships, the user's permissions: 2).
INBOX_QUERIES = 13
# Every section: session, user, device, units (2); the case; colleagues, documents; the process
# instance; the authority for the page frame (by host, one query); the staff frame (memberships,
# permissions: 2);
# the process panel beside the actions (instance again, open tasks); the case's payment requests
# in the summary (ADR 0049). Then what the section shows:
# the application data (uploads, attachments, authority, attachments again); the document
# requests with what was sent later; the letters with the applicant and the notes; the
# timeline; the process steps (instance again).
CASE_QUERIES = {"antrag": 20, "dokumente": 18, "nachrichten": 18, "verlauf": 17, "prozess": 17}


@pytest.fixture
def unit(db):
    return OrgUnitFactory(name="Bürgerbüro", slug="buergerservice")


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "sachbearbeitung", first_name="Kim", last_name="Beispiel")


@pytest.fixture
def client(clerk):
    return log_in(Client(), clerk.username, PASSWORD)


def add_cases(unit, clerk, count):
    """Cases of two forms, assigned to the clerk, to a colleague or to no one, some with dates."""
    colleague = clerk_of(unit, f"kollegin{count}", first_name="Ada", last_name="Muster")
    forms = [
        FormVersionFactory(definition=FormDefinitionFactory(authority=unit.authority))
        for _ in range(2)
    ]
    for index in range(count):
        CaseFactory(
            org_unit=unit,
            form_version=forms[index % 2],
            assignee=[clerk, colleague, None][index % 3],
            due_date=timezone.localdate() + datetime.timedelta(days=index - 5),
            priority=["normal", "high"][index % 2],
        )


def inbox_queries(client):
    client.get(INBOX)  # fills the caches a running process keeps; they are not per request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INBOX)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_inbox_reads_as_many_queries_for_30_cases_as_for_3(unit, clerk, client):
    add_cases(unit, clerk, 3)
    response, few = inbox_queries(client)
    assert len(response.context["cases"]) == 3
    add_cases(unit, clerk, 27)
    response, many = inbox_queries(client)
    assert len(response.context["cases"]) == 25  # one page
    assert response.context["next_url"]
    assert many == few


def test_inbox_query_count(unit, clerk, client):
    add_cases(unit, clerk, 3)
    _response, count = inbox_queries(client)
    assert count == INBOX_QUERIES


def fill_case(case, clerk, count):
    """Timeline entries, notes, open process tasks and documents sent later: ``count`` each."""
    for _ in range(count):
        CaseEventFactory(case=case, actor=clerk)
        CaseNoteFactory(case=case, author=clerk)
        ProcessTaskFactory(instance=case.process_instance)
        CaseUploadFactory(request__case=case)


def case_queries(client, case, tab):
    url = f"/verwaltung/vorgaenge/{case.number}/?tab={tab}"
    # Fills the caches a running process keeps (the parsed BPMN of a process version).
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["tab"] == tab
    return response, len(queries.captured_queries)


@pytest.fixture
def case(unit, clerk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = CaseFactory(org_unit=unit, assignee=clerk)
    ProcessInstanceFactory(case=case)
    CaseDocumentFactory(case=case, created_by=clerk)
    return case


# What each section lists ten of once the case is filled ten times.
LISTED = {
    "antrag": "later_uploads",
    "dokumente": "document_requests",
    "nachrichten": "notes",
    "verlauf": "events",
    "prozess": None,
}


@pytest.mark.parametrize("tab", CASE_QUERIES)
def test_case_page_reads_as_many_queries_with_many_entries_as_with_one(clerk, client, case, tab):
    fill_case(case, clerk, 1)
    response, few = case_queries(client, case, tab)
    fill_case(case, clerk, 9)
    response, many = case_queries(client, case, tab)
    if LISTED[tab]:
        assert len(response.context[LISTED[tab]]) >= 10
    assert response.content.decode().count("/aufgaben/") >= 10  # the open tasks, always in view
    assert many == few


@pytest.mark.parametrize("tab", CASE_QUERIES)
def test_case_page_query_count(clerk, client, case, tab):
    fill_case(case, clerk, 1)
    _response, count = case_queries(client, case, tab)
    assert count == CASE_QUERIES[tab]

"""Searching cases by words from their data: the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.cases import services
from rathaus.cases.models import Case
from tests.support import ANLIEGEN, MELDEBESCHEINIGUNG, api, citizen_client, make_key, submit

pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def two_cases(barleben) -> tuple[Case, Case]:
    client = citizen_client()
    meldung = submit(client, "meldebescheinigung", MELDEBESCHEINIGUNG)
    anliegen = submit(client, "anliegen", {**ANLIEGEN, "message": "Die Straßenlaterne flackert."})
    services.route(str(meldung.pk))
    services.route(str(anliegen.pk))
    return Case.objects.get(submission=meldung), Case.objects.get(submission=anliegen)


def found(client: Client, words: str) -> set[str]:
    response = client.get("/api/v1/cases", {"view": "all", "q": words})
    assert response.status_code == 200, response.content
    return {item["number"] for item in response.json()["items"]}


def test_search_finds_a_case_by_a_word_from_its_data(two_cases):
    meldung, anliegen = two_cases
    client = api(make_key("buergerbuero"))
    assert found(client, "Breiteweg") == {meldung.number}  # the applicant's street
    assert found(client, "breitew") == {meldung.number}  # the beginning of a word
    assert found(client, "Straßenlaterne") == {anliegen.number}
    assert found(client, "Ilse Breiteweg") == {meldung.number}  # every word must match
    assert found(client, "Ilse Straßenlaterne") == set()
    assert found(client, "Zeppelin") == set()
    assert found(client, meldung.number) == {meldung.number}
    assert found(client, meldung.submission.reference) == {meldung.number}
    # Query syntax and stop words are only words: no error, and nothing outside the units.
    assert found(client, "'\\:*&|!") <= {meldung.number, anliegen.number}
    assert found(client, "die") <= {meldung.number, anliegen.number}


def test_search_in_the_inbox_page_uses_the_same_search(client, two_cases):
    from tests.support import log_in

    meldung, anliegen = two_cases
    log_in(client, "buergerbuero")
    page = client.get("/verwaltung/vorgaenge/", {"ansicht": "alle", "suche": "breitew"})
    html = page.content.decode()
    assert f"/verwaltung/vorgaenge/{meldung.number}/" in html
    assert f"/verwaltung/vorgaenge/{anliegen.number}/" not in html


def test_the_search_document_starts_with_the_case_number(two_cases):
    meldung, _anliegen = two_cases
    assert meldung.search_text.startswith(meldung.number.lower() + " ")
    assert "breiteweg 12" in meldung.search_text

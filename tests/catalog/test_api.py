"""Catalogue API: search, detail, responsibility; errors as problem documents."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

PROBLEM = "application/problem+json"


def test_search_returns_keys_and_names(client, barleben_catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/services", {"q": "Geburtsurkunde"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] >= 3
    first = body["results"][0]
    assert first["leika_key"] == "99027002012000"  # offered by Barleben, so first
    assert first["name"] == "Geburtsurkunde Ausstellung"
    assert first["url"] == "/leistungen/99027002012000/"


@pytest.mark.parametrize("query", ["a", "-", "*"])
def test_too_short_search_is_a_problem(client, barleben_catalogue, query):
    response = client.get("/api/v1/services", {"q": query})
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM


def test_missing_query_is_a_problem(client, barleben_catalogue):
    response = client.get("/api/v1/services")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.q"


def test_service_detail_with_the_local_offer(client, barleben_catalogue):
    body = client.get("/api/v1/services/99027002012000").json()
    assert body["name"] == "Geburtsurkunde Ausstellung"
    assert body["offer"]["org_unit"]["name"] == "Standesamt"
    assert body["offer"]["fee_cents"] == 1200
    assert "Geburtsschein" in body["synonyms"]


def test_service_detail_bad_and_unknown_keys(client, barleben_catalogue):
    bad = client.get("/api/v1/services/12345")
    assert bad.status_code == 422
    assert bad["Content-Type"] == PROBLEM
    unknown = client.get("/api/v1/services/99999999999999")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == PROBLEM


def test_responsibility_by_postal_code(client, barleben_catalogue):
    body = client.get("/api/v1/responsibility", {"leika": "99089016000000", "plz": "39179"}).json()
    assert body["found"] is True
    assert body["authority"]["name"] == "Landkreis Börde"
    assert body["authority"]["ags"] == "15083"
    assert body["org_unit"]["name"] == "Versammlungsbehörde"
    body = client.get("/api/v1/responsibility", {"leika": "99027002012000", "plz": "39179"}).json()
    assert body["authority"]["name"] == "Gemeinde Barleben"
    assert body["authority"]["ags"] == "15083040"
    assert body["org_unit"]["name"] == "Standesamt"


def test_responsibility_by_ars(client, barleben_catalogue):
    body = client.get(
        "/api/v1/responsibility", {"leika": "99027002012000", "ars": "150830040040"}
    ).json()
    assert body["authority"]["slug"] == "barleben"


@pytest.mark.parametrize(
    "params",
    [
        {"leika": "99027002012000"},
        {"leika": "99027002012000", "plz": "39179", "ars": "150830040040"},
        {"leika": "42", "plz": "39179"},
        {"leika": "99027002012000", "plz": "3917"},
        {"leika": "99027002012000", "plz": "00000"},
    ],
)
def test_responsibility_bad_input_is_a_problem(client, barleben_catalogue, params):
    response = client.get("/api/v1/responsibility", params)
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM

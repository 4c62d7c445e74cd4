"""The JSON API: schema and docs, authorities, and RFC 7807 problem documents for errors."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/authorities", "/api/v1/authorities/{slug}", "/api/v1/health"} <= set(
        schema["paths"]
    )


@pytest.mark.django_db
def test_interactive_docs_use_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_authorities_list_and_detail(client, barleben, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/authorities")
    assert response.status_code == 200
    by_slug = {item["slug"]: item for item in response.json()}
    assert by_slug["barleben"]["ars"] == "150830040040"
    assert by_slug["barleben"]["parent"] == "landkreis-boerde"
    assert by_slug["landkreis-boerde"]["ags"] == "15083"

    with django_assert_max_num_queries(4):
        detail = client.get("/api/v1/authorities/barleben").json()
    assert "Standesamt" in {unit["name"] for unit in detail["org_units"]}
    assert {"name": "Meitzendorf", "postal_code": "39326"} in detail["localities"]

    landkreise = client.get("/api/v1/authorities?kind=landkreis").json()
    assert [item["slug"] for item in landkreise] == ["landkreis-boerde"]


def test_invalid_query_is_a_problem_document_with_the_field(client, barleben):
    response = client.get("/api/v1/authorities?kind=stadt")
    assert response.status_code == 422
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 422
    assert body["errors"][0]["field"] == "query.kind"


def test_unknown_authority_is_a_problem_document(client, barleben):
    response = client.get("/api/v1/authorities/atlantis")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Not Found"
    assert "atlantis" in response.json()["detail"]


@pytest.mark.django_db
def test_unknown_api_path_is_a_problem_document(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["instance"] == "/api/v1/does-not-exist"

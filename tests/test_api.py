"""The JSON API: schema and docs, authorities, and RFC 7807 problem documents for errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

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


# --- errors that match the schema (ADR 0026) -------------------------------------------------


@pytest.fixture
def openapi(client, db) -> dict:
    return client.get("/api/v1/openapi.json").json()


def operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_is_described(openapi):
    undescribed = [
        name
        for name, operation in operations(openapi)
        if not operation.get("summary") or not operation.get("description")
    ]
    assert undescribed == []


def test_every_error_response_is_documented_as_a_problem(openapi):
    problem_schemas = {"ProblemOut", "BookingProblemOut"}
    wrong = []
    for name, operation in operations(openapi):
        assert "400" in operation["responses"], name  # a NUL character is refused everywhere
        for status, response in operation["responses"].items():
            if int(status) < 400 or (name == "GET /api/v1/health" and status == "503"):
                continue  # the health report is the body of its 503 too
            content = response.get("content", {})
            ref = content.get(PROBLEM, {}).get("schema", {}).get("$ref", "")
            if list(content) != [PROBLEM] or ref.rsplit("/", 1)[-1] not in problem_schemas:
                wrong.append(f"{name} {status}")
    assert wrong == []
    problem = openapi["components"]["schemas"]["ProblemOut"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(problem["properties"])
    assert set(problem["required"]) == {"type", "title", "status", "instance"}


def test_the_errors_an_operation_can_give_are_added_to_it(openapi):
    paths = openapi["paths"]
    cases = paths["/api/v1/cases/{number}"]["get"]["responses"]
    assert {"400", "401", "404", "422"} <= set(cases)
    upload = paths["/api/v1/forms/{slug}/uploads"]["post"]["responses"]
    assert {"413", "422"} <= set(upload)
    assert "415" in paths["/api/v1/cases/{number}/notes"]["post"]["responses"]
    assert set(paths["/api/v1/version"]["get"]["responses"]) == {"200", "400"}


def test_two_different_schemas_of_one_name_stop_the_schema():
    from ninja import NinjaAPI, Router, Schema
    from ninja.errors import ConfigError

    from rathaus.core.problems import ProblemSchema

    def schema_named(field: str) -> type[Schema]:
        return type("Thing", (Schema,), {"__annotations__": {field: str}})

    api = NinjaAPI(urls_namespace="two-things")
    for prefix, field in (("/a", "a"), ("/b", "b")):
        router = Router()
        router.get("", response=schema_named(field))(lambda request: {})
        api.add_router(prefix, router)
    with pytest.raises(ConfigError, match="Thing"):
        ProblemSchema(api, "")


@pytest.mark.django_db
def test_a_method_that_is_not_allowed_is_a_problem_with_allow(client):
    response = client.delete("/api/v1/version")
    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert response["Allow"] == "GET"
    assert response.json()["status"] == 405


def test_an_upload_above_the_request_limit_is_a_problem(client, barleben, settings):
    settings.RATHAUS_UPLOAD_REQUEST_MAX_BYTES = 1000
    body = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n'
    response = client.generic(
        "POST",
        "/api/v1/forms/anything/uploads",
        body + b"%" * 2000 + b"\r\n--x--\r\n",
        content_type="multipart/form-data; boundary=x",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert "at most" in response.json()["detail"]
    # Pages keep their own answer.
    page = client.generic(
        "POST",
        "/antrag/anything/",
        body + b"%" * 2000,
        content_type="multipart/form-data; boundary=x",
    )
    assert page.status_code == 413
    assert page["Content-Type"] != PROBLEM


@pytest.mark.django_db
def test_a_nul_character_is_a_problem(client):
    response = client.get("/api/v1/authorities?kind=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM


@pytest.mark.django_db
def test_a_server_error_is_a_problem(client, monkeypatch):
    from rathaus.core import health

    def broken() -> dict:
        raise RuntimeError("broken")

    monkeypatch.setattr(health, "report", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/health")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["title"] == "Internal Server Error"


def test_a_date_must_be_iso_not_a_unix_time(client, barleben):
    response = client.get("/api/v1/appointments/availability?location=x&type=1&from=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.from"


def test_every_json_body_refuses_unknown_members(openapi):
    """The contract test does not add unknown members to bodies (ADR 0026); the schema says each
    body is closed, and the models refuse them (extra="forbid")."""
    open_bodies = []
    for name, operation in operations(openapi):
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            continue
        schema = content["application/json"]["schema"]
        if "$ref" in schema:  # a model; an operation that reads its body raw declares it inline
            schema = openapi["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        if schema.get("additionalProperties") is not False:
            open_bodies.append(name)
    assert open_bodies == []

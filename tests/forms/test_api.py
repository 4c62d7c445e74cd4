"""The form API: the same checks as the pages, idempotent submissions, clear problems."""

from __future__ import annotations

import json

import pytest

from rathaus.forms.models import Submission
from tests.support import VALID_DATA

pytestmark = [pytest.mark.django_db, pytest.mark.database]

URL = "/api/v1/forms/alle-felder/submissions"
ANLIEGEN = {
    "topic": "roads",
    "subject": "Schlagloch",
    "message": "Ein tiefes Schlagloch vor der Schule.",
    "name": "Ilse Beispiel",
    "email": "ilse@example.org",
    "reply_wanted": False,
}


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_form_definition_is_published(client, all_types_form):
    response = client.get("/api/v1/forms/alle-felder")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["data_schema"]["properties"]["iban"]["format"] == "iban"
    assert body["layout"]["steps"][0]["id"] == "basics"


def test_valid_submission_is_stored_once_per_idempotency_key(client, all_types_form):
    response = post(client, URL, {"data": VALID_DATA}, **{"Idempotency-Key": "abc-123"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("BAR-")
    submission = Submission.objects.get(reference=body["reference"])
    assert submission.channel == "api"
    assert submission.trust_level == "none"
    assert submission.data == VALID_DATA
    retry = post(client, URL, {"data": VALID_DATA}, **{"Idempotency-Key": "abc-123"})
    assert retry.status_code == 200
    assert retry.json()["reference"] == body["reference"]
    changed = post(client, URL, {"data": {**VALID_DATA, "name": "Anders"}},
                   **{"Idempotency-Key": "abc-123"})  # fmt: skip
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.json()["title"]
    assert Submission.objects.count() == 1
    # Without a key every request is a new submission.
    assert post(client, URL, {"data": VALID_DATA}).status_code == 201
    assert Submission.objects.count() == 2


def test_invalid_data_gets_the_page_messages(client, all_types_form):
    data = {**VALID_DATA, "count": "drei", "email": "nope"}
    del data["name"]
    response = post(client, URL, {"data": data}, **{"Accept-Language": "de"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors["data.count"] == "Bitte geben Sie eine ganze Zahl ein."
    assert errors["data.name"] == "Bitte füllen Sie dieses Feld aus."
    assert errors["data.email"].startswith("Bitte geben Sie eine E-Mail-Adresse ein")
    assert not Submission.objects.exists()


def test_unexpected_fields_are_refused(client, all_types_form):
    data = {**VALID_DATA, "is_admin": True, "children": [{"first_name": "Ben", "age": 4}]}
    response = post(client, URL, {"data": data, "extra": 1})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert "body.payload.extra" in fields or "body.extra" in fields
    response = post(client, URL, {"data": data})
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"data.is_admin", "data.children.0.age"}


def test_answers_to_questions_that_are_not_asked_are_refused(client, all_types_form):
    data = {**VALID_DATA, "has_pet": False, "pet_name": "Bello"}
    response = post(client, URL, {"data": data})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["data.pet_name"]


def test_over_long_strings_and_wrong_types(client, all_types_form):
    data = {**VALID_DATA, "name": "x" * 5000, "has_pet": "yes", "children": "many"}
    response = post(client, URL, {"data": data})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"data.name", "data.has_pet", "data.children"} <= fields


def test_only_json_is_accepted(client, all_types_form):
    response = client.post(URL, {"data": "x"})  # a multipart form
    assert response.status_code == 415
    response = client.post(URL, json.dumps({"data": VALID_DATA}), content_type="text/plain")
    assert response.status_code == 415
    assert not Submission.objects.exists()


def test_forms_that_need_a_login(client, barleben):
    response = post(client, "/api/v1/forms/meldebescheinigung/submissions", {"data": {}})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_unknown_and_retired_forms(client, all_types_form):
    from rathaus.forms import services

    assert post(client, "/api/v1/forms/gibt-es-nicht/submissions", {"data": {}}).status_code == 404
    services.retire(all_types_form.definition)
    assert post(client, URL, {"data": VALID_DATA}).status_code == 410


def test_anliegen_without_files(client, barleben):
    response = post(client, "/api/v1/forms/anliegen/submissions", {"data": ANLIEGEN})
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert submission.contact_email == "ilse@example.org"


def test_unknown_upload_ids_are_refused(client, all_types_form):
    data = {**VALID_DATA, "evidence": ["0" * 32]}
    response = post(client, URL, {"data": data})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "data.evidence"


def test_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/forms/{slug}/submissions" in paths
    assert "/api/v1/forms/{slug}/uploads" in paths
    parameters = paths["/api/v1/forms/{slug}/submissions"]["post"]
    assert "Idempotency-Key" in parameters["description"]

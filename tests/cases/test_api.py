"""The staff API for cases with personal API keys: the inbox, one case, actions, errors."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.cases import services
from rathaus.cases.models import Case, CaseEvent, CaseNote
from rathaus.core import api_tokens
from rathaus.core.models import ApiToken, AuditEvent
from tests.support import ANLIEGEN, api, citizen_client, log_in, make_key, submit

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def post(client: Client, path: str, body: dict | None = None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_the_key_page_shows_the_key_once_and_stores_only_its_hash(barleben):
    client = log_in(Client(), "buergerbuero")
    page = client.post("/verwaltung/konto/api-schluessel/",
                       {"action": "create", "name": "Fachverfahren", "days": "30"})  # fmt: skip
    key = re.search(r'id="new-key">(rh_[^<]+)<', page.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert key not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert token.key_hash != key
    assert key.startswith(f"rh_{token.prefix}_")
    assert token.expires_at - token.created_at == datetime.timedelta(days=30)
    again = client.get("/verwaltung/konto/api-schluessel/").content.decode()
    assert key not in again
    assert "Fachverfahren" in again
    assert f"rh_{token.prefix}_" in again
    assert AuditEvent.objects.filter(action="api_token.created", object_id=str(token.pk)).exists()


def test_the_key_page_explains_bad_input_and_needs_a_staff_login(barleben):
    assert Client().get("/verwaltung/konto/api-schluessel/").status_code == 302
    client = log_in(Client(), "buergerbuero")
    page = client.post("/verwaltung/konto/api-schluessel/",
                       {"action": "create", "name": " ", "days": "7"})  # fmt: skip
    text = page.content.decode()
    assert "Dieses Feld ist zwingend erforderlich." in text
    assert "7 ist keine gültige Auswahl." in text
    assert not ApiToken.objects.exists()


def test_a_revoked_key_stops_working_at_once(meldung):
    staff = log_in(Client(), "buergerbuero")
    key = make_key("buergerbuero", client=staff)
    client = api(key)
    assert client.get("/api/v1/cases").status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    staff.post("/verwaltung/konto/api-schluessel/", {"action": "revoke", "token": token.pk})
    response = client.get("/api/v1/cases")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()


def test_a_colleague_cannot_revoke_my_key(meldung):
    key = make_key("buergerbuero")
    other = log_in(Client(), "bauamt")
    response = other.post("/verwaltung/konto/api-schluessel/",
                          {"action": "revoke", "token": ApiToken.objects.get().pk}, follow=True)  # fmt: skip
    assert "gibt es nicht" in response.content.decode()
    assert api(key).get("/api/v1/cases").status_code == 200


def test_missing_wrong_and_expired_keys_get_401(meldung):
    key = make_key("buergerbuero", days=30)
    assert api(None).get("/api/v1/cases").status_code == 401
    assert api("rh_0000_wrong").get("/api/v1/cases").status_code == 401
    assert api(key[:-1] + ("A" if key[-1] != "A" else "B")).get("/api/v1/cases").status_code == 401
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)):
        response = api(key).get("/api/v1/cases")
    assert response.status_code == 401
    assert response.json()["title"] == "Authentication required"


def test_a_deactivated_staff_member_s_key_stops_working(meldung):
    key = make_key("buergerbuero")
    get_user_model().objects.filter(username="buergerbuero").update(is_active=False)
    assert api(key).get("/api/v1/cases").status_code == 401


def test_list_uses_the_inbox_filters_cursor_and_visibility(barleben):
    citizen = citizen_client()
    for number in range(7):
        data = {**ANLIEGEN, "subject": f"Anliegen Laterne{number:02d}"}
        services.route(str(submit(citizen, "anliegen", data).pk))
    client = api(make_key("buergerbuero"))
    first = client.get("/api/v1/cases", {"limit": 5}).json()
    assert len(first["items"]) == 5
    second = client.get("/api/v1/cases", {"limit": 5, "cursor": first["next_cursor"]}).json()
    assert len(second["items"]) == 2
    assert second["next_cursor"] is None
    numbers = [item["number"] for item in first["items"] + second["items"]]
    assert sorted(numbers, reverse=True) == numbers == sorted(set(numbers), reverse=True)
    assert set(numbers) == set(Case.objects.values_list("number", flat=True))
    oldest = client.get("/api/v1/cases", {"sort": "oldest", "limit": 1}).json()
    assert oldest["items"][0]["number"] == numbers[-1]
    assert client.get("/api/v1/cases", {"view": "mine"}).json()["items"] == []
    found = client.get("/api/v1/cases", {"q": "laterne03"}).json()["items"]
    assert [item["title"] for item in found] == ["Anliegen an die Gemeinde"] or len(found) == 1
    assert Case.objects.get(number=found[0]["number"]).submission.data["subject"].endswith("03")
    # Another unit's clerk sees none of them.
    assert api(make_key("bauamt")).get("/api/v1/cases", {"view": "all"}).json()["items"] == []


def test_list_answers_bad_parameters_with_problems(meldung):
    client = api(make_key("buergerbuero"))
    for params in ({"cursor": "nonsense"}, {"limit": 0}, {"limit": 1000}, {"status": "open"},
                   {"since": "2026-02-30"}, {"view": "everything"}):  # fmt: skip
        response = client.get("/api/v1/cases", params)
        assert response.status_code == 422, params
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"], params


def test_list_needs_the_same_queries_for_few_and_many_cases(barleben):
    citizen = citizen_client()
    services.route(str(submit(citizen, "anliegen", ANLIEGEN).pk))
    client = api(make_key("buergerbuero"))
    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/cases").json()["items"]) == 1
    for _number in range(4):
        services.route(str(submit(citizen, "anliegen", ANLIEGEN).pk))
    with CaptureQueriesContext(connection) as five:
        assert len(client.get("/api/v1/cases").json()["items"]) == 5
    assert len(five) == len(one)


def test_get_a_case_with_data_attachments_and_timeline(meldung):
    client = api(make_key("buergerbuero"))
    response = client.get(f"/api/v1/cases/{meldung.number}")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == meldung.number
    assert body["unit"]["slug"] == "buergerbuero"
    assert body["submission"]["data"]["address"]["street"] == "Breiteweg 12"
    assert body["submission"]["attachments"] == []
    kinds = [event["kind"] for event in body["timeline"]]
    assert kinds == list(CaseEvent.objects.filter(case=meldung).values_list("kind", flat=True))
    assert kinds[0] == "opened"
    assert body["notes"] == []


def test_actions_use_the_services_and_land_in_timeline_and_audit(meldung):
    client = api(make_key("buergerbuero"))
    base = f"/api/v1/cases/{meldung.number}"
    before = CaseEvent.objects.filter(case=meldung).count()
    claimed = post(client, f"{base}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["assignee"]["username"] == "buergerbuero"
    assert claimed.json()["status"] == "in_progress"
    noted = post(client, f"{base}/notes", {"text": "Über die Schnittstelle geprüft."})
    assert noted.status_code == 201
    assert CaseNote.objects.get(case=meldung).text == "Über die Schnittstelle geprüft."
    assert post(client, f"{base}/status", {"status": "waiting"}).json()["status"] == "waiting"
    back = post(client, f"{base}/assign", {"assignee": None})
    assert back.json()["assignee"] is None
    kinds = list(CaseEvent.objects.filter(case=meldung).values_list("kind", flat=True))
    assert kinds[before:] == ["assigned", "status", "note", "status", "assigned"]
    assert AuditEvent.objects.filter(action="case.note", object_id=str(meldung.pk),
                                     actor__username="buergerbuero").exists()  # fmt: skip
    timeline = client.get(base).json()
    assert timeline["notes"][0]["text"] == "Über die Schnittstelle geprüft."


def test_action_refusals_and_bad_bodies_are_problems(meldung):
    client = api(make_key("buergerbuero"))
    base = f"/api/v1/cases/{meldung.number}"
    from rathaus.core import roles
    from rathaus.core.models import Membership

    colleague = get_user_model().objects.create_user("kollegin", is_staff=True)
    Membership.objects.create(user=colleague, org_unit=meldung.org_unit,
                              role=roles.role(roles.CLERK))  # fmt: skip
    services.claim(meldung, colleague)
    taken = post(client, f"{base}/claim")
    assert taken.status_code == 409
    assert taken["Content-Type"] == "application/problem+json"
    assert "in der Zwischenzeit" in taken.json()["detail"] or "meantime" in taken.json()["detail"]
    outsider = get_user_model().objects.get(username="bauamt")
    refused = post(client, f"{base}/assign", {"assignee": outsider.pk})
    assert refused.status_code == 409
    assert post(client, f"{base}/assign", {"assignee": 999999}).status_code == 422
    assert post(client, f"{base}/status", {"status": "unknown"}).status_code == 422
    assert post(client, f"{base}/notes", {"text": ""}).status_code == 422
    assert post(client, f"{base}/notes", {"text": "x", "extra": 1}).status_code == 422
    meldung.refresh_from_db()
    assert meldung.assignee == colleague
    assert not CaseNote.objects.exists()


def test_cases_of_other_units_are_404_for_reading_and_acting(meldung):
    client = api(make_key("bauamt"))
    base = f"/api/v1/cases/{meldung.number}"
    assert client.get(base).status_code == 404
    for action, body in (("claim", {}), ("assign", {"assignee": None}),
                         ("status", {"status": "closed"}), ("notes", {"text": "x"})):  # fmt: skip
        response = post(client, f"{base}/{action}", body)
        assert response.status_code == 404, action
        assert response.json()["status"] == 404
    meldung.refresh_from_db()
    assert (meldung.status, meldung.assignee) == ("new", None)


def test_case_numbers_with_slashes_work(barleben):
    from rathaus.core.models import OrgUnit

    OrgUnit.objects.filter(slug="buergerbuero").update(case_number_pattern="EMA/{year}/{number}")
    services.route(str(submit(citizen_client(), "anliegen", ANLIEGEN).pk))
    case = Case.objects.get()
    assert "/" in case.number
    client = api(make_key("buergerbuero"))
    assert client.get(f"/api/v1/cases/{case.number}").json()["number"] == case.number
    assert post(client, f"/api/v1/cases/{case.number}/claim").status_code == 200


def test_the_staff_api_is_in_the_openapi_schema(db):
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/cases" in schema["paths"]
    assert "/api/v1/cases/{number}/claim" in schema["paths"]
    assert any("Bearer" in json.dumps(value) or value.get("scheme") == "bearer"
               for value in schema["components"]["securitySchemes"].values())  # fmt: skip


def test_user_for_key_refuses_keys_of_other_shapes(db):
    assert api_tokens.user_for_key("") is None
    assert api_tokens.user_for_key("Basic abc") is None
    assert api_tokens.user_for_key("rh_" + "x" * 300) is None


def test_a_key_follows_its_owner_s_current_units(meldung):
    from rathaus.core.models import Membership

    client = api(make_key("buergerbuero"))
    assert client.get(f"/api/v1/cases/{meldung.number}").status_code == 200
    Membership.objects.filter(user__username="buergerbuero").delete()
    assert client.get(f"/api/v1/cases/{meldung.number}").status_code == 404
    assert client.get("/api/v1/cases", {"view": "all"}).json()["items"] == []


def test_the_tasks_view_lists_my_cases_with_open_process_tasks(meldung):
    client = api(make_key("buergerbuero"))
    assert meldung.tasks.filter(status="open").exists()  # the process asks for a check
    assert client.get("/api/v1/cases", {"view": "tasks"}).json()["items"] == []
    post(client, f"/api/v1/cases/{meldung.number}/claim")
    listed = client.get("/api/v1/cases", {"view": "tasks"}).json()["items"]
    assert [item["number"] for item in listed] == [meldung.number]

"""The cash office's API (/api/v1/payments/): keys, scoping, actions and their problems."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from rathaus.core import api_tokens
from rathaus.payments import refunds, services
from rathaus.payments.models import PaymentRequest
from rathaus.payments.services import ItemSpec
from tests.factories import AuthorityFactory, CaseFactory, CashOfficeFactory, OrgUnitFactory
from tests.support import clerk_of

pytestmark = pytest.mark.django_db

API = "/api/v1/payments"


def key_for(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_tokens.create(user, 'test', 30).key}"}


def make(authority, amount=1200, case=None, payer="Ilse Beispiel"):
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 2, amount // 2)],
        purpose="Geburtsurkunde", payer_name=payer, case=case,
    )  # fmt: skip
    return request


@pytest.fixture
def unit():
    unit = OrgUnitFactory()
    CashOfficeFactory(authority=unit.authority, provider="invoice")
    return unit


@pytest.fixture
def cashier(unit):
    user = clerk_of(unit, "kasse")
    user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="payments",
        codename__in=["view_paymentrequest", "change_paymentrequest"]))  # fmt: skip
    return key_for(user)


def test_a_key_is_needed():
    response = Client().get(API)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert Client().get(API, HTTP_AUTHORIZATION="Bearer rh_wrong").status_code == 401


def test_the_list_is_scoped_and_filtered(unit, cashier):
    paid = make(unit.authority, payer="Anna Alt")
    services.mark_received(paid, user=None)
    make(unit.authority, 2000, payer="Bernd Neu")
    make(AuthorityFactory(), payer="Fremd")
    client = Client()
    body = client.get(API, **cashier).json()
    assert body["total"] == 2
    assert {item["payer_name"] for item in body["items"]} == {"Anna Alt", "Bernd Neu"}
    body = client.get(API, {"status": "paid"}, **cashier).json()
    assert [item["kassenzeichen"] for item in body["items"]] == [paid.kassenzeichen]
    assert client.get(API, {"q": "bernd"}, **cashier).json()["total"] == 1
    assert client.get(API, {"until": "2001-01-01"}, **cashier).json()["total"] == 0
    assert client.get(API, {"provider": "invoice", "limit": 1}, **cashier).json()["total"] == 2
    response = client.get(API, {"status": "bezahlt"}, **cashier)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.status"


def test_one_request_with_items_history_and_refunds(unit, cashier):
    payment = make(unit.authority)
    services.mark_received(payment, user=None, note="Kasse")
    refunds.refund(payment, 200, user=None, note="Teilerlass")
    body = Client().get(f"{API}/{payment.pk}", **cashier).json()
    assert body["kassenzeichen"] == payment.kassenzeichen
    assert [(i["quantity"], i["unit_cents"], i["total_cents"]) for i in body["items"]] == [
        (2, 600, 1200)
    ]
    assert [(h["from_status"], h["to_status"], h["cause"]) for h in body["history"]] == [
        (None, "created", "system"),
        ("created", "paid", "staff"),
    ]
    assert [(r["amount_cents"], r["reason"], r["status"]) for r in body["refunds"]] == [
        (200, "staff", "requested")
    ]
    assert body["refundable_cents"] == 1000


def test_other_authority_other_unit_and_a_clerk_who_may_not_act(unit, cashier):
    foreign = make(AuthorityFactory())
    client = Client()
    assert client.get(f"{API}/{foreign.pk}", **cashier).status_code == 404
    response = client.post(f"{API}/{foreign.pk}/received", {}, content_type="application/json",
                           **cashier)  # fmt: skip
    assert response.status_code == 404
    clerk = key_for(clerk_of(unit, "clerk"))
    own = make(unit.authority, case=CaseFactory(org_unit=unit))
    other = make(
        unit.authority, case=CaseFactory(org_unit=OrgUnitFactory(authority=unit.authority))
    )
    assert client.get(f"{API}/{own.pk}", **clerk).status_code == 200
    assert client.get(f"{API}/{other.pk}", **clerk).status_code == 404
    assert client.get(API, **clerk).json()["total"] == 1
    response = client.post(f"{API}/{own.pk}/received", {}, content_type="application/json",
                           **clerk)  # fmt: skip
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == PaymentRequest.Status.CREATED


def test_received_cancel_and_refund_with_their_conflicts(unit, cashier):
    client = Client()
    payment = make(unit.authority)

    def post(path, body):
        return client.post(f"{API}/{payment.pk}/{path}", body, content_type="application/json",
                           **cashier)  # fmt: skip

    response = post("refunds", {"amount_cents": 100, "reason": "zu früh"})
    assert response.status_code == 409
    assert response.json()["current_status"] == "created"
    response = post("received", {"note": "Überweisung"})
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert response.json()["history"][-1]["note"] == "Überweisung"
    response = post("received", {})
    assert response.status_code == 409
    assert "bereits als bezahlt" in response.json()["detail"]
    assert post("cancel", {"reason": "zu spät"}).status_code == 409
    assert post("cancel", {}).status_code == 422
    response = post("refunds", {"amount_cents": 1201, "reason": "Erlass"})
    assert response.status_code == 409
    assert post("refunds", {"amount_cents": 0, "reason": "Erlass"}).status_code == 422
    assert post("refunds", {"amount_cents": 100, "reason": ""}).status_code == 422
    response = post("refunds", {"amount_cents": 450, "reason": "Teilerlass"})
    assert response.status_code == 201
    assert response.json()["amount_cents"] == 450
    other = make(unit.authority)
    response = client.post(f"{API}/{other.pk}/cancel", {"reason": "erlassen"},
                           content_type="application/json", **cashier)  # fmt: skip
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_the_operations_are_in_the_schema():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/payments", "/api/v1/payments/{payment_id}",
            "/api/v1/payments/{payment_id}/received", "/api/v1/payments/{payment_id}/cancel",
            "/api/v1/payments/{payment_id}/refunds"} <= set(paths)  # fmt: skip

"""Two deliveries of the same PAYED notification at the same moment (the provider repeats it,
two web workers take one each): one applies, one StatusChange to paid (ADR 0046, 0047)."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from rathaus.payments import services
from rathaus.payments.models import Notification, PaymentRequest, StatusChange
from rathaus.payments.sandbox import signing
from rathaus.payments.services import ItemSpec
from tests.factories import AuthorityFactory, CashOfficeFactory
from tests.support import SANDBOX_WEBHOOK_KEYS, run_in_threads

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

S = PaymentRequest.Status


def test_the_same_payed_notification_twice_at_once_is_applied_once(settings):
    settings.RATHAUS_PAYMENT_WEBHOOK_KEYS = dict(SANDBOX_WEBHOOK_KEYS)
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 1, 1200)], purpose="Urkunde"
    )
    PaymentRequest.objects.filter(pk=request.pk).update(status=S.PENDING, transaction_id="SBX-c")
    body = json.dumps(
        {
            "eventId": "evt-race",
            "paymentInformation": {"transactionId": "SBX-c", "status": "PAYED", "grosAmount": 12,
                                   "currency": "EUR", "requestId": str(request.pk)},
        }
    ).encode()  # fmt: skip
    headers = signing.headers("k1", SANDBOX_WEBHOOK_KEYS["k1"], int(time.time()), body)
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    answers: list[dict] = []

    def deliver() -> None:
        response = Client().post("/api/v1/payments/webhooks/sandbox", body,
                                 content_type="application/json", **extra)  # fmt: skip
        assert response.status_code == 200, response.content
        answers.append(response.json())

    assert run_in_threads(deliver, deliver, together=True) == []
    assert sorted(answer["outcomes"][0] for answer in answers) == ["applied", "duplicate"]
    request.refresh_from_db()
    assert request.status == S.PAID
    assert StatusChange.objects.filter(request=request, to_status=S.PAID).count() == 1
    assert Notification.objects.filter(outcome="applied").count() == 1

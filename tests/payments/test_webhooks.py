"""The sandbox provider's signature check and the webhook endpoint: a forged, replayed,
changed or unknown notification is kept and changes nothing."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from rathaus.payments import services
from rathaus.payments.models import Notification, PaymentRequest, StatusChange
from rathaus.payments.providers.base import (
    MalformedNotification,
    NotificationRejected,
    TransactionStatus,
    providers,
)
from rathaus.payments.sandbox import signing
from rathaus.payments.services import ItemSpec
from rathaus.payments.webhooks import notify_url
from tests.factories import AuthorityFactory, CashOfficeFactory
from tests.support import SANDBOX_WEBHOOK_KEYS

pytestmark = pytest.mark.django_db

S = PaymentRequest.Status
URL = "/api/v1/payments/webhooks/sandbox"


@pytest.fixture(autouse=True)
def _webhook_keys(settings):
    settings.RATHAUS_PAYMENT_WEBHOOK_KEYS = dict(SANDBOX_WEBHOOK_KEYS)
    settings.RATHAUS_PAYMENT_WEBHOOK_WINDOW = 300


@pytest.fixture
def request_():
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 2, 1200)], purpose="Urkunde"
    )
    PaymentRequest.objects.filter(pk=request.pk).update(status=S.PENDING, transaction_id="SBX-1")
    request.refresh_from_db()
    return request


def body(request, status="PAYED", *, event="evt-1", amount="24.00", transaction="SBX-1",
         currency="EUR", request_id=None) -> bytes:  # fmt: skip
    return json.dumps(
        {
            "eventId": event,
            "paymentInformation": {
                "transactionId": transaction,
                "status": status,
                "grosAmount": json.loads(amount),
                "currency": currency,
                "requestId": str(request.pk) if request_id is None else request_id,
                "paymentMethod": "SANDBOX",
                "transactionTimestamp": "2026-12-07T10:00:00+00:00",
            },
        }
    ).encode()


def signed(data: bytes, *, key="k1", secret=None, at=None) -> dict[str, str]:
    secret = secret or SANDBOX_WEBHOOK_KEYS[key]
    return signing.headers(key, secret, int(time.time() if at is None else at), data)


def post(data: bytes, headers: dict[str, str], client: Client | None = None, url: str = URL):
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    return (client or Client()).post(url, data, content_type="application/json", **extra)


def paid_changes(request) -> int:
    return StatusChange.objects.filter(request=request, to_status=S.PAID).count()


# --- verify ------------------------------------------------------------------------------


def test_verify_reads_a_correctly_signed_notification_with_either_key(request_):
    sandbox = providers.get("sandbox")
    data = body(request_)
    for key in ("k1", "k2"):
        (notice,) = sandbox.verify(data, signed(data, key=key))
        assert notice.event_id == "evt-1"
        assert notice.key_id == key
        assert notice.payment.status == TransactionStatus.PAYED
        assert notice.payment.gross_amount_cents == 2400
        assert notice.payment.request_id == str(request_.pk)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"secret": "not-the-secret"}, "signature does not match"),
        ({"key": "k9", "secret": "whatever"}, "unknown key id"),
        ({"at": -301}, "outside the window"),
        ({"at": +400}, "outside the window"),
    ],
)
def test_verify_refuses_a_wrong_signature_an_unknown_key_and_an_old_timestamp(
    request_, change, reason
):
    """Timestamps are given as seconds from now and made when the test runs: made when the
    module is collected, "400 s ahead" was already inside the window minutes later."""
    data = body(request_)
    if "at" in change:
        change = {**change, "at": time.time() + change["at"]}
    with pytest.raises(NotificationRejected, match=reason):
        providers.get("sandbox").verify(data, signed(data, **change))


def test_verify_refuses_a_body_changed_after_signing(request_):
    headers = signed(body(request_))
    with pytest.raises(NotificationRejected, match="signature does not match"):
        providers.get("sandbox").verify(body(request_, amount="0.01"), headers)


def test_verify_refuses_missing_headers_and_a_signed_but_malformed_body(request_):
    sandbox = providers.get("sandbox")
    with pytest.raises(NotificationRejected, match="headers missing"):
        sandbox.verify(body(request_), {})
    for data in (b"not json", b'{"eventId": 3}', json.dumps({"eventId": "e"}).encode(),
                 body(request_, status="SOMETHING"), body(request_, amount="1.001")):  # fmt: skip
        with pytest.raises(MalformedNotification):
            sandbox.verify(data, signed(data))


def test_verify_with_no_keys_configured_rejects_everything(request_, settings):
    settings.RATHAUS_PAYMENT_WEBHOOK_KEYS = {}
    data = body(request_)
    with pytest.raises(NotificationRejected, match="unknown key id"):
        providers.get("sandbox").verify(data, signed(data))


# --- the endpoint ------------------------------------------------------------------------


def test_a_signed_payment_is_applied_once_and_its_replay_is_a_duplicate(request_):
    data = body(request_)
    client = Client(enforce_csrf_checks=True)  # no CSRF token: the signature is the auth
    first = post(data, signed(data), client)
    assert first.status_code == 200, first.content
    assert first.json() == {"outcomes": ["applied"]}
    request_.refresh_from_db()
    assert request_.status == S.PAID
    assert request_.payment_method == "SANDBOX"
    # the same event again (the provider repeats it, or someone replays it in the window)
    again = post(data, signed(data), client)
    assert again.status_code == 200
    assert again.json() == {"outcomes": ["duplicate"]}
    assert paid_changes(request_) == 1
    change = StatusChange.objects.get(request=request_, to_status=S.PAID)
    assert change.cause == StatusChange.Cause.PROVIDER
    assert change.notification.event_id == "evt-1"
    assert change.notification.key_id == "k1"


@pytest.mark.parametrize(
    "change", [{"secret": "forged"}, {"key": "k9", "secret": "x"}, {"at": time.time() - 3600}]
)
def test_a_forged_or_old_notification_is_refused_with_401_kept_and_changes_nothing(
    request_, change
):
    data = body(request_)
    response = post(data, signed(data, **change))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401
    kept = Notification.objects.get()
    assert kept.outcome == Notification.Outcome.REJECTED
    assert kept.body == data.decode()
    assert kept.reason
    request_.refresh_from_db()
    assert request_.status == S.PENDING
    assert paid_changes(request_) == 0


def test_a_changed_amount_correctly_signed_is_refused_with_400_kept_and_changes_nothing(request_):
    data = body(request_, amount="0.01")
    response = post(data, signed(data))
    assert response.status_code == 400
    assert "amount" in response.json()["detail"]
    kept = Notification.objects.get()
    assert kept.outcome == Notification.Outcome.REJECTED
    assert kept.request == request_
    assert "differs" in kept.reason
    request_.refresh_from_db()
    assert request_.status == S.PENDING


def test_a_signed_but_unreadable_notification_is_refused_with_400_and_kept(request_):
    data = b'{"eventId": "e", "paymentInformation": {"status": "PAYED"}}'
    response = post(data, signed(data))
    assert response.status_code == 400
    assert Notification.objects.get().outcome == Notification.Outcome.REJECTED


def test_a_notification_for_an_unknown_payment_is_kept_and_answered_202(request_):
    data = body(request_, request_id="00000000-0000-0000-0000-000000000000",
                transaction="SBX-other")  # fmt: skip
    response = post(data, signed(data))
    assert response.status_code == 202  # 2xx: the provider stops sending it
    assert response.json() == {"outcomes": ["unknown"]}
    assert Notification.objects.get().outcome == Notification.Outcome.UNKNOWN
    request_.refresh_from_db()
    assert request_.status == S.PENDING


def test_an_unknown_provider_is_404_and_a_large_body_413(request_):
    data = body(request_)
    assert post(data, signed(data), url="/api/v1/payments/webhooks/nope").status_code == 404
    large = b'{"x": "' + b"a" * 70_000 + b'"}'
    response = post(large, signed(large))
    assert response.status_code == 413
    assert not Notification.objects.exists()


def test_the_invoice_provider_takes_no_notifications(request_):
    data = body(request_)
    response = post(data, signed(data), url="/api/v1/payments/webhooks/invoice")
    assert response.status_code == 401
    assert Notification.objects.get().provider == "invoice"


def test_the_notify_url_is_absolute_and_the_endpoint_is_in_the_schema(settings):
    settings.RATHAUS_PUBLIC_URL = "https://portal.example.org"
    assert notify_url("sandbox") == "https://portal.example.org/api/v1/payments/webhooks/sandbox"
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/payments/webhooks/{provider}"]["post"]
    assert {"200", "202", "400", "401", "404", "413"} <= set(operation["responses"])
    assert "security" not in operation


def test_a_timestamp_of_other_digits_is_refused_not_an_error(request_):
    data = body(request_)
    headers = {**signed(data), "X-Sandbox-Timestamp": "\u00b9\u00b2"}
    answer = post(data, headers)
    assert answer.status_code == 401
    assert paid_changes(request_) == 0


def test_a_flood_of_refused_notifications_is_refused_without_keeping_it(request_, settings):
    from rathaus.payments import webhooks

    data = body(request_)
    forged = signed(data, secret="not-the-secret")
    answers = [post(data, forged).status_code for _ in range(webhooks.REJECTED_PER_MINUTE + 3)]
    assert answers.count(401) == webhooks.REJECTED_PER_MINUTE
    assert answers[-1] == 429
    kept = Notification.objects.filter(outcome=Notification.Outcome.REJECTED).count()
    assert kept == webhooks.REJECTED_PER_MINUTE
    assert post(data, signed(data)).status_code == 200  # the provider's own still come in

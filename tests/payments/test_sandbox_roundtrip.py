"""The payment sandbox as a separate process, used as a real provider would be: start a
payment, pay (or fail) on its page, and its late, repeated, out-of-order notifications reach
the live server's webhook; the request is paid once. Also: the sandbox down and back."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from rathaus.payments import polling, refunds, services
from rathaus.payments.models import Notification, PaymentRequest, Refund, StatusChange
from rathaus.payments.providers.base import ProviderUnavailable, TransactionStatus, providers
from rathaus.payments.services import ItemSpec
from rathaus.payments.webhooks import notify_url
from tests.factories import AuthorityFactory, CashOfficeFactory
from tests.support import free_port, running_payment_sandbox

pytestmark = pytest.mark.database  # live server and sandbox on SQLite and PostgreSQL

S = PaymentRequest.Status
Outcome = Notification.Outcome


def new_request() -> PaymentRequest:
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority,
        items=[ItemSpec("Geburtsurkunde", 1, 1200), ItemSpec("weitere Ausfertigung", 1, 600)],
        purpose="Geburtsurkunde",
    )
    return request


def start(request: PaymentRequest) -> str:
    return services.start(request, redirect_url="https://portal.example.org/zurueck/",
                          notify_url=notify_url("sandbox"))  # fmt: skip


def choose(page_url: str, choice: str) -> tuple[int, str]:
    """Post the payer's choice as the page's form does; the status and where it leads."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    data = urlencode({"choice": choice}).encode()
    try:
        with opener.open(page_url, data=data, timeout=10) as answer:
            return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        time.sleep(0.1)


def outcomes(request: PaymentRequest) -> list[tuple[str, str]]:
    return sorted(request.notifications.values_list("status", "outcome"))


def test_paying_on_the_sandbox_page_pays_the_request_once(payment_sandbox):
    request = new_request()
    page = start(request)
    request.refresh_from_db()
    assert page.startswith(f"{payment_sandbox}/pay/SBX-")
    assert request.status == S.PENDING
    assert request.payment_url == page
    html = urllib.request.urlopen(page, timeout=10).read().decode()
    assert "<html lang='de'>" in html
    assert "18,00 €" in html
    assert "Geburtsurkunde" in html
    assert "weitere Ausfertigung" in html
    assert "Bezahlen" in html
    assert "Zahlung fehlschlagen lassen" in html

    assert choose(page, "pay") == (303, "https://portal.example.org/zurueck/")
    # INITIAL and PAYED, each sent twice, INITIAL held back until after PAYED
    wait_for(lambda: request.notifications.count() >= 4)
    request.refresh_from_db()
    assert request.status == S.PAID
    assert request.transaction_id == page.rsplit("/", 1)[1]
    assert StatusChange.objects.filter(request=request, to_status=S.PAID).count() == 1
    assert outcomes(request) == [
        ("INITIAL", Outcome.DUPLICATE),
        ("INITIAL", Outcome.IGNORED),
        ("PAYED", Outcome.APPLIED),
        ("PAYED", Outcome.DUPLICATE),
    ]
    first = request.notifications.order_by("received_at", "pk").first()
    assert first.status == "PAYED"  # out of order on purpose
    # the payer cannot choose again; the status query agrees
    assert choose(page, "fail")[0] == 409
    answer = providers.get("sandbox").query(request.transaction_id)
    assert (answer.status, answer.gross_amount_cents) == (TransactionStatus.PAYED, 1800)


def test_letting_the_payment_fail_fails_the_request(payment_sandbox):
    request = new_request()
    page = start(request)
    assert choose(page, "fail")[0] == 303
    wait_for(lambda: request.notifications.count() >= 4)
    request.refresh_from_db()
    assert request.status == S.FAILED
    assert not StatusChange.objects.filter(request=request, to_status=S.PAID).exists()


def test_a_refund_is_paid_back_through_the_sandbox(payment_sandbox):
    request = new_request()
    choose(start(request), "pay")
    wait_for(lambda: PaymentRequest.objects.get(pk=request.pk).status == S.PAID)
    refund = Refund.objects.create(request=request, amount_cents=600, reason=Refund.Reason.STAFF,
                                   transaction_id=request.transaction_id)  # fmt: skip
    settled = refunds.settle_refund(refund.pk)
    assert settled.status == Refund.Status.DONE
    assert settled.provider_refund_id.startswith("SBR-")
    # asked again under the same reference (a retry after a time-out): paid back once
    again = providers.get("sandbox").refund(
        request.transaction_id, 600, f"{request.kassenzeichen}-R{refund.pk}"
    )
    assert again.refund_id == settled.provider_refund_id
    other = providers.get("sandbox").refund(request.transaction_id, 600, "another")
    assert other.refund_id != settled.provider_refund_id
    with pytest.raises(ProviderUnavailable):  # 18 € paid, 12 € back: 6 € are left
        providers.get("sandbox").refund(request.transaction_id, 700, "a third")


def test_when_the_sandbox_is_down_nothing_changes_and_a_retry_works(live_server, settings):
    from tests.support import SANDBOX_API_KEY, SANDBOX_FAST, SANDBOX_WEBHOOK_KEYS

    settings.RATHAUS_PUBLIC_URL = live_server.url
    settings.RATHAUS_PAYMENT_SANDBOX_API_KEY = SANDBOX_API_KEY
    settings.RATHAUS_PAYMENT_WEBHOOK_KEYS = dict(SANDBOX_WEBHOOK_KEYS)
    port = free_port()
    settings.RATHAUS_PAYMENT_SANDBOX_URL = f"http://127.0.0.1:{port}"
    request = new_request()
    with pytest.raises(ProviderUnavailable):
        start(request)
    request.refresh_from_db()
    assert (request.status, request.transaction_id, request.payment_url) == (S.CREATED, "", "")
    with running_payment_sandbox(*SANDBOX_FAST, port=port):
        page = start(request)
        request.refresh_from_db()
        assert request.status == S.PENDING
        assert request.payment_url == page


def test_a_pending_request_is_asked_at_the_sandbox_and_paid_by_the_answer(payment_sandbox,
                                                                          settings):  # fmt: skip
    settings.RATHAUS_PUBLIC_URL = "http://127.0.0.1:9"  # the notifications get lost
    request = new_request()
    page = start(request)
    choose(page, "pay")
    later = request.updated_at + polling.PENDING_FOR * 2
    assert polling.poll_pending(later) == 1
    request.refresh_from_db()
    assert request.status == S.PAID
    assert request.last_checked_at == later
    change = StatusChange.objects.get(request=request, to_status=S.PAID)
    assert change.cause == StatusChange.Cause.QUERY
    assert change.notification.event_id == f"query:{request.transaction_id}:PAYED"


def test_a_refused_call_is_provider_unavailable_and_changes_nothing(payment_sandbox, settings):
    settings.RATHAUS_PAYMENT_SANDBOX_API_KEY = "not-the-key"  # the sandbox answers 401
    request = new_request()
    with pytest.raises(ProviderUnavailable, match="401"):
        start(request)
    request.refresh_from_db()
    assert (request.status, request.transaction_id) == (S.CREATED, "")
    with pytest.raises(ProviderUnavailable):
        providers.get("sandbox").query("SBX-unknown")

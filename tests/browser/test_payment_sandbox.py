"""The payment sandbox's page in a browser: accessible, and paying there pays the request
(the notification reaches the live server from the sandbox process)."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.payments import services
from rathaus.payments.models import PaymentRequest
from rathaus.payments.services import ItemSpec
from rathaus.payments.webhooks import notify_url
from tests.factories import AuthorityFactory, CashOfficeFactory

Check = Callable[[Page], None]


def test_paying_on_the_sandbox_page(page: Page, payment_sandbox: str, live_server,
                                    assert_accessible: Check) -> None:  # fmt: skip
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 2, 1200)], purpose="Urkunde"
    )
    back = f"{live_server.url}/kontakt/"
    page_url = services.start(request, redirect_url=back, notify_url=notify_url("sandbox"))
    page.goto(page_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bezahl-Sandbox")
    expect(page.get_by_text("24,00 €").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Bezahlen").click()
    page.wait_for_url(back)
    deadline = time.monotonic() + 30
    while PaymentRequest.objects.get(pk=request.pk).status != PaymentRequest.Status.PAID:
        assert time.monotonic() < deadline, "the payment did not arrive"
        time.sleep(0.1)

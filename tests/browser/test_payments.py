"""A payer without an account pays a fee online and reads the confirmation; another pays on
site with the cash reference — in a real browser with axe (ADR 0051)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from rathaus.core.models import Authority
from rathaus.payments import access, services
from rathaus.payments.providers.base import (
    PaymentInformation,
    ProviderUnavailable,
    RefundResult,
    Started,
    TransactionStatus,
    XPaymentRequest,
    providers,
)
from rathaus.payments.services import ItemSpec
from tests.factories import CashOfficeFactory

Check = Callable[[Page], None]
ITEMS = [
    ItemSpec("Geburtsurkunde", 1, 1200, "geburt"),
    ItemSpec("Geburtsurkunde, weitere Ausfertigung", 1, 600, "geburt"),
]


@dataclass
class StraightBack:
    """An online provider whose payment page sends the browser straight back."""

    verbose_name: str = "Testbezahldienst"
    online: bool = True
    down: bool = False
    status: TransactionStatus = TransactionStatus.INITIAL
    started: list[XPaymentRequest] = field(default_factory=list)

    def start(self, request: XPaymentRequest) -> Started:
        if self.down:
            raise ProviderUnavailable("connection refused")
        self.started.append(request)
        return Started(f"tx-{len(self.started)}", request.redirect_url)

    def query(self, transaction_id: str) -> PaymentInformation:
        request = self.started[-1]
        return PaymentInformation(transaction_id, self.status, request.gross_amount_cents,
                                  request_id=request.request_id, payment_method="Kreditkarte")  # fmt: skip

    def verify(self, body, headers):  # pragma: no cover - no notifications here
        return []

    def refund(self, transaction_id, amount_cents, reference):  # pragma: no cover
        return RefundResult("r1", True)


def test_paying_online_after_the_service_was_down_and_the_confirmation(
    page: Page, server: str, assert_accessible: Check
) -> None:
    barleben = Authority.objects.get(slug="barleben")
    CashOfficeFactory(authority=barleben, provider="browserpay")
    provider = StraightBack(down=True)
    with providers.override("browserpay", provider):
        payment, _ = services.create_request(
            authority=barleben, items=ITEMS, purpose="Geburtsurkunde",
            payer_email="kim@example.org", provider="browserpay",
        )  # fmt: skip
        page.goto(server + access.url(payment))
        expect(page.get_by_role("heading", level=1)).to_have_text("Gebühr bezahlen")
        expect(page.get_by_text(payment.kassenzeichen)).to_be_visible()
        expect(page.get_by_role("table", name="Wofür Sie bezahlen")).to_contain_text("18,00")
        assert_accessible(page)

        page.get_by_role("button", name="Jetzt bezahlen").click()
        expect(page.get_by_role("alert")).to_contain_text("nicht erreichbar")
        assert_accessible(page)

        provider.down = False
        page.get_by_role("button", name="Noch einmal bezahlen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Wir prüfen Ihre Zahlung")
        assert_accessible(page)

        provider.status = TransactionStatus.PAYED
        page.get_by_role("link", name="Noch einmal nachsehen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Zahlung eingegangen")
        assert_accessible(page)

        page.get_by_role("link", name="Zahlungsbestätigung anzeigen").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Zahlungsbestätigung")
        expect(page.get_by_text("Kreditkarte")).to_be_visible()
        assert_accessible(page)
        page.set_viewport_size({"width": 320, "height": 800})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_paying_on_site_shows_the_cash_reference_and_the_bank_account(
    page: Page, server: str, assert_accessible: Check
) -> None:
    barleben = Authority.objects.get(slug="barleben")
    CashOfficeFactory(authority=barleben)
    payment, _ = services.create_request(
        authority=barleben, items=ITEMS, purpose="Geburtsurkunde", payer_email="kim@example.org",
        provider="invoice",
    )  # fmt: skip
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(server + access.url(payment))
    expect(page.get_by_role("heading", name="So bezahlen Sie")).to_be_visible()
    expect(page.get_by_text(services.cash_office(barleben).iban)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)

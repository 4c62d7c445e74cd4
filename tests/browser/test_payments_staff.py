"""The cash office records a payment at the desk, pays part of one back and opens the day's
reconciliation, in a real browser with axe on every page."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.payments.models import PaymentRequest
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_cash_office_records_money_refunds_and_closes_the_day(
    page: Page, server: str, assert_accessible: Check
) -> None:
    open_request = PaymentRequest.objects.get(source="demo:kasse:2")

    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Zahlungen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zahlungen")
    assert_accessible(page)

    page.get_by_label("Kassenzeichen, Zweck oder zahlende Person enthält").fill("Hans Muster")
    page.get_by_role("button", name="Anzeigen").click()
    page.get_by_role("link", name=open_request.kassenzeichen).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(open_request.kassenzeichen)
    assert_accessible(page)
    page.get_by_label("Vermerk (z. B. an der Kasse bezahlt, Kontoauszug)").fill("Barzahlung")
    page.get_by_role("button", name="Zahlung als eingegangen erfassen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Zahlung ist als eingegangen erfasst.")
    page.get_by_label("Zu erstattender Betrag in Euro").fill("99,00")
    page.get_by_label("Grund der Erstattung").fill("Teilerlass")
    page.get_by_role("button", name="Erstatten", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("höchstens 18,00")
    assert_accessible(page)
    page.get_by_label("Zu erstattender Betrag in Euro").fill("6,00")
    page.get_by_label("Grund der Erstattung").fill("Teilerlass")
    page.get_by_role("button", name="Erstatten", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("6,00")
    page.get_by_role("button", name="Erstattung als ausgezahlt erfassen").click()
    expect(page.get_by_role("status")).to_contain_text("als ausgezahlt erfasst")
    assert_accessible(page)

    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Zahlungen"
    ).click()
    page.get_by_role("link", name="Tagesabschluss").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tagesabschluss")
    expect(page.get_by_role("link", name=open_request.kassenzeichen)).to_have_count(2)
    assert_accessible(page)

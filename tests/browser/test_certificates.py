"""The certificate portal in the browser: /urkunden/ with the fees of the fee table, the way
to the order form and its first step, with axe on each page, also without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.core.demo import DEMO_PASSWORD

Check = Callable[[Page], None]


def test_the_portal_leads_to_the_first_step_of_the_order(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/urkunden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Urkunden bestellen")
    fees = page.get_by_role("table")
    expect(fees.get_by_role("row", name="Geburtsurkunde 12,00 € 6,00 €")).to_be_visible()
    expect(page.get_by_role("heading", name="Wer darf bestellen?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Bestellung beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Urkunde")
    assert_accessible(page)
    page.get_by_role("button", name="Antrag beginnen").click()
    expect(page.get_by_role("heading", name="Welche Urkunde brauchen Sie?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Geburtsurkunde").check()
    expect(
        page.get_by_text("Brauchen Sie die Urkunde international (mehrsprachig)?")
    ).to_be_visible()
    page.get_by_label("Beglaubigter Registerausdruck", exact=False).check()
    expect(page.get_by_text("Brauchen Sie die Urkunde international")).to_be_hidden()
    assert_accessible(page)


def test_the_first_step_explains_its_errors_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/urkunden/")
    page.get_by_role("link", name="Bestellung beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("button", name="Antrag beginnen").click()
    page.get_by_label("Geburtsurkunde").check()
    page.get_by_label("Anzahl der Urkunden").fill("0")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    assert_accessible(page)

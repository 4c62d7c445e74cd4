"""A citizen looks for a service in a real browser, from the start page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

Check = Callable[[Page], None]


def test_citizen_finds_the_birth_certificate_in_three_steps(
    page: Page, server: str, assert_accessible: Check
) -> None:
    # Step 1: the start page has the search field.
    page.goto(f"{server}/")
    assert_accessible(page)
    page.get_by_label("Was brauchen Sie?").fill("Geburtsurkunde")
    page.get_by_role("button", name="Suchen").click()

    # Step 2: the results, the town's own service first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Leistungen suchen")
    expect(page.get_by_role("status")).to_contain_text("gefunden für „Geburtsurkunde“")
    first = page.locator(".service-item").first
    expect(first).to_contain_text("Geburtsurkunde Ausstellung")
    expect(first).to_contain_text("von Gemeinde Barleben angeboten")
    assert_accessible(page)
    first.get_by_role("link", name="Geburtsurkunde Ausstellung").click()

    # Step 3: the service page says what to bring, what it costs and who does it.
    expect(page.get_by_role("heading", level=1)).to_have_text("Geburtsurkunde Ausstellung")
    expect(page.get_by_text("Personalausweis oder Reisepass")).to_be_visible()
    expect(page.get_by_text("12,00 € je Urkunde")).to_be_visible()
    expect(page.get_by_role("heading", name="Kontakt: Standesamt")).to_be_visible()
    assert_accessible(page)

    # And who is responsible for a place in the Landkreis.
    page.get_by_label("Ihre Postleitzahl").fill("39326")
    page.get_by_role("button", name="Finden").click()
    answer = page.locator(".finder__answer")
    expect(answer).to_contain_text("Für 39326 (Meitzendorf) ist zuständig:")
    expect(answer).to_contain_text("Gemeinde Barleben – Standesamt")
    assert_accessible(page)


def test_browse_by_topic_and_the_assembly_authority(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Leistungen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leistungen")
    assert_accessible(page)
    page.get_by_role("link", name="Recht & Ordnung").click()
    assert_accessible(page)
    page.locator(".service-list a").first.click()
    assert_accessible(page)

    page.goto(f"{server}/leistungen/99089016000000/?plz=39179")
    expect(page.locator(".finder__answer")).to_contain_text("Landkreis Börde – Versammlungsbehörde")
    assert_accessible(page)


def test_search_without_javascript_and_with_bad_input(
    new_context: Callable[..., object], server: str, assert_accessible: Check
) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/leistungen/suche?q=a")
    expect(page.get_by_role("alert")).to_contain_text("mindestens zwei Buchstaben")
    assert_accessible(page)
    page.get_by_label("Was brauchen Sie?").fill("Hund anmelden")
    page.get_by_role("button", name="Suchen").click()
    expect(page.locator(".service-item").first).to_contain_text("Hundehaltung Anmeldung")
    page.goto(f"{server}/leistungen/99027002012000/?plz=123")
    expect(page.get_by_role("alert")).to_contain_text("Diese Postleitzahl kennen wir nicht")
    assert_accessible(page)


def test_ozg_dashboard_on_desktop_and_phone(
    new_context: Callable[..., object], server: str, assert_accessible: Check
) -> None:
    for width in (1280, 320):
        context = new_context(viewport={"width": width, "height": 900})
        page = context.new_page()  # type: ignore[attr-defined]
        page.goto(f"{server}/ozg/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Umsetzungsstand OZG")
        expect(page.get_by_role("img").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        # Every number leads to the services behind it, without JavaScript.
        table = page.get_by_role("table", name="Leistungen nach Themenfeld", exact=False)
        link = table.get_by_role("link").first
        count = int(link.inner_text())
        link.click()
        expect(page).to_have_url(re.compile(r"/ozg/leistungen/\?behoerde=barleben&thema="))
        expect(page.locator("ul.ozg-services > li")).to_have_count(count)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        page.go_back()
        page.get_by_label("Behörde").select_option("landkreis-boerde")
        page.get_by_role("button", name="Anzeigen").click()
        expect(page).to_have_url(f"{server}/ozg/?behoerde=landkreis-boerde")
        assert_accessible(page)


def test_clerk_edits_an_offer_in_the_staff_area(
    page: Page, server: str, assert_accessible: Check
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rathaus.core.demo import DEMO_PASSWORD
    from tests.support import current_code

    page.goto(f"{server}/verwaltung/angebote/")
    page.get_by_label("Benutzername").fill("standesamt")
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Weiter").click()
    device = TOTPDevice.objects.get(user__username="standesamt")
    page.get_by_label("Sechsstelliger Code aus Ihrer Authenticator-App").fill(current_code(device))
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{server}/verwaltung/angebote/")
    assert_accessible(page)
    page.get_by_role("link", name="Geburtsurkunde Ausstellung").first.click()
    assert_accessible(page)
    fee = page.get_by_label("Gebühr", exact=False).first
    fee.fill("12,3x")
    page.get_by_role("button", name="Speichern").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page)

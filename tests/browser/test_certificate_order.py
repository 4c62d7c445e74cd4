"""Ordering a certificate and paying for it in the browser, from /urkunden/ to the payment
confirmation, through the payment sandbox's own page (a separate process); axe on every page."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.payments.models import PaymentRequest

Check = Callable[[Page], None]


def test_ordering_two_birth_certificates_and_paying_at_the_sandbox(
    page: Page, server: str, payment_sandbox: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/urkunden/")
    page.get_by_role("link", name="Bestellung beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("button", name="Antrag beginnen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welche Urkunde brauchen Sie?")
    page.get_by_label("Geburtsurkunde").check()
    page.get_by_role("group", name="international").get_by_label("Nein").check()
    page.get_by_label("Anzahl der Urkunden").fill("2")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Über wen ist die Urkunde?")
    page.get_by_label("Vorname(n)").fill("Erna")
    page.get_by_label("Familienname", exact=True).fill("Beispiel")
    page.get_by_label("Datum der Geburt", exact=False).fill("1950-03-14")
    page.get_by_label("Ort des Ereignisses").fill("Barleben")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wer bestellt die Urkunde?")
    page.get_by_label("Abkömmlinge", exact=False).check()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wie bekommen Sie die Urkunde?")
    page.get_by_label("Mit der Post an meine Anschrift").check()
    page.get_by_label("Straße und Hausnummer").fill("Breiteweg 12")
    page.get_by_label("Postleitzahl").fill("39179")
    page.get_by_label("Ort", exact=True).fill("Barleben")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Kontaktdaten")
    page.get_by_label("Ihr Vorname").fill("Kim")
    page.get_by_label("Ihr Familienname").fill("Beispiel")
    page.get_by_label("E-Mail-Adresse").fill("kim.beispiel@example.org")
    page.get_by_role("button", name="Weiter").click()

    # the check page shows the fee from the fee table: 12,00 € and 6,00 € for the second copy
    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben prüfen")
    expect(page.get_by_text("18,00").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Antrag abschicken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Antrag eingegangen")
    assert_accessible(page)
    page.get_by_role("link", name="Jetzt bezahlen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gebühr bezahlen")
    payment = PaymentRequest.objects.get(source__startswith="submission:")
    expect(page.get_by_text(payment.kassenzeichen).first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Jetzt bezahlen").click()
    page.wait_for_url(f"{payment_sandbox}/pay/**")
    expect(page.get_by_text("18,00 €").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Bezahlen", exact=True).click()

    # back at the portal: the status comes from the provider, not from the way back
    page.wait_for_url(f"{server}/zahlung/{payment.pk}/zurueck/**")
    assert_accessible(page)
    deadline = time.monotonic() + 30
    while page.get_by_role("heading", level=1).inner_text() != "Zahlung eingegangen":
        assert time.monotonic() < deadline, "the payment did not arrive"
        time.sleep(0.3)
        page.get_by_role("link", name="Noch einmal nachsehen").click()
    assert_accessible(page)
    page.get_by_role("link", name="Zahlungsbestätigung anzeigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zahlungsbestätigung")
    expect(page.get_by_text(payment.kassenzeichen).first).to_be_visible()
    assert_accessible(page)
    payment.refresh_from_db()
    assert payment.status == PaymentRequest.Status.PAID


def test_the_pay_button_leads_to_the_provider_under_the_sites_content_security_policy(
    new_context, server: str, payment_sandbox: str
) -> None:
    """The page's policy allows its form to lead to the provider (form-action), and only there;
    the other browser tests bypass the policy for axe."""
    from rathaus.accounts.models import Account
    from rathaus.core.models import Authority
    from rathaus.payments import services
    from rathaus.payments.services import ItemSpec

    payment, _ = services.create_request(
        authority=Authority.objects.get(slug="barleben"),
        items=[ItemSpec("Geburtsurkunde", 1, 1200)],
        purpose="Geburtsurkunde",
        account=Account.objects.get(user__email=CITIZEN_EMAIL),
        provider="sandbox",
    )
    page = new_context(bypass_csp=False, java_script_enabled=False).new_page()
    page.goto(f"{server}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    answer = page.goto(f"{server}/zahlung/{payment.pk}/")
    policy = answer.headers["content-security-policy"]
    assert f"form-action 'self' {payment_sandbox}" in policy
    page.get_by_role("button", name="Jetzt bezahlen").click()
    page.wait_for_url(f"{payment_sandbox}/pay/**")
    expect(page.get_by_text("12,00 €").first).to_be_visible()

"""A citizen opens an account and logs in, in a real browser, with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.core.models import OutgoingEmail

Check = Callable[[Page], None]
PASSWORD = "mein rathaus passwort 2026"


def test_registration_confirmation_login_and_profile(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Mein Konto"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    assert_accessible(page)
    page.get_by_role("link", name="Konto eröffnen").click()
    assert_accessible(page)

    # A first attempt with mistakes shows them at the fields.
    page.get_by_role("button", name="Konto eröffnen").click()
    expect(page.locator("#id_first_name_error")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Vorname").fill("Ilse")
    page.get_by_label("Nachname").fill("Muster")
    page.get_by_label("E-Mail-Adresse").fill("ilse.muster@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Ich habe den Datenschutzhinweis gelesen", exact=False).check()
    # The ALTCHA widget solves its proof-of-work in the browser when the box is ticked.
    page.get_by_label("Ich bin kein Roboter").click()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')?.value?.length > 0", timeout=30000
    )
    expect(page.locator("altcha-widget")).to_contain_text("Geprüft")
    page.get_by_role("button", name="Konto eröffnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihre E-Mails")
    assert_accessible(page)

    mail = OutgoingEmail.objects.get(to="ilse.muster@example.org")
    link = re.search(r"(http://\S+/konto/bestaetigen/\S+/)", mail.text_body).group(1)
    page.goto(link)
    expect(page.get_by_role("status").or_(page.locator(".kern-alert"))).to_contain_text(
        "Ihre E-Mail-Adresse ist bestätigt"
    )
    page.get_by_label("E-Mail-Adresse").fill("ilse.muster@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mein Konto")
    assert_accessible(page)

    page.get_by_role("link", name="Meine Angaben ändern").click()
    assert_accessible(page)
    page.get_by_label("Postleitzahl").fill("39326")
    page.get_by_label("Ort").fill("Meitzendorf")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Ihre Angaben sind gespeichert.")).to_be_visible()
    expect(page.get_by_text("39326 Meitzendorf")).to_be_visible()
    assert_accessible(page)


def test_demo_citizen_reads_the_mailbox_and_sees_her_data_page(
    page: Page, server: str, assert_accessible: Check
) -> None:
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.core.demo import DEMO_PASSWORD

    page.goto(f"{server}/konto/postfach/")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Postfach")
    assert_accessible(page)
    page.get_by_role("link", name="Bestätigung der Anmeldung Ihres Hundes").click()
    expect(page.get_by_role("link", name="Bestaetigung-Hundeanmeldung.pdf")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Bestaetigung-Hundeanmeldung.pdf").click()
    assert download.value.suggested_filename == "Bestaetigung-Hundeanmeldung.pdf"
    page.goto(f"{server}/konto/daten/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Meine Daten")
    assert_accessible(page)


def test_registration_without_javascript_asks_a_question(
    new_context: Callable[..., object], server: str, assert_accessible: Check
) -> None:
    context = new_context(java_script_enabled=False)
    page = context.new_page()  # type: ignore[attr-defined]
    page.goto(f"{server}/konto/registrieren/")
    question = page.locator("label[for=id_question_answer]").inner_text()
    numbers = ["null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
    words = question.replace("?", "").split()
    answer = numbers.index(words[3]) + numbers.index(words[5])
    assert_accessible(page)
    page.get_by_label("Vorname").fill("Otto")
    page.get_by_label("Nachname").fill("Ohne")
    page.get_by_label("E-Mail-Adresse").fill("otto.ohne@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label(question).fill(str(answer))
    page.get_by_label("Ich habe den Datenschutzhinweis gelesen", exact=False).check()
    page.get_by_role("button", name="Konto eröffnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte sehen Sie in Ihre E-Mails")

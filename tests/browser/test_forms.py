"""A citizen applies for a Meldebescheinigung in a real browser: steps, save, resume, submit,
receipt PDF — with axe on every page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.forms.models import Submission

Check = Callable[[Page], None]


def test_meldebescheinigung_with_save_resume_and_receipt(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/leistungen/99115003012000/")
    page.get_by_role("link", name="Online beantragen").click()
    # The form needs a login; the login page brings the citizen back.
    expect(page.get_by_role("heading", level=1)).to_have_text("Im Konto anmelden")
    page.get_by_label("E-Mail-Adresse").fill(CITIZEN_EMAIL)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldebescheinigung beantragen")
    expect(page.get_by_text("Angaben aus Ihrem Konto übernehmen?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Antrag beginnen").click()

    # Step 1: the name comes from the account.
    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben zu Ihrer Person")
    expect(page.get_by_label("Familienname")).to_have_value("Beispiel")
    expect(page.get_by_text("Schritt 1 von 4")).to_be_visible()
    page.get_by_label("Geburtsdatum").fill("1957-03-14")
    assert_accessible(page)
    page.get_by_role("button", name="Weiter").click()

    # Step 2: save and stop.
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Meldeadresse")
    expect(page.get_by_label("Straße und Hausnummer")).to_have_value("Breiteweg 12")
    assert_accessible(page)
    page.get_by_role("button", name="Zwischenspeichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Angaben sind gespeichert")
    assert_accessible(page)

    # Later: resume from "Meine Anträge".
    page.goto(f"{server}/konto/antraege/")
    assert_accessible(page)
    page.get_by_role("link", name="Meldebescheinigung beantragen").click()
    page.get_by_role("link", name="Jetzt weitermachen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Meldeadresse")
    page.get_by_role("button", name="Weiter").click()

    # Step 3: mistakes are listed and linked; a dependent question appears only when needed.
    expect(page.get_by_role("heading", level=1)).to_have_text("Welche Bescheinigung brauchen Sie?")
    other_purpose = page.get_by_label("Anderer Zweck")
    expect(other_purpose).to_be_hidden()
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("alert")).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    assert_accessible(page)
    page.get_by_label("Einfache Meldebescheinigung", exact=False).check()
    page.get_by_label("für einen anderen Zweck").check()
    expect(other_purpose).to_be_visible()
    page.get_by_label("für den Arbeitgeber").check()
    expect(other_purpose).to_be_hidden()
    page.get_by_label("Anzahl der Bescheinigungen").fill("2")
    page.get_by_role("group", name="Sollen weitere Personen").get_by_label("Nein").check()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter").click()

    # Step 4 and the check page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Wie bekommen Sie die Bescheinigung?")
    page.get_by_label("Mit der Post an meine Meldeadresse").check()
    assert_accessible(page)
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben prüfen")
    expect(page.get_by_text("für den Arbeitgeber")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Antrag abschicken").click()

    # The receipt, as a page and as a PDF.
    expect(page.get_by_role("heading", level=1)).to_have_text("Antrag eingegangen")
    submission = Submission.objects.get()
    expect(page.get_by_text(submission.reference).first).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Eingangsbestätigung herunterladen (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"Eingangsbestaetigung-{submission.reference}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    assert submission.data["copies"] == 2
    assert submission.trust_level == "basic"

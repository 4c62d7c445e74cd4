"""The open data catalogue in a real browser, with axe on every page: an administrator creates
a dataset with a file, publishing is first refused with what is missing, then the dataset is
published; someone on a phone (390 px) finds it by searching and opens its download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.opendata.catalogue_models import Dataset
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_staff_publish_a_dataset_that_the_public_finds_on_a_phone(
    page: Page, new_context: Any, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Offene Daten"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offene Daten")
    assert_accessible(page)

    page.get_by_role("link", name="Datensatz anlegen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Datensatz anlegen")
    assert_accessible(page)
    page.locator("#id_title").fill("Grundwasserstände am Mittellandkanal")
    page.locator("#id_description").fill("Tägliche Stände der Messstelle Barleben-Nord.")
    page.locator("#id_keywords").fill("Grundwasser, Umwelt")
    page.locator("#id_dist-0-title").fill("Tageswerte als CSV")
    page.locator("#id_dist-0-access_url").fill("https://daten.example.org/grundwasser.csv")
    page.locator("#id_dist-0-download_url").fill("https://daten.example.org/grundwasser.csv")
    page.locator("#id_dist-0-format").fill("CSV")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_role("status")).to_contain_text("als Entwurf gespeichert")
    assert_accessible(page)

    page.locator("#id_description").fill("Tägliche Stände der Messstelle Barleben-Nord, in cm.")
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    expect(page.get_by_role("status")).to_contain_text("als Entwurf gespeichert")
    expect(page.locator("#id_description")).to_have_value(
        "Tägliche Stände der Messstelle Barleben-Nord, in cm."
    )
    refusal = page.locator("#error-summary")
    expect(refusal).to_contain_text("kann noch nicht veröffentlicht werden")
    expect(refusal).to_contain_text("Mindestens eine Kategorie (Thema) fehlt.")
    expect(refusal).to_contain_text("Eine Kontaktmöglichkeit (E-Mail-Adresse oder Webseite) fehlt.")
    assert_accessible(page)
    assert Dataset.objects.get(slug="grundwasserstaende-am-mittellandkanal").status == "draft"

    page.get_by_label("Umwelt", exact=True).check()
    page.locator("#id_contact_email").fill("umwelt@barleben.example")
    page.get_by_role("button", name="Speichern und veröffentlichen").click()
    expect(page.get_by_role("status")).to_contain_text("gespeichert und veröffentlicht")
    expect(page.get_by_role("button", name="Zurückziehen")).to_be_visible()
    assert_accessible(page)

    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    phone.goto(f"{server}/daten/")
    phone.get_by_role("link", name="Datenkatalog", exact=False).first.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Datenkatalog")
    assert_accessible(phone)
    phone.get_by_label("Suchwörter, zum Beispiel").fill("grundwasser kanal")
    phone.get_by_role("button", name="Suchen").click()
    expect(phone.get_by_role("status")).to_contain_text("1 Datensatz")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
    phone.get_by_role("link", name="Grundwasserstände am Mittellandkanal").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Grundwasserstände am Mittellandkanal"
    )
    download = phone.get_by_role("link", name="Tageswerte als CSV herunterladen")
    expect(download).to_have_attribute("href", "https://daten.example.org/grundwasser.csv")
    expect(
        phone.get_by_role("link", name="Datenlizenz Deutschland Namensnennung 2.0")
    ).to_be_visible()
    expect(phone.get_by_role("link", name="Turtle")).to_have_attribute(
        "href", "/daten/katalog/grundwasserstaende-am-mittellandkanal.ttl"
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)

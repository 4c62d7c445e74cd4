"""Construction projects in a real browser: the public list and a project's page on a phone
(with and without JavaScript), and the building office creating a project with a phase and a
picture, publishing it and finding it on the public list; axe on every page."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
PHONE = {"width": 320, "height": 740}


def test_the_public_list_and_a_project_page_on_a_phone(
    new_context: Any, server: str, assert_accessible: Check
) -> None:
    for javascript in (True, False):
        page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
        page.goto(f"{server}/baustellen/bauvorhaben/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bauvorhaben")
        expect(page.get_by_role("heading", name="Im Bau")).to_be_visible()
        expect(page.get_by_role("heading", name="Fertiggestellt")).to_be_visible()
        expect(page.get_by_text("2,45\u00a0Mio.\u00a0€")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page)

        page.get_by_role("link", name="Erweiterung der Grundschule Barleben").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Erweiterung der Grundschule Barleben"
        )
        phases = page.locator(".project-timeline li")
        expect(phases).to_have_count(5)
        expect(phases.first).to_contain_text("Abgeschlossen")
        expect(page.get_by_role("img", name="Plandarstellung")).to_be_visible()
        expect(page.get_by_text("Barleben", exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert_accessible(page)


def test_the_building_office_creates_a_project_with_a_phase_and_a_picture(
    page: Page, server: str, assert_accessible: Check, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "bauamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="bauamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    # one staff entry "Baustellen" for the building office, then the tab "Bauvorhaben"
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Baustellen"
    ).click()
    page.get_by_role("navigation", name="Baustellen und Bauvorhaben").get_by_role(
        "link", name="Bauvorhaben"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bauvorhaben")
    assert_accessible(page)

    page.get_by_role("link", name="Bauvorhaben anlegen").click()
    page.get_by_label("Titel").fill("Neue Turnhalle Ebendorf")
    page.get_by_label("Kosten in Euro").fill("-5")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("nicht negativ")
    assert_accessible(page)
    page.get_by_label("Kurzbeschreibung").fill("Eine Zweifeldhalle für Schule und Vereine.")
    page.get_by_label("Ortsteil").select_option(label="Ebendorf")
    page.get_by_label("Kosten in Euro").fill("3.200.000,00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Neue Turnhalle Ebendorf")
    assert_accessible(page)

    page.get_by_role("link", name="Bauabschnitt hinzufügen").click()
    page.get_by_label("Titel").fill("Planung")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Bauabschnitt „Planung“ wurde gespeichert.")).to_be_visible()

    picture = tmp_path / "plan.png"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 90, 160)).save(buffer, format="PNG")
    picture.write_bytes(buffer.getvalue())
    page.get_by_role("link", name="Bild hinzufügen").click()
    assert_accessible(page)
    page.get_by_label("Bild", exact=True).set_input_files(str(picture))
    page.get_by_label("Beschreibung für Menschen, die das Bild nicht sehen können").fill(
        "Plan der neuen Turnhalle"
    )
    page.get_by_role("button", name="Bild hochladen").click()
    expect(page.get_by_text("Das Bild wurde hinzugefügt.")).to_be_visible()
    expect(page.get_by_role("img", name="Plan der neuen Turnhalle")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("Das Vorhaben ist veröffentlicht.")).to_be_visible()
    page.goto(f"{server}/baustellen/bauvorhaben/")
    page.get_by_role("link", name="Neue Turnhalle Ebendorf").click()
    expect(page.get_by_role("img", name="Plan der neuen Turnhalle")).to_be_visible()
    expect(page.get_by_text("3,2\u00a0Mio.\u00a0€").first).to_be_visible()
    assert_accessible(page)

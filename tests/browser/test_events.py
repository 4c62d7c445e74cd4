"""A citizen registers for a workshop of the Digitalwerkstatt (an invalid address first), confirms
by e-mail and cancels, with axe on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from rathaus.core.models import OutgoingEmail
from rathaus.events.models import Registration

Check = Callable[[Page], None]
EMAIL = "kim.workshop@example.org"


def test_register_for_an_event_confirm_and_cancel(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Mitmachen"
    ).click()
    page.get_by_role("link", name="Alle Veranstaltungen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
    assert_accessible(page)

    page.get_by_label("Zielgruppe").select_option(label="Kinder und Jugendliche")
    page.get_by_role("button", name="Anzeigen").click()
    page.get_by_role("link", name=re.compile("Ferienworkshop für Kinder des Jugendclubs")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ferienworkshop")
    expect(page.get_by_text("von 15 Plätzen sind frei")).to_be_visible()
    assert_accessible(page)

    # An invalid address: the error is explained and nothing typed is lost.
    page.get_by_label("Name", exact=True).fill("Kim Beispiel")
    page.get_by_label("E-Mail-Adresse", exact=True).fill("kim(at)example")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Kim Beispiel")
    assert_accessible(page)

    page.get_by_label("E-Mail-Adresse", exact=True).fill(EMAIL)
    page.get_by_label("Anzahl der Plätze").select_option("2")
    page.get_by_label(re.compile("Ich bin einverstanden")).check()
    page.get_by_label("Ich bin kein Roboter").click()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')?.value?.length > 0", timeout=30000
    )
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte bestätigen Sie Ihre Anmeldung")
    assert_accessible(page)
    assert Registration.objects.get(email=EMAIL).status == Registration.Status.PENDING

    mail = OutgoingEmail.objects.filter(to=EMAIL).latest("id")
    confirm = re.search(r"(http://\S+/veranstaltungen/bestaetigen/\S+/)", mail.text_body).group(1)
    page.goto(confirm)
    assert_accessible(page)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sie sind angemeldet")
    assert_accessible(page)
    assert Registration.objects.get(email=EMAIL).status == Registration.Status.REGISTERED

    page.get_by_role("link", name="Anmeldung stornieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmeldung stornieren?")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, Anmeldung stornieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihre Anmeldung ist storniert")
    assert_accessible(page)
    assert Registration.objects.get(email=EMAIL).status == Registration.Status.CANCELLED

"""The demo staff member of the Digitalwerkstatt opens the events, the attendance list of the
first smartphone course, marks a participant present (the certificate of attendance appears) and
looks at the series of open hours, with axe on every page."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.events.models import Registration
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_attendance_and_the_series_of_open_hours(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitalwerkstatt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitalwerkstatt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Veranstaltungen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungen")
    assert_accessible(page)

    page.get_by_role("link", name="Vergangene").click()
    page.get_by_role("link", name="Smartphone-Kurs für Senioren – Teil 1: Die Grundlagen").click()
    page.get_by_role("link", name="Teilnehmerliste").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teilnehmerliste")
    assert_accessible(page)
    page.get_by_role("button", name="Ursula Beispiel anwesend").click()
    expect(
        page.get_by_role("link", name="Teilnahmebescheinigung für Ursula Beispiel (PDF)")
    ).to_be_visible()
    assert_accessible(page)
    assert Registration.objects.get(
        name="Ursula Beispiel", event__title__contains="Teil 1"
    ).attended

    page.get_by_role("link", name="Veranstaltungen", exact=True).first.click()
    page.get_by_role("link", name="Reihen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Veranstaltungsreihen")
    assert_accessible(page)
    page.get_by_role("link", name="Offene Sprechzeit Digitalwerkstatt").click()
    expect(page.get_by_role("heading", level=2, name="Termine")).to_be_visible()
    assert_accessible(page)

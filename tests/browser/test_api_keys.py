"""A clerk makes a personal API key, uses it, and revokes it, in a real browser with axe."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_clerk_makes_uses_and_revokes_a_key(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server}/verwaltung/konto/api-schluessel/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-Schlüssel")
    assert_accessible(page)
    page.get_by_label("Name des Schlüssels").fill("Fachverfahren")
    page.get_by_label("Gültig für").select_option("30")
    page.get_by_role("button", name="Schlüssel erstellen").click()
    key = page.locator("#new-key").inner_text()
    assert key.startswith("rh_")
    # The key fits on a phone screen: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    api = Client(headers={"Authorization": f"Bearer {key}"})
    assert api.get("/api/v1/cases").status_code == 200
    page.get_by_role("button", name="„Fachverfahren“ widerrufen").click()
    expect(page.get_by_role("status")).to_contain_text("Der Schlüssel wurde widerrufen.")
    expect(page.locator("#new-key")).to_have_count(0)
    assert_accessible(page)
    assert api.get("/api/v1/cases").status_code == 401

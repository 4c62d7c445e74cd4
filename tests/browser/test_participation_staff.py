"""The Digitalwerkstatt's clerk runs the demo survey in a real browser at a desk's width, with
axe on every page: the processes, the survey with its questions and condition, the results with
the CSV link, the review of free texts, and a new process refused with its errors."""

from __future__ import annotations

import re
from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_the_clerk_runs_the_demo_survey(page: Page, server: str, assert_accessible: Check) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/verwaltung/mitmachen/")
    log_in_with_password(page, "digitalwerkstatt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitalwerkstatt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beteiligung")
    assert_accessible(page)
    page.get_by_role("link", name="Bürgerbefragung Digitalisierung").click()
    expect(page.get_by_role("button", name="Verfahren beenden")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Umfrage „Bürgerbefragung Digitalisierung“").click()
    expect(
        page.get_by_text("nur wenn „Wie oft nutzen Sie das Internet?“ mit „Nie“")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ergebnisse", exact=True).click()
    expect(page.get_by_role("link", name="Als CSV herunterladen")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ Antwortbögen\."))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Freitexte prüfen").click()
    page.get_by_role("link", name="Freigegeben").click()
    expect(page.get_by_text("Kurse in der Digitalwerkstatt auch am Samstag.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{server}/verwaltung/mitmachen/neu/")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    assert_accessible(page)

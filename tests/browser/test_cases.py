"""A clerk finds a new application in the inbox and works on it, in a real browser with axe."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.cases import services
from rathaus.cases.models import Case
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.forms.models import Submission
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
ANLIEGEN = {
    "topic": "lights", "subject": "Lampe am Spielplatz", "message": "Die Lampe ist seit Tagen aus.",
    "name": "Kim Muster", "email": "kim@example.org", "reply_wanted": True,
}  # fmt: skip


def test_clerk_takes_a_case_and_closes_it(
    page: Page, server: str, assert_accessible: Check
) -> None:
    response = Client().post("/api/v1/forms/anliegen/submissions", json.dumps({"data": ANLIEGEN}),
                             content_type="application/json")  # fmt: skip
    submission = Submission.objects.get(reference=response.json()["reference"])
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)

    page.goto(f"{server}/verwaltung/vorgaenge/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vorgänge")
    assert_accessible(page)
    page.get_by_role("link", name=case.number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anliegen an die Gemeinde")
    expect(page.get_by_text("Die Lampe ist seit Tagen aus.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Vorgang übernehmen").click()
    expect(page.get_by_role("status")).to_contain_text("Sie bearbeiten jetzt diesen Vorgang.")
    # The sections of the case are links: no script needed, each one its own address.
    sections = page.get_by_role("navigation", name="Bereiche des Vorgangs")
    sections.get_by_role("link", name="Nachrichten und Notizen").click()
    expect(page).to_have_url(re.compile(r"\?tab=nachrichten$"))
    assert_accessible(page)
    page.get_by_label("Neue Notiz", exact=False).fill("Bauhof informiert.")
    page.get_by_role("button", name="Notiz speichern").click()
    expect(page.get_by_text("Bauhof informiert.")).to_be_visible()  # back in the same section
    page.locator("#case-status").select_option("closed")
    page.get_by_role("button", name="Status ändern").click()
    expect(page.get_by_role("status")).to_contain_text("Der Status wurde geändert.")
    sections.get_by_role("link", name="Verlauf").click()
    expect(
        page.get_by_role("list").filter(has_text="Status: in Bearbeitung → abgeschlossen")
    ).to_be_visible()
    assert_accessible(page)
    # On a phone: summary, actions and every section without scrolling sideways.
    page.set_viewport_size({"width": 320, "height": 800})
    for label in ("Antrag", "Dokumente", "Nachrichten und Notizen", "Verlauf", "Prozess"):
        sections.get_by_role("link", name=label).click()
        expect(sections.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, label
        assert_accessible(page)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.assignee is not None
    assert case.assignee.username == "buergerbuero"

"""A clerk works through the default process in a real browser: diagram, task forms, axe."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.cases import services
from rathaus.cases.models import Case
from rathaus.core.demo import DEMO_PASSWORD
from tests.support import (
    CODE_LABEL,
    MELDEBESCHEINIGUNG,
    citizen_client,
    current_code,
    log_in_with_password,
    submit,
)

Check = Callable[[Page], None]


def test_clerk_follows_the_process_from_check_to_decision(
    page: Page, server: str, assert_accessible: Check
) -> None:
    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    errors: list[str] = []
    # Script errors and Content-Security-Policy refusals would break the diagram.
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if "Refused" in m.text else None)

    page.goto(f"{server}/verwaltung/vorgaenge/{case.number}/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"{server}/verwaltung/vorgaenge/{case.number}/")
    # The open task is beside the other actions; the diagram is in the section "Prozess".
    expect(page.get_by_role("link", name="Vollständigkeit prüfen")).to_be_visible()
    assert_accessible(page)
    sections = page.get_by_role("navigation", name="Bereiche des Vorgangs")
    sections.get_by_role("link", name="Prozess").click()
    expect(sections.get_by_role("link", name="Prozess")).to_have_attribute("aria-current", "page")
    expect(
        page.get_by_role("heading", name="Prozess: Antrag bearbeiten (Standardablauf)")
    ).to_be_visible()
    # The bpmn-js viewer draws the model and marks the current task.
    diagram = page.locator("#process-diagram")
    expect(diagram).to_be_visible()
    expect(diagram.locator(".process-current")).to_have_count(1)
    expect(page.locator(".process-step--current")).to_contain_text("Vollständigkeit prüfen")
    assert_accessible(page)

    page.get_by_role("link", name="Vollständigkeit prüfen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vollständigkeit prüfen")
    page.get_by_role("button", name="Aufgabe erledigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Liegen alle nötigen Angaben")
    assert_accessible(page)
    page.get_by_label("Ja").check()
    page.get_by_role("button", name="Aufgabe erledigen").click()
    expect(page.get_by_role("status")).to_contain_text("„Vollständigkeit prüfen“ ist erledigt.")
    expect(page.locator(".process-step--current").filter(has_text="Entscheiden")).to_be_visible()

    page.get_by_role("link", name="Entscheiden").first.click()
    page.get_by_label("Abgelehnt").check()
    page.get_by_label("Begründung").fill("Die Person ist in Barleben nicht gemeldet.")
    assert_accessible(page)
    page.get_by_role("button", name="Aufgabe erledigen").click()
    # The letter is shown before it is sent.
    expect(page.get_by_role("heading", name="Vorschau des Bescheids")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text(
        "Die Person ist in Barleben nicht gemeldet."
    )
    assert_accessible(page)
    page.get_by_role("button", name="Senden").click()
    expect(page.get_by_role("status")).to_contain_text("„Entscheiden“ ist erledigt.")
    expect(page.locator("dl").first).to_contain_text("abgeschlossen")
    assert_accessible(page)
    case.refresh_from_db()
    assert case.status == "closed"
    assert case.documents.filter(kind="decision").exists()
    assert errors == []

"""Official notices in a real browser, without JavaScript and with axe on every page: the demo
clerk who keeps the notices writes one, corrects a period that starts in the past and ends
before it starts, schedules it (its start is now, so it goes up at once), sees the proof of
display and withdraws it with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.noticeboard.models import Notice
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
pytestmark = pytest.mark.browser


def _log_in(page: Page, server: str) -> None:
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()


def test_a_clerk_writes_schedules_and_withdraws_a_notice_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    _log_in(page, server)
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Bekanntmachungen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekanntmachungen")
    expect(page.get_by_text("Haushaltssatzung der Gemeinde Barleben")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Bekanntmachung schreiben").click()
    past = timezone.localtime() - dt.timedelta(hours=1)
    page.get_by_label("Titel", exact=True).fill("Sperrung des Friedhofs am Feiertag")
    page.get_by_label("Bereich", exact=True).select_option("general")
    page.get_by_label("Text der Bekanntmachung").fill("Der Friedhof bleibt geschlossen.")
    page.get_by_label("Aushang ab").fill(past.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Aushang bis").fill((past - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ort", exact=True).fill("Barleben")
    page.get_by_label("Unterzeichnet am").fill(timezone.localdate().isoformat())
    page.get_by_label("Unterschrift", exact=True).fill("Der Bürgermeister")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    summary = page.get_by_role("alert").first
    expect(summary).to_contain_text("Der Aushang kann nicht rückwirkend beginnen")
    expect(summary).to_contain_text("Das Ende muss nach dem Beginn liegen")
    assert_accessible(page)
    start = timezone.localtime()
    page.get_by_label("Aushang ab").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Aushang bis").fill(
        (start + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_role("button", name="Als Entwurf speichern").click()
    expect(page.get_by_text("wurde gespeichert")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Zur Veröffentlichung einplanen").click()
    expect(page.get_by_text("Die Bekanntmachung ist jetzt ausgehängt.")).to_be_visible()
    expect(page.get_by_role("heading", name="Aushangnachweis")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Vorzeitig zurückziehen").click()
    assert_accessible(page)
    page.get_by_label("Grund für das Zurückziehen").fill("Falscher Feiertag genannt")
    page.get_by_role("button", name="Bekanntmachung zurückziehen").click()
    expect(page.get_by_text("wurde zurückgezogen")).to_be_visible()
    expect(page.get_by_role("link", name="Aushangnachweis herunterladen (PDF)")).to_be_visible()
    notice = Notice.objects.get(title="Sperrung des Friedhofs am Feiertag")
    assert notice.status == Notice.Status.WITHDRAWN
    assert notice.display_records.get(event="withdrawn").note == "Falscher Feiertag genannt"

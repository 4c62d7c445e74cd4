"""School IT in the browser: the demo administrator opens the dashboard of the Grundschule and an
iPad's page (lent to a pupil, with the loan agreement); the demo teacher logs in with the school
login, reports a problem with a script tag in the text and sees it escaped; the administrator
sees the request with its response target. axe checks every page."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.schools import demo
from rathaus.schools.models import SupportRequest
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
TEXT = "Das Display im Klassenraum 2a zeigt Streifen. <script>alert(1)</script>"


def test_a_teacher_reports_a_problem_and_staff_see_the_device_and_the_request(
    page: Page, server: str, assert_accessible: Check, new_context: Callable[..., BrowserContext]
) -> None:
    page.goto(f"{server}/schule/anmelden/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Schul-Anmeldung für den IT-Support")
    assert_accessible(page)
    page.get_by_label("E-Mail-Adresse").fill(demo.DEMO_TEACHER)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("IT-Support meiner Schule")
    assert_accessible(page)
    page.get_by_role("link", name="Problem melden").click()
    page.get_by_label("Gerät").select_option(
        label="GS-002 · Interaktives Display Interaktives Display 86″"
    )
    page.get_by_label("Was ist das Problem?").fill(TEXT)
    assert_accessible(page)
    page.get_by_role("button", name="An die Schul-IT senden").click()
    expect(page.get_by_text("Ihre Anfrage ist bei der Schul-IT angekommen")).to_be_visible()
    expect(page.get_by_text(TEXT)).to_be_visible()  # shown as text, not run
    assert_accessible(page)
    found = SupportRequest.objects.get(text=TEXT)

    staff = new_context().new_page()
    staff.goto(f"{server}/verwaltung/")
    log_in_with_password(staff, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    staff.get_by_label(CODE_LABEL).fill(current_code(device))
    staff.get_by_role("button", name="Anmelden", exact=True).click()
    staff.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Schul-IT"
    ).click()
    staff.get_by_role("link", name="Grundschule Barleben").click()
    expect(staff.get_by_role("heading", level=2, name="Geräte nach Zustand")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name="Geräte", exact=True).click()
    staff.get_by_role("link", name="GS-006").click()
    expect(staff.get_by_text("Verliehen an Mia Beispiel (Klasse 4a)")).to_be_visible()
    expect(staff.get_by_role("link", name="Leihvertrag (PDF)")).to_be_visible()
    assert_accessible(staff)
    staff.goto(f"{server}/verwaltung/schulen/anfragen/{found.pk}/")
    expect(staff.get_by_text(TEXT)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label("Status").select_option(label="In Bearbeitung")
    staff.get_by_role("button", name="Speichern").click()
    expect(staff.get_by_text("Die Anfrage wurde gespeichert.")).to_be_visible()
    assert_accessible(staff)

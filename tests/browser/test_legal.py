"""The pages the law requires, reached from the footer of public pages, with axe on each."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]

# Footer link → heading of the page it leads to.
LEGAL_PAGES = {
    "Impressum": "Impressum",
    "Datenschutzerklärung": "Datenschutzerklärung",
    "Erklärung zur Barrierefreiheit": "Erklärung zur Barrierefreiheit",
    "Leichte Sprache": "Leichte Sprache",
    "Deutsche Gebärdensprache": "Deutsche Gebärdensprache",
}
START_PAGES = ["/", "/termine/", "/kontakt/"]


def test_the_footer_of_public_pages_leads_to_the_five_legal_pages(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    for start in START_PAGES:
        for link, heading in LEGAL_PAGES.items():
            page.goto(f"{server}{start}")
            footer = page.get_by_role("contentinfo")
            footer.get_by_role("link", name=link, exact=True).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            assert_accessible(page)
    expect(page.get_by_text("Für dieses Portal gibt es noch kein Video")).to_be_visible()


def test_a_barrier_is_reported_on_the_statement_page_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{server}/barrierefreiheit/")
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_role("alert").first).to_contain_text("Ihre Meldung wurde nicht gesendet")
    assert_accessible(page)
    page.get_by_label("Was funktioniert nicht?").fill("Die Schrift im Kalender ist zu klein.")
    page.get_by_role("button", name="Meldung senden").click()
    expect(page.get_by_role("status")).to_contain_text("Ihre Meldung ist unter dem Aktenzeichen")
    assert_accessible(page)


# The smallest file with the box header of an MP4 video, and captions in WebVTT.
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
VTT = b"WEBVTT\n\n00:00.000 --> 00:04.000\nWillkommen im digitalen Rathaus.\n"


def test_a_head_edits_the_legal_pages_and_uploads_the_sign_language_video(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "ordnungsamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="ordnungsamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Pflichtseiten"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pflichtseiten")
    assert_accessible(page)
    page.get_by_label("vertreten durch").fill("Petra Probe, Bürgermeisterin")
    page.get_by_label("Neues Video in Gebärdensprache", exact=False).set_input_files(
        files=[{"name": "rathaus.mp4", "mimeType": "video/mp4", "buffer": MP4}]
    )
    page.get_by_label("Neue Untertitel zum Video (WebVTT)").set_input_files(
        files=[{"name": "rathaus.vtt", "mimeType": "text/vtt", "buffer": VTT}]
    )
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Die Pflichtseiten wurden gespeichert.")
    assert_accessible(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Deutsche Gebärdensprache").click()
    expect(page.locator("video track[kind=captions]")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Impressum").click()
    expect(page.get_by_text("Petra Probe, Bürgermeisterin")).to_be_visible()

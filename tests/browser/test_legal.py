"""The pages the law requires, reached from the footer of public pages, with axe on each."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

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

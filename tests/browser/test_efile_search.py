"""The e-file's search page in a browser: a clerk finds a letter by a word in it, with axe."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import OrgUnit
from rathaus.documents.models import Version
from tests.factories import DocumentFactory, FileFactory, VersionFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_a_clerk_finds_a_letter_by_a_word_in_it(
    page: Page, server: str, assert_accessible: Check
) -> None:
    unit = OrgUnit.objects.get(slug="buergerbuero", authority__slug="barleben")
    document = DocumentFactory(file=FileFactory(org_unit=unit), title="Anfrage Straßenfest")
    VersionFactory(document=document, text="Wir planen ein Straßenfest mit Ausschank am Anger.",
                   text_status=Version.TextStatus.DONE)  # fmt: skip

    page.goto(f"{server}/verwaltung/akten/suche/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"{server}/verwaltung/akten/suche/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Akten durchsuchen")
    assert_accessible(page)

    page.get_by_label("Wörter, Aktenzeichen, Titel oder Absender").fill("Ausschank")
    page.get_by_role("button", name="Suchen").click()

    expect(page.get_by_role("heading", name="Treffer")).to_be_visible()
    expect(page.locator("mark")).to_have_text("Ausschank")
    assert_accessible(page)
    page.get_by_role("link", name=document.file.number).click()
    expect(page).to_have_url(f"{server}/verwaltung/akten/{document.file_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(document.file.title)

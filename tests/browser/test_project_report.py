"""The demo administrator opens the digital projects, the council paper's page with its preview
and makes the paper as PDF and DOCX; on the Smart City project an extension that ends before
the funding period is refused with the message next to the field. Axe on every page."""

from __future__ import annotations

import io
from collections.abc import Callable

import docx
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.projects.models import Extension, ReportSnapshot
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_the_council_paper_from_the_staff_page(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Digitalprojekte"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitalprojekte")
    expect(page.get_by_role("link", name="Modellprojekt Smart City Barleben")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ratsvorlage", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ratsvorlage zu den Digitalprojekten")
    expect(
        page.get_by_text("Dies ist das erste aus der Plattform erzeugte Papier.")
    ).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Vorlage als PDF erstellen").click()
    pdf = PdfReader(pdf_download.value.path())
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Modellprojekt Smart City Barleben" in text
    assert "197.516,55 €" in text
    with page.expect_download() as docx_download:
        page.get_by_role("button", name="Vorlage als Word-Dokument (DOCX) erstellen").click()
    with open(docx_download.value.path(), "rb") as file:
        document = docx.Document(io.BytesIO(file.read()))
    assert any("DigitalPakt Schule" in p.text for p in document.paragraphs)
    assert ReportSnapshot.objects.count() == 2

    page.reload()
    expect(page.get_by_text("Nichts hat sich geändert.")).to_be_visible()
    page.get_by_role("link", name="Projekte", exact=True).click()
    page.get_by_role("link", name="Digitalisierungszentrum Barleben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitalisierungszentrum Barleben")
    assert_accessible(page)
    page.locator("summary", has_text="Verlängerung hinzufügen").click()
    page.get_by_label("neues Ende des Förderzeitraums").fill("2022-01-31")
    page.get_by_label("Grund").fill("Noch eine Verlängerung")
    page.get_by_role("button", name="Verlängerung hinzufügen").click()
    expect(page.get_by_text("er endet am 30.04.2022").first).to_be_visible()
    expect(page.get_by_label("Grund")).to_have_value("Noch eine Verlängerung")
    assert_accessible(page)
    assert Extension.objects.count() == 1


def test_the_public_page_of_the_digital_projects(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/")
    page.get_by_role("contentinfo").get_by_role("link", name="Digitalprojekte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitalprojekte")
    expect(page.get_by_role("heading", level=2, name="DigitalPakt Schule")).to_be_visible()
    expect(page.get_by_text("Digitalwerkstatt Villa 147 offiziell eröffnet")).to_be_visible()
    assert_accessible(page)

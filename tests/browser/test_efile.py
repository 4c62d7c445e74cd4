"""A clerk works on a file of the e-file, in a real browser with axe on every page."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import Membership
from rathaus.documents.models import File
from tests.factories import FileFactory, SubjectFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password, pdf

Check = Callable[[Page], None]


def test_clerk_files_a_document_adds_a_final_version_and_closes_the_file(
    page: Page, server: str, assert_accessible: Check
) -> None:
    unit = Membership.objects.filter(user__username="buergerbuero").first().org_unit
    subject = SubjectFactory(authority=unit.authority, code="33.90", title="Meldewesen")
    file = FileFactory(org_unit=unit, subject=subject, number="33.90/2026/0001",
                       title="Umzug Familie Muster")  # fmt: skip

    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="E-Akte"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-Akte")
    assert_accessible(page)

    page.get_by_role("link", name="33.90/2026/0001").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Umzug Familie Muster")
    assert_accessible(page)
    page.get_by_label("Titel des Dokuments").fill("Meldebescheinigung")
    page.get_by_label("Art").select_option(label="Schreiben")
    page.get_by_label("Richtung").select_option(label="eingehend")
    page.get_by_label("Absender", exact=False).fill("Erika Muster")
    page.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": "bescheinigung.pdf", "mimeType": "application/pdf", "buffer": pdf()}]
    )
    page.get_by_role("button", name="Dokument hinzufügen").click()
    expect(page.get_by_role("status")).to_contain_text("Das Dokument wurde zur Akte hinzugefügt.")
    assert_accessible(page)

    page.get_by_role("link", name="Meldebescheinigung", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldebescheinigung")
    assert_accessible(page)
    page.get_by_label("Grund für die neue Version").fill("unterschrieben")
    page.get_by_label("Datei", exact=True).set_input_files(
        files=[{"name": "unterschrieben.pdf", "mimeType": "application/pdf",
                "buffer": pdf(content=b"BT /F1 12 Tf 72 720 Td (Unterschrift) Tj ET")}]
    )  # fmt: skip
    page.get_by_role("button", name="Version hinzufügen").click()
    expect(page.get_by_role("status")).to_contain_text("Die neue Version wurde hinzugefügt.")
    page.get_by_role("button", name="Version 2 als endgültig markieren").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 ist als endgültig markiert.")
    assert_accessible(page)

    page.get_by_role("link", name="Zurück zur Akte").click()
    page.get_by_role("link", name="Akte abschließen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Akte abschließen?")
    assert_accessible(page)
    page.get_by_role("button", name="Akte abschließen").click()
    expect(page.get_by_role("status")).to_contain_text("Die Akte wurde abgeschlossen.")
    assert_accessible(page)

    file.refresh_from_db()
    assert file.status == File.Status.CLOSED
    versions = list(file.documents.get().versions.order_by("number"))
    assert [(v.number, v.final, v.reason) for v in versions] == [
        (1, False, ""), (2, True, "unterschrieben")
    ]  # fmt: skip

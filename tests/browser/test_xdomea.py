"""The head of the Ordnungsamt uses the xdomea page in a real browser with axe: the list of files,
a refused import with its problems, and a download of an offer list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core import files
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import OrgUnit
from rathaus.documents import services
from rathaus.documents.models import Document
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_head_of_unit_downloads_an_offer_list_and_sees_why_an_import_is_refused(
    page: Page, server: str, assert_accessible: Check, tmp_path: Path
) -> None:
    unit = OrgUnit.objects.get(slug="ordnungsamt", authority__slug="barleben")
    file = services.create_file(unit=unit, title="Sondernutzung Marktplatz")
    stored = files.store_bytes(b"Antrag", name="antrag.txt", media_type="text/plain")
    services.add_document(
        file, services.NewContent(stored), title="Antrag", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{server}/verwaltung/akten/xdomea/")
    log_in_with_password(page, "ordnungsamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="ordnungsamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Austausch mit dem Archiv (xdomea)")
    assert_accessible(page)

    not_a_zip = tmp_path / "abgabe.zip"
    not_a_zip.write_bytes(b"kein ZIP")
    page.get_by_label("xdomea-Nachricht (ZIP-Datei)").set_input_files(str(not_a_zip))
    page.get_by_role("button", name="Importieren").click()
    summary = page.get_by_role("alert").filter(has_text="Die Nachricht wurde nicht importiert")
    expect(summary).to_be_visible()
    expect(page.locator("#id_zip_error")).to_contain_text("Das ist keine ZIP-Datei.")
    assert_accessible(page)

    page.get_by_label(file.number).check()
    page.get_by_label("Anbieteverzeichnis (0501)", exact=False).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="ZIP-Datei herunterladen").click()
    assert download.value.suggested_filename.endswith("_Aussonderung.Anbieteverzeichnis.0501.zip")

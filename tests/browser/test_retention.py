"""A head of unit approves on a phone the deletion a clerk requested, and finds the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core import files, roles
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import OrgUnit
from rathaus.documents import retention, services
from rathaus.documents.models import Document, File
from tests.factories import FileFactory, MembershipFactory, SubjectFactory, UserFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_head_approves_a_deletion_and_reads_the_record(
    page: Page, server: str, assert_accessible: Check
) -> None:
    unit = OrgUnit.objects.get(slug="ordnungsamt", authority__slug="barleben")
    subject = SubjectFactory(authority=unit.authority, code="32.99", retention_years=1,
                             legal_basis="Aufbewahrungsbestimmungen Nr. 32")  # fmt: skip
    file = FileFactory(org_unit=unit, subject=subject, number="32.99/2020/0001",
                       title="Sondernutzung Marktplatz")  # fmt: skip
    stored = files.store_bytes(b"Antrag", name="antrag.txt", media_type="text/plain")
    services.add_document(
        file, services.NewContent(stored), title="Antrag", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    services.close(file, None, now=dt.datetime(2020, 5, 4, 10, tzinfo=dt.UTC))
    clerk = UserFactory(first_name="Tom", last_name="Antrag")
    MembershipFactory(user=clerk, org_unit=unit, role=roles.role(roles.CLERK))
    retention.request_deletion(file, clerk, "Frist abgelaufen")

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "ordnungsamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="ordnungsamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("link", name="E-Akte: Aussonderung (Löschung, Archiv)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aussonderung")
    assert_accessible(page)

    page.get_by_role("button", name="32.99/2020/0001 freigeben und vernichten").click()

    expect(page.get_by_role("status")).to_contain_text("Die Akte 32.99/2020/0001 wurde vernichtet.")
    expect(page.get_by_text("Keine Löschung wartet auf Freigabe.")).to_be_visible()
    assert File.objects.get(pk=file.pk).status == File.Status.DESTROYED
    page.get_by_role("link", name="Löschprotokoll (was vernichtet wurde)").click()
    expect(page.get_by_role("cell", name="Tom Antrag", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Lena Beispiel", exact=True)).to_be_visible()
    assert_accessible(page)

"""An administrator reads why an application handed over by another authority was rejected,
in a real browser with axe on every page (ADR 0052)."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import Authority, OrgUnit
from rathaus.exchange.models import Incoming
from tests.factories.exchange import IncomingFactory, OwnDestinationFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_an_administrator_reads_why_a_received_submission_was_rejected(
    page: Page, server: str, assert_accessible: Check
) -> None:
    barleben = Authority.objects.get(slug="barleben")
    unit = OrgUnit.objects.filter(authority=barleben).order_by("pk").first()
    incoming = IncomingFactory(
        destination=OwnDestinationFactory(org_unit=unit, name="Ordnungsamt Barleben"),
        status=Incoming.Status.REJECTED,
        problems=[{
            "type": "https://schema.fitko.de/fit-connect/events/problems/hash-mismatch",
            "title": "Hash of an attachment differs",
            "detail": "The SHA-512 of attachment 1 differs from the metadata's.",
        }],
    )  # fmt: skip

    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.goto(f"{server}/verwaltung/austausch/eingang/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Von anderen Behörden erhalten")
    assert_accessible(page)

    page.goto(f"{server}/verwaltung/austausch/eingang/?status=rejected")
    page.get_by_role("link", name=incoming.created_at.astimezone().strftime("%d.%m.%Y")).click()
    expect(page.get_by_role("heading", name="Warum sie abgelehnt wurde")).to_be_visible()
    expect(page.get_by_text("differs from the metadata")).to_be_visible()
    assert_accessible(page)

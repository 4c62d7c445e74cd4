"""An administrator finds a stuck outgoing application in the exchange's outbox and sends it
again, in a real browser with axe on every page (ADR 0053)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import Authority
from rathaus.exchange.models import Outgoing
from tests.factories import OutgoingFactory, SubmissionFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_an_administrator_sends_a_stuck_application_again(
    page: Page, server: str, assert_accessible: Check
) -> None:
    barleben = Authority.objects.get(slug="barleben")
    stuck = OutgoingFactory(
        submission=SubmissionFactory(authority=barleben), status="stuck", attempts=8,
        last_error="POST /submissions: 503 Service Unavailable", next_attempt_at=timezone.now(),
    )  # fmt: skip
    reference = stuck.submission.reference

    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Austausch"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Postausgang des Austauschs")
    assert_accessible(page)

    page.get_by_role("link", name="Hängt fest (1)").click()
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(page.get_by_text("503 Service Unavailable")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Jetzt erneut senden").click()
    expect(page.get_by_role("status")).to_contain_text("wird jetzt erneut gesendet")
    assert_accessible(page)
    assert Outgoing.objects.get(pk=stuck.pk).status == "pending"

"""A head of unit finds a set-aside task on a phone, reads what it was for, and retries it."""

from __future__ import annotations

from collections.abc import Callable

from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import DeadLetter
from tests.factories import DeadLetterFactory
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def test_head_retries_a_set_aside_task(page: Page, server: str, assert_accessible: Check) -> None:
    letter = DeadLetterFactory(
        task_path="rathaus.core.mail.deliver_email", args_kwargs={"args": [999999], "kwargs": {}}
    )
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "ordnungsamt", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="ordnungsamt", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    page.get_by_role("link", name="Hintergrundaufgaben (zurückgestellt, erneut starten)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hintergrundaufgaben")
    expect(
        page.get_by_role("cell", name="E-Mail Nr. 999999 „–“ senden", exact=True)
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="„E-Mail Nr. 999999 „–“ senden“ erneut starten").click()
    expect(page.get_by_role("status")).to_contain_text("Die Aufgabe wird erneut ausgeführt.")
    expect(page.get_by_text("Keine Aufgabe ist zurückgestellt.")).to_be_visible()
    assert_accessible(page)
    letter.refresh_from_db()
    assert letter.retried_by is not None
    assert DBTaskResult.objects.filter(pk=DeadLetter.objects.get().retry_task_id).exists()

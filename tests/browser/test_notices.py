"""Official notices in a real browser on a 390 px phone, with axe on every page: the list from
the main navigation, a notice with its attachment, the archive with its folded proof, and
subscribing to a category by e-mail (also without JavaScript). The notices are made here, so
the test does not depend on the demo's notices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from rathaus.core.models import OutgoingEmail
from rathaus.noticeboard.models import Category, DisplayRecord, Notice, Subscription
from tests.factories import AuthorityFactory, NoticeAttachmentFactory, NoticeFactory
from tests.factories.noticeboard import DisplayRecordFactory

Check = Callable[[Page], None]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def notices(server: str) -> dict[str, Notice]:
    town = AuthorityFactory(slug=settings.RATHAUS_DEFAULT_AUTHORITY)
    now = timezone.now().replace(microsecond=0)
    budget = NoticeFactory(
        authority=town, title="Haushaltssatzung der Testgemeinde für 2027",
        category=Category.BUDGET, summary="Der Gemeinderat hat den Haushalt beschlossen.",
        text="§ 1 Der Haushaltsplan wird festgesetzt.\n\n§ 2 Kredite werden nicht aufgenommen.",
        signed_by="Der Bürgermeister\nErika Beispiel",
    )  # fmt: skip
    NoticeAttachmentFactory(notice=budget, title="Haushaltsplan 2027")
    ended = NoticeFactory(
        authority=town, title="Offenlage Testplan Nr. 99", category=Category.PLANNING,
        status=Notice.Status.ENDED, display_from=now - dt.timedelta(days=40),
        display_until=now - dt.timedelta(days=10), put_up_at=now - dt.timedelta(days=40),
    )  # fmt: skip
    DisplayRecordFactory(notice=ended, event=DisplayRecord.Event.PUT_UP, at=ended.display_from)
    DisplayRecordFactory(
        notice=ended, event=DisplayRecord.Event.TAKEN_DOWN, at=ended.display_until,
        content_sha256="b" * 64,
    )  # fmt: skip
    return {"budget": budget, "ended": ended}


def test_the_notices_on_a_phone_with_a_notice_and_the_archive(
    new_context, server: str, notices: dict[str, Notice], assert_accessible: Check
) -> None:
    page = new_context(viewport=PHONE).new_page()
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Bekanntmachungen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekanntmachungen")
    budget = page.locator("section").filter(has=page.get_by_role("heading", name="Haushalt"))
    expect(budget).to_contain_text("Haushaltssatzung der Testgemeinde für 2027")
    expect(budget).to_contain_text("Ausgehängt seit")
    expect(page.get_by_text("Offenlage Testplan Nr. 99")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    page.get_by_role("navigation", name="Bereiche").get_by_role("link", name="Haushalt").click()
    expect(page.get_by_role("link", name="Haushalt", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Haushaltssatzung der Testgemeinde für 2027").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Haushaltssatzung der Testgemeinde für 2027"
    )
    expect(page.get_by_text("§ 2 Kredite werden nicht aufgenommen.")).to_be_visible()
    expect(page.get_by_text("Erika Beispiel")).to_be_visible()
    attachment = page.get_by_role("link", name="Haushaltsplan 2027")
    expect(attachment.locator("xpath=..")).to_contain_text("PDF-Dokument")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    response = page.request.get(f"{server}{attachment.get_attribute('href')}")
    assert response.ok
    assert response.body().startswith(b"%PDF-")

    page.goto(f"{server}/bekanntmachungen/archiv/")
    expect(page.get_by_text("Offenlage Testplan Nr. 99")).to_be_visible()
    expect(page.get_by_text("b" * 64)).to_be_hidden()  # folded until asked for
    # (the server may also hold the demo's archived notices: open this one's proof)
    entry = page.get_by_role("listitem").filter(has_text="Offenlage Testplan Nr. 99")
    entry.get_by_text("Aushangnachweis prüfen").click()
    expect(page.get_by_text("b" * 64)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_subscribing_to_a_category_on_a_phone(
    new_context, server: str, notices: dict[str, Notice], assert_accessible: Check,
    javascript: bool,
) -> None:  # fmt: skip
    page = new_context(viewport=PHONE, java_script_enabled=javascript).new_page()
    page.goto(f"{server}/bekanntmachungen/?bereich=wahlen")
    page.get_by_role("link", name="Neue Bekanntmachungen per E-Mail").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Amtliche Bekanntmachungen per E-Mail"
    )
    expect(page.get_by_role("checkbox", name="Wahlen")).to_be_checked()
    expect(page.get_by_role("link", name="Datenschutzerklärung lesen")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Abonnieren").click()  # no address: the errors are shown
    expect(page.get_by_role("alert").first).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    assert_accessible(page)
    page.get_by_label("Ihre E-Mail-Adresse").fill("leserin@example.org")
    page.get_by_role("checkbox", name="Satzungen und Verordnungen").check()
    page.get_by_role("button", name="Abonnieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    )
    assert_accessible(page)

    text = OutgoingEmail.objects.get(to="leserin@example.org").text_body
    confirm = re.search(r"https?://\S+/bekanntmachungen/abonnieren/bestaetigen/\S+/", text)[0]
    page.goto(confirm)
    page.get_by_role("button", name="Abonnement bestätigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ihr Abonnement ist bestätigt")
    expect(page.get_by_text("Ihre Bereiche: Satzungen und Verordnungen, Wahlen")).to_be_visible()
    assert_accessible(page)
    assert Subscription.objects.filter(
        email="leserin@example.org", confirmed_at__isnull=False
    ).count() == 2  # fmt: skip

"""Voting in the demo's logo competition in a real browser, without JavaScript, axe on every
page: a resident whose login has the trust level of BundID ("substantial") sees the drawn
entries, votes, sees "1 of 1 votes" and no further vote button; a second try from a tab
opened before is refused with a clear message."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.test import Client
from playwright.sync_api import BrowserContext, Page, expect

from rathaus.participation.models import Ballot
from tests.factories import AccountFactory

Check = Callable[[Page], None]
PHONE = {"width": 390, "height": 844}


def _resident_context(new_context: Callable[..., BrowserContext], server: str) -> BrowserContext:
    """A browser logged in as a resident of Barleben with a BundID-level login (the SAML
    round trip itself is tested in test_saml.py)."""
    account = AccountFactory(postal_code="39179")
    client = Client()
    client.force_login(account.user)
    session = client.session
    session["rathaus_trust_level"] = "substantial"
    session.save()
    context = new_context(viewport=PHONE, java_script_enabled=False)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key,
                          "url": server}])  # fmt: skip
    return context


def test_a_verified_resident_votes_for_a_logo(new_context, server: str,
                                              assert_accessible: Check) -> None:  # fmt: skip
    before = Ballot.objects.count()
    page = _resident_context(new_context, server).new_page()
    page.goto(f"{server}/mitmachen/")
    page.get_by_role("link", name="Logo für SmartCity Barleben").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Logo für SmartCity Barleben").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Logo für SmartCity Barleben")
    expect(page.get_by_text("Sie haben 0 von 1 Stimmen vergeben.")).to_be_visible()
    expect(page.get_by_role("img", name="Zeichnung: ein grünes B")).to_be_visible()
    assert_accessible(page)
    stale = page.context.new_page()
    stale.goto(page.url)
    page.get_by_role("listitem").filter(has_text="Vernetztes B").get_by_role(
        "button", name="Für diesen Beitrag stimmen").click()  # fmt: skip
    expect(page.get_by_text("Ihre Stimme für „Vernetztes B“ ist gezählt.")).to_be_visible()
    expect(page.get_by_text("Sie haben 1 von 1 Stimmen vergeben.")).to_be_visible()
    expect(page.get_by_role("button", name="Für diesen Beitrag stimmen")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    stale.get_by_role("listitem").filter(has_text="Welle und Turm").get_by_role(
        "button", name="Für diesen Beitrag stimmen").click()  # fmt: skip
    expect(stale.get_by_role("alert")).to_contain_text("Sie haben alle Ihre Stimmen vergeben (1).")
    assert Ballot.objects.count() == before + 1

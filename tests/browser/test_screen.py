"""A screen of the digital notice board in a real browser: with JavaScript it cycles through
its pages without reloading; when the server cannot be reached it keeps its content and says
since when there is no connection, and when the network is back it recovers by itself; a change
of the screen's configuration reloads it. Readable in landscape and portrait; axe on the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from rathaus.core import signage
from rathaus.noticeboard import screens
from tests.factories import AuthorityFactory
from tests.factories.noticeboard import ScreenFactory, SlotFactory

Check = Callable[[Page], None]
pytestmark = pytest.mark.browser
CONTENT = "**/anzeige/foyer-test/inhalt.json*"


def _slides(authority: Any, options: Any) -> list[signage.Slide]:
    return [signage.Slide(heading="Test", title=f"Folie {n}", lines=[f"Zeile {n}"],
                          facts=[signage.Fact("Wert", f"{n} µg/m³")]) for n in (1, 2, 3)]  # fmt: skip


def _more(authority: Any, options: Any) -> list[signage.Slide]:
    return [signage.Slide(heading="Neu", title="Neue Folie", severity="alert")]


@pytest.fixture
def screen(empty_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    signage.register(signage.SignageSource("test.folien", "Testfolien", _slides))
    signage.register(signage.SignageSource("test.neu", "Neues", _more))
    # ask often, so that the test sees the outage and the recovery in seconds
    monkeypatch.setattr(screens, "REFRESH_SECONDS", 2)
    monkeypatch.setattr(screens, "RETRY_SECONDS", 1)
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    shown = ScreenFactory(authority=town, slug="foyer-test", name="Foyer")
    SlotFactory(screen=shown, source="test.folien", seconds=5, position=0)
    yield shown
    signage._sources.pop("test.folien")
    signage._sources.pop("test.neu")


def title(page: Page) -> Any:
    return page.get_by_role("heading", level=1)


def test_the_screen_cycles_keeps_its_content_offline_and_recovers(
    new_context, empty_server: str, screen: Any, assert_accessible: Check
):
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    address = f"{empty_server}/anzeige/foyer-test/"
    page.goto(address)
    expect(title(page)).to_have_text("Folie 1")
    expect(page.get_by_text("Quelle: Testfolien")).to_be_visible()
    expect(page.get_by_text("Gemeinde Barleben")).to_be_visible()
    assert_accessible(page)
    page.evaluate("window.sameDocument = true")
    expect(title(page)).to_have_text("Folie 2", timeout=8000)
    expect(page.get_by_text("Seite 2 von 3")).to_be_visible()
    assert page.url == address  # cycled by the script, not by a refresh
    assert page.evaluate("window.sameDocument") is True

    def refuse(route: Route) -> None:
        route.abort("internetdisconnected")

    page.route(CONTENT, refuse)
    offline = page.locator("#screen-offline")
    expect(offline).to_be_visible(timeout=8000)
    expect(offline).to_contain_text("Keine Verbindung seit")
    # the last good content stays and keeps cycling
    expect(title(page)).to_have_text("Folie 3", timeout=8000)
    expect(page.get_by_text("Zeile 3")).to_be_visible()
    assert_accessible(page)

    page.unroute(CONTENT, refuse)
    expect(offline).to_be_hidden(timeout=8000)
    assert page.evaluate("window.sameDocument") is True  # recovered without a reload

    # staff add content: the new configuration reloads the page, which shows it
    SlotFactory(screen=screen, source="test.neu", seconds=5, position=1)
    page.wait_for_function("window.sameDocument === undefined", timeout=8000)
    expect(page.get_by_role("heading", name="Neue Folie")).to_be_visible(timeout=20000)
    expect(page.locator(".screen-slide--alert")).to_be_visible()
    assert_accessible(page)


def test_the_screen_reads_in_portrait_and_without_javascript(
    new_context, empty_server: str, screen: Any, assert_accessible: Check
):
    page = new_context(viewport={"width": 1080, "height": 1920}).new_page()
    page.goto(f"{empty_server}/anzeige/foyer-test/")
    expect(title(page)).to_have_text("Folie 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert size >= 80  # readable from several metres
    assert_accessible(page)
    still = new_context(java_script_enabled=False, viewport={"width": 1920, "height": 1080})
    page = still.new_page()
    page.goto(f"{empty_server}/anzeige/foyer-test/?n=1")
    expect(title(page)).to_have_text("Folie 2")
    # the browser follows the refresh to the next page by itself
    expect(title(page)).to_have_text("Folie 3", timeout=9000)
    assert page.url.endswith("/anzeige/foyer-test/?n=2")
    assert_accessible(page)
    page.goto(f"{empty_server}/anzeige/gibt-es-nicht/")
    expect(title(page)).to_have_text("Anzeige nicht gefunden")

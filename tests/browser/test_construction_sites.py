"""Construction sites in a real browser, with axe on every page: the public list on a phone with
JavaScript (the labelled, skippable map with the demo sites) and without (filters, tabs), one
site's page with its PDF, and staff adding a site by clicking on the map and, without
JavaScript, by typing coordinates, then publishing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from rathaus.construction.models import Disruption, Publication
from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]
pytestmark = pytest.mark.browser


def _tiles(settings: Any, server: str) -> None:
    # tiles from the live server itself (no network in the tests): any image will do
    settings.RATHAUS_MAP_TILE_URL = f"{server}/static/vendor/leaflet/images/layers.png?{{z}}"


def test_the_list_on_a_phone_with_the_map(
    new_context, server: str, settings: Any, assert_accessible: Check
):
    _tiles(settings, server)
    page = new_context(viewport={"width": 320, "height": 800}).new_page()
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Baustellen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baustellen und Straßensperrungen")
    current = page.locator("section").filter(has=page.get_by_role("heading", name="Aktuell"))
    expect(current).to_contain_text("Fahrbahnerneuerung Breiteweg")
    expect(current).to_contain_text("bis auf Weiteres")
    expect(page.get_by_role("region", name="Karte der Baustellen")).to_be_visible()
    expect(page.locator(".leaflet-interactive").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.get_by_role("link", name="Karte überspringen").click()
    assert page.evaluate("document.activeElement.id") == "weiteres"

    page.get_by_role("link", name="Fahrbahnerneuerung Breiteweg (südlicher Abschnitt)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fahrbahnerneuerung Breiteweg")
    expect(page.get_by_text("Umleitung über Bahnhofstraße")).to_be_visible()
    document = page.get_by_role("link", name="Verkehrsrechtliche Anordnung Breiteweg")
    expect(document).to_be_visible()
    assert_accessible(page)
    response = page.request.get(f"{server}{document.get_attribute('href')}")
    assert response.ok
    assert response.body().startswith(b"%PDF-")


def test_the_list_without_javascript_filters_by_village_and_time(
    new_context, server: str, assert_accessible: Check
):
    page = new_context(java_script_enabled=False, viewport={"width": 320, "height": 800}).new_page()
    page.goto(f"{server}/baustellen/")
    expect(page.get_by_role("region", name="Karte der Baustellen")).to_have_count(0)
    # the list first: a current site is on the first screen of a phone, the filter folded
    expect(page.get_by_role("heading", name="Aktuell")).to_be_in_viewport()
    expect(page.get_by_label("Ortsteil")).to_be_hidden()
    page.get_by_text("Nach Ortsteil oder Tag filtern").click()
    expect(page.get_by_label("An welchem Tag?")).to_be_visible()
    page.get_by_label("Ortsteil").select_option("Ebendorf")
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator(".construction-entry").first).to_contain_text("Ebendorf")
    expect(page.get_by_text("Fahrbahnerneuerung Breiteweg")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("navigation", name="Aktuell, geplant oder beendet").get_by_role(
        "link", name="Geplant"
    ).click()
    expect(page.get_by_text("Kanalbau Ebendorf Ortsmitte")).to_be_visible()
    expect(page.get_by_text("Umleitung wegen Brückenprüfung")).to_have_count(0)
    assert_accessible(page)


def _log_in(page: Page, server: str) -> None:
    page.goto(f"{server}/verwaltung/")
    log_in_with_password(page, "digitales", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="digitales", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()


def _fill(page: Page, title: str) -> None:
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Art", exact=True).select_option("closure")
    page.get_by_label("Betroffene Straßen").fill("Breiteweg")
    page.get_by_label("Von").fill("2026-12-01")
    page.get_by_label("Bis auf Weiteres").check()


def test_without_tiles_there_is_no_map_and_staff_type_coordinates(
    page: Page, server: str, assert_accessible: Check
) -> None:
    page.goto(f"{server}/baustellen/")
    expect(page.get_by_text("Fahrbahnerneuerung Breiteweg").first).to_be_visible()
    expect(page.locator(".leaflet-container")).to_have_count(0)
    _log_in(page, server)
    page.goto(f"{server}/verwaltung/baustellen/neu/")
    expect(page.locator(".leaflet-container")).to_have_count(0)
    _fill(page, "Sperrung ohne Karte")
    page.get_by_label("Ein Punkt", exact=True).check()
    page.get_by_label("Koordinaten").fill("52.2009, 11.6219")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("wurde gespeichert")).to_be_visible()


def test_staff_draw_a_site_on_the_map_and_publish_it(
    page: Page, server: str, settings: Any, assert_accessible: Check
) -> None:
    _tiles(settings, server)
    _log_in(page, server)
    page.get_by_role("navigation", name="Navigation der Verwaltung").get_by_role(
        "link", name="Baustellen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Baustellen")
    assert_accessible(page)
    page.get_by_role("link", name="Baustelle anlegen").click()
    _fill(page, "Gezeichnete Sperrung")
    page.get_by_label("Eine Linie (ein Straßenabschnitt)").check()
    drawing = page.get_by_role("region", name="Karte zum Einzeichnen des Ortes")
    drawing.click(position={"x": 60, "y": 60})
    drawing.click(position={"x": 160, "y": 120})
    expect(page.get_by_text("Punkte: 2")).to_be_visible()
    assert page.get_by_label("Koordinaten").input_value().count("\n") == 1
    assert_accessible(page)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("wurde gespeichert")).to_be_visible()
    page.get_by_role("button", name="Veröffentlichen").click()
    expect(page.get_by_text("Die Baustelle ist jetzt veröffentlicht.")).to_be_visible()
    site = Disruption.objects.get(title="Gezeichnete Sperrung")
    assert site.status == Publication.PUBLISHED
    assert site.geometry["type"] == "LineString"
    assert len(site.geometry["coordinates"]) == 2


def test_staff_type_coordinates_beside_the_map_and_save_at_once(
    new_context, server: str, settings: Any
) -> None:
    # The status line under the map keeps its height: typing never moves "Save" away from
    # where the finger lands (the review saw the first tap miss, 6 of 6 times).
    _tiles(settings, server)
    page = new_context(viewport={"width": 360, "height": 800}).new_page()  # a phone
    _log_in(page, server)
    page.goto(f"{server}/verwaltung/baustellen/neu/")
    _fill(page, "Getippt neben der Karte")
    page.get_by_label("Ein Punkt", exact=True).check()
    save = page.get_by_role("button", name="Speichern")
    where = "element => element.getBoundingClientRect().top + window.scrollY"
    before = save.evaluate(where)
    page.get_by_label("Koordinaten").press_sequentially("52.2009, 11.6219")
    expect(page.get_by_text("Punkte: 1")).to_be_visible()
    assert save.evaluate(where) == before
    save.click()
    expect(page.get_by_text("wurde gespeichert")).to_be_visible()
    site: Any = Disruption.objects.get(title="Getippt neben der Karte")
    assert site.geometry == {"type": "Point", "coordinates": [11.6219, 52.2009]}


def test_staff_type_coordinates_without_javascript(
    new_context, server: str, assert_accessible: Check
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    _log_in(page, server)
    page.goto(f"{server}/verwaltung/baustellen/neu/")
    _fill(page, "Getippte Sperrung")
    page.get_by_label("Ein Punkt", exact=True).check()
    page.get_by_label("Koordinaten").fill("11.6219, 52.2009")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("Breite und Länge vertauscht?")
    assert_accessible(page)
    page.get_by_label("Koordinaten").fill("52.2009, 11.6219")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("wurde gespeichert")).to_be_visible()
    site: Any = Disruption.objects.get(title="Getippte Sperrung")
    assert site.geometry == {"type": "Point", "coordinates": [11.6219, 52.2009]}

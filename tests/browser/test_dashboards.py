"""The dashboards at /daten/ in a real browser at 1280 and 320 px, with axe on every page: the
current values with their limits, the chart drawn from the table's data, the station map with
tiles (Leaflet) and without (the plain drawing and the list), the CSV, and without JavaScript."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rathaus.opendata import ingest
from rathaus.opendata.models import Topic
from tests.factories import DatastreamFactory
from tests.factories.opendata import StaLocationFactory, ThresholdFactory

Check = Callable[[Page], None]


@pytest.fixture
def air(server: str) -> Any:
    """Two air stations with a day of hourly values; one of them beyond its limit, generated."""
    streams = []
    for name, lon, lat, base, demo in (
        ("Teststadt/Nordpark", 11.5847, 52.1340, 40.0, True),
        ("Barleben Breiteweg", 11.6219, 52.2009, 12.0, False),
    ):
        stream = DatastreamFactory(
            topic=Topic.AIR, name=f"PM10 {name}", thing__name=name,
            observed_property__name="PM10", demo=demo,
        )  # fmt: skip
        stream.thing.locations.add(StaLocationFactory(longitude=lon, latitude=lat))
        ThresholdFactory(datastream=stream, value=50.0, name="EU-Grenzwert", minutes=0)
        now = timezone.now()
        ingest.store([
            ingest.Reading(stream.pk, now - datetime.timedelta(hours=hour), base + (20 - hour))
            for hour in range(20, -1, -1)
        ])  # fmt: skip
        streams.append(stream)
    return streams


@pytest.mark.parametrize("width", [1280, 320])
def test_the_air_dashboard_with_chart_map_and_csv(
    new_context, server: str, air: Any, settings: Any, assert_accessible: Check, width: int
) -> None:
    # tiles from the live server itself (no network in the tests): any image will do
    settings.RATHAUS_MAP_TILE_URL = f"{server}/static/vendor/leaflet/images/layers.png?{{z}}"
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    missing: list[str] = []
    page.on("response", lambda response: response.status == 404 and missing.append(response.url))
    page.goto(f"{server}/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Daten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Daten der Gemeinde")
    expect(page.get_by_text("Demodaten:")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Luft", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Luft")
    table = page.get_by_role("table", name="Der neueste Wert jeder Messreihe")
    row = table.get_by_role("row").filter(has_text="Nordpark (Teststadt)")
    expect(row).to_contain_text("60,0 µg/m³")
    expect(row).to_contain_text("über dem Grenzwert")
    expect(table.get_by_role("row").filter(has_text="Breiteweg")).to_contain_text("im Rahmen")
    expect(page.get_by_role("region", name="Interaktive Karte der Messstellen")).to_be_visible()
    # no sideways scrolling: at 320 px the rows are cards with the column name before each value
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(
        "Math.max(...[...document.querySelectorAll('.opendata-cards table')]"
        ".map(t => t.getBoundingClientRect().right)) <= window.innerWidth"
    )
    places = page.locator(".opendata-places li").count()
    expect(page.locator(".leaflet-marker-icon")).to_have_count(places)
    expect(page.locator(".leaflet-marker-icon").first).to_have_text("1")
    assert_accessible(page)

    page.get_by_role("link", name="PM10 – Nordpark (Teststadt)").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PM10 – Nordpark (Teststadt)")
    expect(
        page.get_by_role("img", name="Diagramm der Werte von PM10 – Nordpark (Teststadt)")
    ).to_be_visible()
    expect(page.locator(".uplot canvas")).to_have_count(1)
    legend = page.locator(".u-legend")
    expect(legend).to_contain_text("Zeit")
    expect(legend).not_to_contain_text("Time")
    expect(legend).not_to_contain_text("--")
    values = page.get_by_role("table", name="Werte von PM10 – Nordpark (Teststadt): Tag")
    expect(values.get_by_role("row")).to_have_count(22)  # the head and 21 hours
    assert_accessible(page)

    page.get_by_role("link", name="Woche").click()
    expect(page.get_by_text("Stundenmittelwerte")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Als CSV herunterladen (Woche)").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Zeitpunkt (Europe/Berlin);Mittelwert (µg/m³);")
    assert lines[1].endswith(";Demodaten")
    assert len(lines) == 22  # header, 21 hours
    assert missing == []


def test_without_javascript_and_tiles_the_map_is_a_drawing_and_a_list(
    new_context, server: str, air: Any, settings: Any, assert_accessible: Check
) -> None:
    settings.RATHAUS_MAP_TILE_URL = ""
    page = new_context(java_script_enabled=False, viewport={"width": 320, "height": 800}).new_page()
    page.goto(f"{server}/daten/luft/")

    expect(page.get_by_role("img", name="Einfache Karte der Messstellen")).to_be_visible()
    expect(page.locator(".opendata-places li").filter(has_text="Teststadt")).to_have_count(1)
    expect(page.locator(".opendata-places")).to_contain_text("Breite 52,2009, Länge 11,6219")
    assert_accessible(page)
    page.get_by_role("link", name="Warnungen zu diesem Thema per E-Mail erhalten").click()
    page.get_by_role("button", name="Abonnieren").click()
    expect(page.get_by_role("alert").first).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    assert_accessible(page)
    page.get_by_label("Ihre E-Mail-Adresse").fill("leser@example.org")
    page.get_by_role("button", name="Abonnieren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    )
    assert_accessible(page)

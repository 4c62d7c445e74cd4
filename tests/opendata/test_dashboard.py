"""The public dashboards at /daten/: current values with limits, charts as tables and CSV,
the map as a drawing and a list, the demo label, alerts; every page without JavaScript."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import Topic
from tests.factories import DatastreamFactory
from tests.factories.opendata import (
    AggregateFactory,
    AlertFactory,
    StaLocationFactory,
    ThresholdFactory,
)
from tests.support import make_authority

pytestmark = pytest.mark.django_db


def ago(**delta: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def station(name: str, topic: str = Topic.AIR, lon: float = 11.62, lat: float = 52.2, **fields):
    stream = DatastreamFactory(
        topic=topic, thing__name=name, observed_property__name="PM10", **fields
    )
    stream.thing.locations.add(StaLocationFactory(longitude=lon, latitude=lat))
    return stream


def values(stream, *pairs: tuple[datetime.datetime, float]) -> None:
    ingest.store([ingest.Reading(stream.pk, time, value) for time, value in pairs])


def page(path: str, status: int = 200) -> str:
    response = Client().get(path)
    assert response.status_code == status, path
    return response.content.decode()


def test_the_overview_shows_each_topic_with_its_current_values_and_the_alerts():
    west = station("Magdeburg/West", demo=True)
    values(west, (ago(hours=2), 12.0), (ago(minutes=5), 61.5))
    ThresholdFactory(datastream=west, value=50.0, name="EU-Grenzwert")
    AlertFactory(threshold__datastream=west, threshold__name="Tagesgrenzwert", last_value=61.5)
    station("Pegel Ebendorf", topic=Topic.GROUNDWATER)

    html = page("/daten/")

    for label in ("Luft", "Grundwasser", "Verkehr", "Bus"):
        assert f">{label}</a></h2>" in html
    assert "PM10 – West (Magdeburg): 61,5 µg/m³" in html
    assert '– <strong class="opendata-beyond">über dem Grenzwert</strong>' in html
    assert "PM10 – Pegel Ebendorf: noch kein Wert" in html
    assert "Aktuelle Warnungen" in html
    assert "Tagesgrenzwert überschritten seit" in html
    assert "Demodaten" in html
    assert "Einige Werte auf dieser Seite" in html  # the groundwater series is not demo
    assert "Umweltbundesamt" in html
    # the main navigation's entry "Daten", marked on its pages
    assert 'href="/daten/" aria-current="page">Daten</a>' in html
    assert 'href="/daten/" aria-current="page">Daten</a>' in page("/daten/luft/")


def test_a_topic_page_lists_each_series_with_value_limit_and_status_and_a_map():
    above = station("Magdeburg/West", lon=11.58, lat=52.13)
    values(above, (ago(minutes=30), 72.4))
    ThresholdFactory(datastream=above, value=50.0, name="EU-Grenzwert")
    within = station("Barleben Breiteweg", lon=11.62, lat=52.2)
    values(within, (ago(minutes=30), 20.0))
    ThresholdFactory(datastream=within, value=50.0)
    station("Pegel Barleben", topic=Topic.GROUNDWATER)

    html = page("/daten/luft/")

    assert '<h1 class="kern-heading-x-large">Luft</h1>' in html
    assert "72,4 µg/m³" in html
    assert "höchstens 50 µg/m³" in html
    assert "(EU-Grenzwert)" in html
    assert "über dem Grenzwert" in html
    assert "im Rahmen" in html
    assert "Pegel Barleben" not in html
    assert "Demodaten" not in html
    # the map without JavaScript and tiles: a drawing and the list with coordinates
    assert '<svg class="opendata-map__plain"' in html
    assert html.count("<circle ") == 2
    assert "Breite 52,1300, Länge 11,5800" in html
    assert f'href="/daten/luft/{above.pk}/"' in html
    assert 'id="opendata-map-options"' in html


def test_unknown_topics_and_series_of_another_topic_or_portal_are_not_found():
    gauge = station("Pegel", topic=Topic.GROUNDWATER)
    elsewhere = station("Anderswo", thing__authority=make_authority("anderswo"))

    page("/daten/wetter/", 404)
    page(f"/daten/luft/{gauge.pk}/", 404)
    page(f"/daten/luft/{gauge.pk}.csv", 404)
    page(f"/daten/luft/{elsewhere.pk}/", 404)
    assert "Anderswo" not in page("/daten/luft/")
    assert page(f"/daten/grundwasser/{gauge.pk}/")


def test_the_day_shows_raw_values_as_a_table_and_chart_data_and_as_csv():
    stream = station("Magdeburg/West", demo=True)
    values(stream, (ago(hours=30), 99.0), (ago(hours=3), 18.5), (ago(hours=1), 23.4))

    html = page(f"/daten/luft/{stream.pk}/")
    csv = Client().get(f"/daten/luft/{stream.pk}.csv?zeitraum=tag")

    assert "18,5 µg/m³</td>" in html
    assert "23,4 µg/m³</td>" in html
    assert "99,0" not in html  # older than a day
    assert "Alle Werte auf dieser Seite sind Demodaten" in html
    assert '"y": [18.5, 23.4]' in html
    assert 'id="opendata-chart-data"' in html
    assert f"/daten/luft/{stream.pk}.csv?zeitraum=tag" in html
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert "demodaten" in csv["Content-Disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    # German Excel: decimal commas with ";", local times it reads as dates, the note in a column
    assert lines[0] == "Zeitpunkt (Europe/Berlin);Wert (µg/m³);Minimum;Maximum;Anzahl;Hinweis"
    local = ago(hours=3).astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert lines[1].split(";")[0] == local.strftime("%d.%m.%Y %H:%M")
    assert [line.split(";")[1] for line in lines[1:]] == ["18,5", "23,4"]
    assert {line.split(";")[-1] for line in lines[1:]} == {"Demodaten"}


def test_the_week_uses_hourly_aggregates_and_raw_values_for_the_hours_after_them():
    with_aggregates = station("Mit Aggregaten")
    hour = ago(hours=5).replace(minute=0, second=0, microsecond=0)
    AggregateFactory(datastream=with_aggregates, start=hour, count=4, total=100.0,
                     minimum=10.0, maximum=40.0)  # fmt: skip
    # a raw value of the aggregated hour is not counted twice; a newer hour comes from raw values
    values(with_aggregates, (hour + datetime.timedelta(minutes=10), 999.0), (ago(hours=2), 31.0))
    without = station("Ohne Aggregate")
    values(without, (hour + datetime.timedelta(minutes=10), 10.0),
           (hour + datetime.timedelta(minutes=20), 30.0))  # fmt: skip

    aggregated = page(f"/daten/luft/{with_aggregates.pk}/?zeitraum=woche")
    computed = Client().get(f"/daten/luft/{without.pk}.csv?zeitraum=woche")

    assert "Stundenmittelwerte" in aggregated
    assert "25,0 µg/m³</td>" in aggregated
    assert "999,0 µg/m³</td>" not in aggregated
    assert "31,0 µg/m³</td>" in aggregated
    lines = computed.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Zeitpunkt (Europe/Berlin);Mittelwert (µg/m³);Minimum;Maximum;Anzahl"
    assert len(lines) == 2
    assert lines[1].split(";")[1:] == ["20,0", "10,0", "30,0", "2"]


def test_the_year_uses_daily_aggregates():
    stream = station("Jahr")
    day = ago(days=100).replace(hour=0, minute=0, second=0, microsecond=0)
    AggregateFactory(datastream=stream, period="day", start=day, count=24, total=480.0)
    AggregateFactory(datastream=stream, period="day", start=ago(days=400), count=24, total=1.0)

    html = page(f"/daten/luft/{stream.pk}/?zeitraum=jahr")

    assert "Tagesmittelwerte" in html
    assert html.count("20,0 µg/m³</td>") == 1
    assert (
        f"Werte gibt es seit dem {day.astimezone(zoneinfo.ZoneInfo('Europe/Berlin')).day}." in html
    )
    assert " 0:00</td>" not in html  # daily rows show the day only
    assert "0,0 µg/m³</td>" not in html.replace("20,0 µg/m³</td>", "")  # older than a year


def test_an_unknown_period_is_a_clear_error():
    stream = station("Station")

    html = page(f"/daten/luft/{stream.pk}/?zeitraum=decade", 400)
    csv = Client().get(f"/daten/luft/{stream.pk}.csv?zeitraum=decade")

    assert "Diesen Zeitraum gibt es nicht" in html
    assert csv.status_code == 400
    assert "zeitraum=tag, woche oder jahr" in csv.content.decode()


def test_series_are_named_by_property_and_short_station_name_in_german_spelling():
    stream = station("Luftmessstation Magdeburg/Damaschkeplatz")
    stream.observed_property.name = "PM2.5"
    stream.observed_property.save()
    values(stream, (ago(hours=1), 12.0))

    topic_page = page("/daten/luft/")
    html = page(f"/daten/luft/{stream.pk}/")

    assert "<title>PM2,5 – Damaschkeplatz (Magdeburg)" in html
    assert "PM2.5" not in html
    assert "Damaschkeplatz (Magdeburg)</td>" in topic_page
    assert "Luftmessstation Magdeburg/Damaschkeplatz: " not in topic_page

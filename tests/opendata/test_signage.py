"""The sensor values and alerts on the screens of the notice board (``opendata.sensors``,
``opendata.alerts``): per station the newest values with unit and time, old values marked; open
alerts with severity "alert"; only what the authority's dashboards show, in one query each."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from rathaus.core import signage
from rathaus.opendata.models import Topic
from tests.factories import AuthorityFactory
from tests.factories.opendata import (
    AlertFactory,
    DatastreamFactory,
    LatestObservationFactory,
    ObservedPropertyFactory,
    ThingFactory,
    ThresholdFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # counts queries: PostgreSQL too


def _value(thing, prop, value, unit="µg/m³", topic=Topic.AIR, age=dt.timedelta(minutes=10),
           words=""):  # fmt: skip
    stream = DatastreamFactory(thing=thing, topic=topic, unit_of_measurement={"symbol": unit},
                               observed_property=ObservedPropertyFactory(name=prop,
                                                                         description=words))  # fmt: skip
    LatestObservationFactory(datastream=stream, result_number=value,
                             phenomenon_time=timezone.now() - age)  # fmt: skip
    return stream


@time_machine.travel(dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC), tick=False)
def test_each_station_shows_its_newest_values_with_unit_and_time(django_assert_num_queries):
    town = AuthorityFactory()
    station = ThingFactory(name="Luftmessstation Breiteweg", authority=town)
    pm10 = _value(station, "PM10", 21.47, words="Feinstaub mit Partikeln bis 10 µm")
    no2 = _value(station, "NO2", 58.0, words="Stickstoffdioxid")
    ThresholdFactory(datastream=pm10, value=50.0, direction="above")
    ThresholdFactory(datastream=no2, value=40.0, direction="above")
    # a limit on the annual mean says nothing about a single value, nor does an inactive one
    ThresholdFactory(datastream=pm10, value=20.0, direction="above", statistic="year")
    ThresholdFactory(datastream=pm10, value=10.0, direction="above", active=False)
    gauge = ThingFactory(name="Pegel Ebendorf", authority=None)
    _value(gauge, "Grundwasserstand", 48.26, unit="m ü. NHN", topic=Topic.GROUNDWATER,
           age=dt.timedelta(hours=9))  # fmt: skip
    elsewhere = ThingFactory(name="Station anderswo", authority=AuthorityFactory())
    _value(elsewhere, "PM10", 99.0)
    source = signage.get("opendata.sensors")
    with django_assert_num_queries(2):  # the values, the thresholds
        slides = source.slides(town, {})
    assert [slide.title for slide in slides] == ["Luftmessstation Breiteweg", "Pegel Ebendorf"]
    air, water = slides
    assert air.heading == "Luftqualität"
    assert [(fact.label, fact.value) for fact in air.facts] == [
        ("Stickstoffdioxid (NO2)", "58,0 µg/m³ – über dem Grenzwert"),
        ("Feinstaub mit Partikeln bis 10 µm (PM10)", "21,5 µg/m³ – im normalen Bereich"),
    ]  # fmt: skip
    assert air.lines == ["Gemessen um 11:20 Uhr"]  # 10:20 UTC is 11:20 in Barleben
    assert air.path == "/daten/luft/"
    assert water.heading == "Grundwasser"
    assert (water.facts[0].label, water.facts[0].value) == (
        "Grundwasserstand",
        "48,3 m ü. NHN",
    )  # no threshold: no rating
    assert water.lines[0] == "Gemessen um 02:30 Uhr"
    assert water.lines[-1] == "Nicht aktuell: Der letzte Wert ist älter als 6 Stunden."
    # options: one dashboard only, and a longer time before values count as old
    only_water = source.slides(town, {"topic": "groundwater", "hours": 12})
    assert [slide.title for slide in only_water] == ["Pegel Ebendorf"]
    assert len(only_water[0].lines) == 1


def test_open_alerts_show_with_severity_alert(django_assert_num_queries):
    town = AuthorityFactory()
    stream = _value(ThingFactory(name="Luftmessstation Breiteweg", authority=town), "PM10", 58)
    AlertFactory(threshold=ThresholdFactory(datastream=stream, value=50.0), last_value=58.0)
    AlertFactory(threshold=ThresholdFactory(datastream=stream), ended_at=timezone.now())
    other = _value(ThingFactory(authority=AuthorityFactory()), "PM10", 70)
    AlertFactory(threshold=ThresholdFactory(datastream=other))
    with django_assert_num_queries(1):
        slides = signage.get("opendata.alerts").slides(town, {})
    assert len(slides) == 1
    alert = slides[0]
    assert (alert.severity, alert.heading) == ("alert", "Warnung")
    assert alert.title == "PM10: Luftmessstation Breiteweg"
    assert [(fact.label, fact.value) for fact in alert.facts] == [
        ("Letzter Wert", "58,0 µg/m³"), ("Grenzwert", "über 50,0 µg/m³")]  # fmt: skip
    assert alert.lines[0].startswith("Seit heute, ")


def test_no_values_no_slides():
    assert signage.get("opendata.sensors").slides(AuthorityFactory(), {}) == []
    assert signage.get("opendata.alerts").slides(AuthorityFactory(), {}) == []

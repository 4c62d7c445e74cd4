"""The demo's sensor network: real UBA stations, generated series marked as demo, thresholds."""

from __future__ import annotations

import datetime

import pytest

from rathaus.core.demo import Tally
from rathaus.opendata import demo
from rathaus.opendata.models import (
    Aggregate,
    Datastream,
    LatestObservation,
    Observation,
    Thing,
    Threshold,
    Topic,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 30, 12, 20, tzinfo=UTC)


def test_the_stations_carry_the_real_uba_metadata_and_yearly_values():
    demo.load(Tally(), now=NOW)

    station = Thing.objects.get(name="Luftmessstation Magdeburg/Damaschkeplatz")
    assert station.properties["stationCode"] == "DEST076"
    assert station.properties["pm10YearlyAverage"]["2011"] == 27.0
    assert station.properties["pm10DaysAbove50"]["2003"] == 56
    location = station.locations.get()
    assert (location.longitude, location.latitude) == (11.623397, 52.132025)
    assert location.location == {"type": "Point", "coordinates": [11.623397, 52.132025]}
    assert station.historical_locations.count() == 1
    closed = Thing.objects.get(name="Luftmessstation Wolmirstedt/OT Elbeu")
    assert closed.properties["endDate"] == "20040413"
    assert not closed.datastreams.exists()  # it stopped measuring in 2004


def test_every_topic_has_generated_series_marked_as_demo_with_hourly_values():
    demo.load(Tally(), now=NOW)

    topics = set(Datastream.objects.values_list("topic", flat=True))
    assert topics == {Topic.AIR, Topic.GROUNDWATER, Topic.TRAFFIC, Topic.BUS}
    assert not Datastream.objects.filter(demo=False).exists()
    air = Datastream.objects.filter(topic=Topic.AIR)
    assert sorted({stream.observed_property.name for stream in air}) == ["NO2", "PM10", "PM2.5"]
    hours = demo.WEEKS * 7 * 24 + 1
    assert Observation.objects.count() == Datastream.objects.count() * hours
    latest = LatestObservation.objects.get(datastream=air.first())
    assert latest.phenomenon_time == datetime.datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert Aggregate.objects.filter(period="hour").count() == Observation.objects.count()
    assert Aggregate.objects.filter(period="day").exists()


def test_values_are_plausible():
    demo.load(Tally(), now=NOW)

    def values(prop):
        return list(
            Observation.objects.filter(datastream__observed_property__name=prop).values_list(
                "result_number", flat=True
            )
        )

    pm10 = values("PM10")
    assert min(pm10) >= 2
    assert max(pm10) < 150
    assert max(pm10) > 50  # some episodes go above the EU daily limit
    assert all(40 < level < 50 for level in values("Grundwasserstand"))
    traffic = values("Verkehrsstärke")
    assert all(value.is_integer() and value >= 0 for value in traffic)
    assert max(traffic) > 400


def test_thresholds_are_the_eu_limits_and_the_towns_groundwater_levels():
    demo.load(Tally(), now=NOW)

    pm10 = Threshold.objects.filter(datastream__observed_property__name="PM10").first()
    assert (pm10.direction, pm10.value, pm10.statistic) == ("above", 50.0, "day")
    no2 = Threshold.objects.filter(datastream__observed_property__name="NO2").first()
    assert (no2.value, no2.statistic, no2.minutes) == (200.0, "value", 0)
    pm25 = Threshold.objects.filter(datastream__observed_property__name="PM2.5").first()
    assert (pm25.value, pm25.statistic) == (25.0, "year")
    gauge = Datastream.objects.get(name="Grundwasserstand Grundwassermessstelle Barleben")
    assert sorted(gauge.thresholds.values_list("direction", "value", "statistic", "minutes")) == [
        ("above", 44.5, "value", 360),
        ("below", 43.8, "value", 360),
    ]


def test_loading_again_only_adds_the_new_hours_with_the_same_values():
    demo.load(Tally(), now=NOW)
    first = dict(Observation.objects.values_list("phenomenon_time_start", "result_number")[:50])
    count = Observation.objects.count()
    things = Thing.objects.count()

    tally = Tally()
    demo.load(tally, now=NOW + datetime.timedelta(hours=2))

    assert Thing.objects.count() == things
    assert Observation.objects.count() == count + 2 * Datastream.objects.count()
    assert tally["Observation: created"] == 2 * Datastream.objects.count()
    assert not tally["Thing: created"]
    again = dict(Observation.objects.values_list("phenomenon_time_start", "result_number")[:50])
    assert again == first


def test_the_demo_loader_includes_the_network(barleben):
    station = Thing.objects.get(name="Verkehrszähler Breiteweg")

    assert station.authority == barleben
    assert station.datastreams.get().latest is not None

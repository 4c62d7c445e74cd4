"""Creating entities through the SensorThings API with the standard's own request bodies
(OGC 18-088 §10.2): plain, linked by id, deep insert, and through navigation."""

from __future__ import annotations

import pytest

from rathaus.opendata.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    LatestObservation,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
)
from tests.factories import DatastreamFactory, ThingFactory
from tests.factories.opendata import MEASUREMENT, FeatureOfInterestFactory, StaLocationFactory
from tests.support import StaWriter, sta_write_key

pytestmark = pytest.mark.django_db

UNIT = {
    "name": "Lumen",
    "symbol": "lm",
    "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html/Lumen",
}
# §10.2.1.2 "Example 3": a Thing with its Location and Datastreams, each with Sensor and
# ObservedProperty inline.
THING_DEEP = {
    "name": "Temperature Monitoring System",
    "description": "Sensor system monitoring area temperature",
    "properties": {"Deployment Condition": "Deployed in a third floor balcony",
                   "Case Used": "Radiation shield"},
    "Locations": [{
        "name": "UofC CCIT",
        "description": "University of Calgary, CCIT building",
        "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [-114.133, 51.08]},
    }],
    "Datastreams": [{
        "name": "Air Temperature DS",
        "description": "Datastream for recording temperature",
        "observationType": MEASUREMENT,
        "unitOfMeasurement": {"name": "Degree Celsius", "symbol": "degC",
                              "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html#DegreeCelsius"},
        "ObservedProperty": {"name": "Area Temperature",
                             "definition": "http://www.qudt.org/qudt/owl/1.0.0/quantity/Instances.html#AreaTemperature",
                             "description": "The degree or intensity of heat present in the area"},
        "Sensor": {"name": "DHT22", "description": "DHT22 temperature sensor",
                   "encodingType": "application/pdf",
                   "metadata": "https://cdn-shop.adafruit.com/datasheets/DHT22.pdf"},
    }],
}  # fmt: skip


@pytest.fixture
def writer():
    return StaWriter(sta_write_key())


def test_a_thing_is_created_with_201_its_address_and_the_entity(writer):
    response = writer.post("Things", {"name": "Station Breiteweg",
                                      "description": "Luftmessstation"})  # fmt: skip

    assert response.status_code == 201
    thing = Thing.objects.get()
    body = response.json()
    assert response["Location"] == f"http://testserver/sta/v1.1/Things({thing.pk})"
    assert body["@iot.id"] == thing.pk
    assert body["@iot.selfLink"] == response["Location"]
    assert body["name"] == "Station Breiteweg"
    assert body["Datastreams@iot.navigationLink"].endswith(f"Things({thing.pk})/Datastreams")


def test_the_standards_deep_insert_creates_everything_and_a_historical_location(writer):
    response = writer.post("Things", THING_DEEP)

    assert response.status_code == 201, response.json()
    thing = Thing.objects.get()
    location = thing.locations.get()
    assert (location.longitude, location.latitude) == (-114.133, 51.08)
    stream = Datastream.objects.get(thing=thing)
    assert stream.sensor.name == "DHT22"
    assert stream.observed_property.name == "Area Temperature"
    history = HistoricalLocation.objects.get(thing=thing)
    assert list(history.locations.all()) == [location]


def test_a_datastream_links_existing_entities_by_id(writer):
    thing = ThingFactory()
    sensor = Sensor.objects.create(name="S", description="d", encoding_type="application/pdf",
                                   metadata="m")  # fmt: skip
    prop = ObservedProperty.objects.create(name="Lux", definition="d", description="")
    response = writer.post("Datastreams", {
        "unitOfMeasurement": UNIT, "observationType": MEASUREMENT,
        "description": "Light exposure", "name": "Light",
        "Thing": {"@iot.id": thing.pk}, "Sensor": {"@iot.id": sensor.pk},
        "ObservedProperty": {"@iot.id": prop.pk},
    })  # fmt: skip

    assert response.status_code == 201, response.json()
    stream = Datastream.objects.get()
    assert (stream.thing, stream.sensor, stream.observed_property) == (thing, sensor, prop)
    assert Sensor.objects.count() == 1


def test_an_observation_posted_to_a_datastream_gets_a_feature_from_the_things_location(writer):
    thing = ThingFactory()
    location = StaLocationFactory()
    writer.post(f"Things({thing.pk})/Locations/$ref", {"@iot.id": location.pk})
    stream = DatastreamFactory(thing=thing)

    first = writer.post(f"Datastreams({stream.pk})/Observations",
                        {"phenomenonTime": "2026-12-01T08:00:00Z", "result": 21})  # fmt: skip
    second = writer.post(f"Datastreams({stream.pk})/Observations",
                         {"phenomenonTime": "2026-12-01T09:00:00+01:00", "result": 23.5})  # fmt: skip

    assert (first.status_code, second.status_code) == (201, 201), first.json()
    feature = FeatureOfInterest.objects.get()  # made once, then reused
    assert feature.feature == location.location
    assert feature.name == location.name
    observations = Observation.objects.filter(datastream=stream)
    assert {o.feature_of_interest_id for o in observations} == {feature.pk}
    assert first.json()["result"] == 21
    assert LatestObservation.objects.get(datastream=stream).result_number == 21.0


def test_an_observation_with_its_feature_inline_and_the_datastream_linked(writer):
    stream = DatastreamFactory()
    response = writer.post("Observations", {
        "phenomenonTime": "2017-02-07T18:02:00.000Z", "resultTime": "2017-02-07T18:02:05.000Z",
        "result": 21.6, "Datastream": {"@iot.id": stream.pk},
        "FeatureOfInterest": {"name": "UofC CCIT", "description": "University of Calgary",
                              "encodingType": "application/geo+json",
                              "feature": {"type": "Point", "coordinates": [-114.06, 51.05]}},
    })  # fmt: skip

    assert response.status_code == 201, response.json()
    observation = Observation.objects.get()
    assert observation.result_number == 21.6
    assert observation.feature_of_interest.latitude == 51.05
    assert response.json()["resultTime"] == "2017-02-07T18:02:05Z"


def test_an_observation_without_feature_and_without_location_is_refused(writer):
    stream = DatastreamFactory()
    response = writer.post(f"Datastreams({stream.pk})/Observations",
                           {"phenomenonTime": "2026-12-01T08:00:00Z", "result": 1})  # fmt: skip

    assert response.status_code == 400
    assert "FeatureOfInterest" in response.json()["message"]
    assert not Observation.objects.exists()


def test_a_location_posted_to_a_thing_is_linked_and_recorded_in_its_history(writer):
    thing = ThingFactory()
    response = writer.post(f"Things({thing.pk})/Locations", {
        "name": "Rathaus", "description": "Bahnhofstraße", "encodingType": "application/geo+json",
        "location": {"type": "Point", "coordinates": [11.62, 52.2]},
    })  # fmt: skip

    assert response.status_code == 201
    assert thing.locations.get().name == "Rathaus"
    assert HistoricalLocation.objects.filter(thing=thing).count() == 1


def test_a_multidatastream_with_its_observed_properties_takes_array_results(writer):
    thing = ThingFactory()
    FeatureOfInterestFactory()
    response = writer.post("MultiDatastreams", {
        "name": "Wetter", "description": "Temperatur und Feuchte",
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_ComplexObservation",
        "multiObservationDataTypes": [MEASUREMENT, MEASUREMENT],
        "unitOfMeasurements": [UNIT, UNIT],
        "Thing": {"@iot.id": thing.pk},
        "Sensor": {"name": "S", "description": "d", "encodingType": "text/html", "metadata": "m"},
        "ObservedProperties": [{"name": "T", "definition": "t", "description": ""},
                               {"name": "H", "definition": "h", "description": ""}],
    })  # fmt: skip
    assert response.status_code == 201, response.json()
    multi = response.json()["@iot.id"]
    feature = FeatureOfInterest.objects.get()

    good = writer.post(f"MultiDatastreams({multi})/Observations", {
        "phenomenonTime": "2026-12-01T08:00:00Z", "result": [3.5, 80],
        "FeatureOfInterest": {"@iot.id": feature.pk},
    })  # fmt: skip
    short = writer.post(f"MultiDatastreams({multi})/Observations", {
        "phenomenonTime": "2026-12-01T08:00:00Z", "result": [3.5],
        "FeatureOfInterest": {"@iot.id": feature.pk},
    })  # fmt: skip

    assert good.status_code == 201, good.json()
    assert good.json()["result"] == [3.5, 80]
    assert short.status_code == 400
    assert "array of 2" in short.json()["message"]


def test_a_location_is_stored_with_its_point_for_maps_and_filters(writer):
    response = writer.post("Locations", {
        "name": "Pegel Ebendorf", "description": "Grundwasser",
        "encodingType": "application/geo+json",
        "location": {"type": "Feature", "properties": {},
                     "geometry": {"type": "Point", "coordinates": [11.57, 52.2]}},
        "Things": [{"name": "Pegel", "description": "Grundwassermessstelle"}],
    })  # fmt: skip

    assert response.status_code == 201, response.json()
    location = Location.objects.get()
    assert (location.longitude, location.latitude) == (11.57, 52.2)
    assert location.things.get().name == "Pegel"
    assert HistoricalLocation.objects.get().locations.get() == location

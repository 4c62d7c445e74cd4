"""Changing and deleting entities: PATCH merges, PUT replaces, DELETE cascades as OGC 18-088
§10.3/§10.4 say, $ref links and unlinks."""

from __future__ import annotations

import datetime

import pytest

from rathaus.opendata import ingest
from rathaus.opendata.models import (
    Datastream,
    HistoricalLocation,
    LatestObservation,
    Location,
    Observation,
    Sensor,
    Thing,
)
from tests.factories import DatastreamFactory, ThingFactory
from tests.factories.opendata import FeatureOfInterestFactory, StaLocationFactory
from tests.support import StaWriter, sta_write_key

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def writer():
    return StaWriter(sta_write_key())


def observe(stream, *values):
    feature = FeatureOfInterestFactory()
    readings = [
        ingest.Reading(stream.pk, T0 + datetime.timedelta(minutes=n), value,
                       feature_of_interest_id=feature.pk)
        for n, value in enumerate(values)
    ]  # fmt: skip
    return ingest.store_returning_ids(readings, now=T0 + datetime.timedelta(hours=1))


def test_patch_changes_only_the_given_properties(writer):
    thing = ThingFactory(name="Alt", description="bleibt", properties={"a": 1})

    response = writer.patch(f"Things({thing.pk})", {"name": "Neu", "properties": {"b": 2}})

    assert response.status_code == 200
    thing.refresh_from_db()
    assert (thing.name, thing.description, thing.properties) == ("Neu", "bleibt", {"b": 2})
    assert response.json()["name"] == "Neu"


def test_put_replaces_the_entity_and_clears_what_is_left_out(writer):
    thing = ThingFactory(properties={"a": 1})

    response = writer.put(f"Things({thing.pk})", {"name": "Neu", "description": "Ersetzt"})

    assert response.status_code == 200
    thing.refresh_from_db()
    assert (thing.name, thing.description, thing.properties) == ("Neu", "Ersetzt", None)


def test_put_without_a_required_property_is_refused_and_changes_nothing(writer):
    thing = ThingFactory(name="Alt")

    response = writer.put(f"Things({thing.pk})", {"name": "Neu"})

    assert response.status_code == 400
    assert "'description' is missing" in response.json()["message"]
    thing.refresh_from_db()
    assert thing.name == "Alt"


def test_patching_a_things_locations_replaces_them_and_adds_to_its_history(writer):
    thing = ThingFactory()
    old, new = StaLocationFactory(), StaLocationFactory()
    writer.post(f"Things({thing.pk})/Locations/$ref", {"@iot.id": old.pk})

    response = writer.patch(f"Things({thing.pk})", {"Locations": [{"@iot.id": new.pk}]})

    assert response.status_code == 200, response.json()
    assert list(thing.locations.all()) == [new]
    assert HistoricalLocation.objects.filter(thing=thing).count() == 2


def test_patch_moves_a_datastream_to_another_thing_by_link(writer):
    stream = DatastreamFactory()
    other = ThingFactory()

    response = writer.patch(f"Datastreams({stream.pk})", {"Thing": {"@iot.id": other.pk}})

    assert response.status_code == 200
    stream.refresh_from_db()
    assert stream.thing == other


def test_patching_an_observations_result_checks_its_type_and_moves_the_latest_value(writer):
    stream = DatastreamFactory()
    _first, last = observe(stream, 10.0, 20.0)

    wrong = writer.patch(f"Observations({last})", {"result": "hoch"})
    right = writer.patch(f"Observations({last})", {"result": 25})

    assert wrong.status_code == 400
    assert "must be a number" in wrong.json()["message"]
    assert right.status_code == 200
    assert LatestObservation.objects.get(datastream=stream).result_number == 25.0


def test_deleting_the_newest_observation_moves_the_latest_value_back(writer):
    stream = DatastreamFactory()
    first, last = observe(stream, 10.0, 20.0)

    response = writer.delete(f"Observations({last})")

    assert response.status_code == 200
    latest = LatestObservation.objects.get(datastream=stream)
    assert (latest.observation_id, latest.result_number) == (first, 10.0)


def test_deleting_a_thing_takes_its_datastreams_observations_and_history_not_locations(writer):
    stream = DatastreamFactory()
    location = StaLocationFactory()
    writer.post(f"Things({stream.thing_id})/Locations/$ref", {"@iot.id": location.pk})
    observe(stream, 1.0)

    response = writer.delete(f"Things({stream.thing_id})")

    assert response.status_code == 200
    assert not Thing.objects.exists()
    assert not Datastream.objects.exists()
    assert not Observation.objects.exists()
    assert not HistoricalLocation.objects.exists()
    assert Location.objects.filter(pk=location.pk).exists()


def test_deleting_a_sensor_takes_its_datastreams(writer):
    stream = DatastreamFactory()
    observe(stream, 1.0)

    response = writer.delete(f"Sensors({stream.sensor_id})")

    assert response.status_code == 200
    assert not Sensor.objects.exists()
    assert not Datastream.objects.exists()
    assert not Observation.objects.exists()


def test_deleting_a_feature_of_interest_takes_its_observations(writer):
    stream = DatastreamFactory()
    (pk,) = observe(stream, 5.0)
    feature = Observation.objects.get(pk=pk).feature_of_interest_id

    response = writer.delete(f"FeaturesOfInterest({feature})")

    assert response.status_code == 200
    assert not Observation.objects.exists()
    assert not LatestObservation.objects.exists()


def test_deleting_a_location_takes_the_historical_locations_that_name_it(writer):
    thing = ThingFactory()
    location = StaLocationFactory()
    writer.post(f"Things({thing.pk})/Locations/$ref", {"@iot.id": location.pk})

    response = writer.delete(f"Locations({location.pk})")

    assert response.status_code == 200
    assert not HistoricalLocation.objects.exists()
    assert Thing.objects.filter(pk=thing.pk).exists()


def test_ref_links_by_self_link_and_unlinks_without_deleting(writer):
    thing = ThingFactory()
    location = StaLocationFactory()

    linked = writer.post(
        f"Things({thing.pk})/Locations/$ref",
        {"@iot.selfLink": f"http://testserver/sta/v1.1/Locations({location.pk})"},
    )
    unlinked = writer.delete(f"Things({thing.pk})/Locations({location.pk})/$ref")

    assert (linked.status_code, unlinked.status_code) == (204, 204)
    assert not thing.locations.exists()
    assert Location.objects.filter(pk=location.pk).exists()


def test_a_datastream_cannot_be_unlinked_from_its_thing(writer):
    stream = DatastreamFactory()

    response = writer.delete(f"Things({stream.thing_id})/Datastreams({stream.pk})/$ref")

    assert response.status_code == 400
    assert Datastream.objects.filter(pk=stream.pk).exists()


def test_an_entity_that_does_not_exist_is_404(writer):
    assert writer.patch("Things(999)", {"name": "x"}).status_code == 404
    assert writer.delete("Things(999)").status_code == 404


def test_an_observation_keeps_its_phenomenon_time_put_without_it_is_refused(writer):
    stream = DatastreamFactory()
    (pk,) = observe(stream, 10.0)

    cleared = writer.patch(f"Observations({pk})", {"phenomenonTime": None})
    replaced = writer.put(f"Observations({pk})", {"result": 3})

    assert cleared.status_code == 400
    assert "phenomenonTime: must not be empty" in cleared.json()["message"]
    assert replaced.status_code == 400
    assert Observation.objects.get(pk=pk).result_number == 10.0

"""The dataArray extension (OGC 18-088 §14.2): POST /CreateObservations with the standard's
request body; the answer lists a selfLink or "error" for each row, in order."""

from __future__ import annotations

import json

import pytest

from rathaus.opendata.models import LatestObservation, Observation
from tests.factories import DatastreamFactory, ThingFactory
from tests.factories.opendata import FeatureOfInterestFactory, StaLocationFactory
from tests.support import StaWriter, sta_write_key

pytestmark = pytest.mark.django_db

ID = "<the datastream's id>"


@pytest.fixture
def writer():
    return StaWriter(sta_write_key())


def test_the_standards_example_stores_every_row_and_lists_their_links(writer):
    one, two = DatastreamFactory(), DatastreamFactory()
    feature = FeatureOfInterestFactory()
    components = ["phenomenonTime", "result", "FeatureOfInterest/id"]
    body = [
        {"Datastream": {"@iot.id": one.pk}, "components": components, "dataArray@iot.count": 2,
         "dataArray": [["2010-12-23T10:20:00-0700", 20, feature.pk],
                       ["2010-12-23T10:21:00-0700", 30, feature.pk]]},
        {"Datastream": {"@iot.id": two.pk}, "components": components, "dataArray@iot.count": 2,
         "dataArray": [["2010-12-23T10:20:00-0700", 65, feature.pk],
                       ["2010-12-23T10:21:00-0700", 60, feature.pk]]},
    ]  # fmt: skip

    response = writer.post("CreateObservations", body)

    assert response.status_code == 201
    links = response.json()
    ids = list(Observation.objects.order_by("id").values_list("id", flat=True))
    assert links == [f"http://testserver/sta/v1.1/Observations({pk})" for pk in ids]
    stored = Observation.objects.order_by("id").values_list("datastream_id", "result_number")
    assert list(stored) == [(one.pk, 20), (one.pk, 30), (two.pk, 65), (two.pk, 60)]
    assert LatestObservation.objects.get(datastream=two).result_number == 60


def test_bad_rows_are_errors_in_place_and_the_good_rows_are_stored(writer):
    stream = DatastreamFactory()
    feature = FeatureOfInterestFactory()
    body = [
        {
            "Datastream": {"@iot.id": stream.pk},
            "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
            "dataArray": [
                ["2026-12-01T08:00:00Z", 1, feature.pk],
                ["2026-12-01T08:01:00Z", "viel", feature.pk],
                ["2026-12-01T08:02:00", 3, feature.pk],
                ["2026-12-01T08:03:00Z", 4, 99999],
                ["2026-12-01T08:04:00Z", 5],
                ["2026-12-01T08:05:00Z", 6, feature.pk],
            ],
        }
    ]

    answer = writer.post("CreateObservations", body).json()

    assert [entry == "error" for entry in answer] == [False, True, True, True, True, False]
    assert list(Observation.objects.values_list("result_number", flat=True)) == [1, 6]


def test_without_feature_ids_the_feature_comes_from_the_things_location(writer):
    thing = ThingFactory()
    location = StaLocationFactory()
    writer.post(f"Things({thing.pk})/Locations/$ref", {"@iot.id": location.pk})
    stream = DatastreamFactory(thing=thing)
    body = [{"Datastream": {"@iot.id": stream.pk}, "components": ["phenomenonTime", "result"],
             "dataArray": [["2026-12-01T08:00:00Z", 1], ["2026-12-01T09:00:00Z", 2]]}]  # fmt: skip

    response = writer.post("CreateObservations", body)

    assert response.status_code == 201
    features = {o.feature_of_interest for o in Observation.objects.all()}
    assert [feature.feature for feature in features] == [location.location]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Datastream": {"@iot.id": ID}}, "JSON array"),
        ([{"components": ["result"], "dataArray": []}], "name the Datastream"),
        ([{"Datastream": {"@iot.id": 999}, "components": ["result"], "dataArray": []}],
         "Datastream 999 does not exist"),
        ([{"Datastream": {"@iot.id": "DS"}, "components": ["result"], "dataArray": []}],
         "must be"),
        ([{"Datastream": "DS", "components": ["result"], "dataArray": []}], "must be"),
        ([{"Datastream": {"@iot.id": ID}, "components": ["result", "colour"],
           "dataArray": []}], "unknown component 'colour'"),
        ([{"Datastream": {"@iot.id": ID}, "components": ["phenomenonTime"],
           "dataArray": []}], "must include result"),
        ([{"Datastream": {"@iot.id": ID}, "components": ["result"], "dataArray": 5}],
         "dataArray must be a list"),
        ([{"Datastream": {"@iot.id": ID}, "components": ["result"], "dataArray": [],
           "extra": 1}], "unknown member 'extra'"),
    ],
)  # fmt: skip
def test_a_malformed_block_is_400_and_nothing_is_stored(writer, body, message):
    stream = DatastreamFactory()
    body = json.loads(json.dumps(body).replace(f'"{ID}"', str(stream.pk)))

    response = writer.post("CreateObservations", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Observation.objects.exists()


def test_create_observations_needs_a_key_and_post(writer):
    assert StaWriter(None).post("CreateObservations", []).status_code == 401
    assert writer.send("PATCH", "CreateObservations", []).status_code == 405

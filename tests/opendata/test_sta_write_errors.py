"""Bad writes get the standard's error document with a clear message and store nothing;
only staff keys with the role Administration or Sensordaten (or superusers) may write."""

from __future__ import annotations

import pytest

from rathaus.core import roles
from rathaus.opendata.models import Observation, Thing
from rathaus.opendata.sta import write
from tests.factories import DatastreamFactory
from tests.support import StaWriter, sta_write_key

pytestmark = pytest.mark.django_db

THING = {"name": "Station", "description": "Luft"}


@pytest.fixture
def writer():
    return StaWriter(sta_write_key())


@pytest.mark.parametrize(
    ("key", "status"),
    [
        (None, 401),
        ("rh_unknown_key", 401),
        ("no-bearer", 401),
    ],
)
def test_writing_without_a_valid_key_is_401(key, status):
    response = StaWriter(key).post("Things", THING)

    assert response.status_code == status
    assert response.json()["type"] == "error"
    assert not Thing.objects.exists()


def test_a_clerk_may_not_write_but_administration_and_superusers_may():
    clerk = StaWriter(sta_write_key(roles.CLERK)).post("Things", THING)
    admin = StaWriter(sta_write_key(roles.ADMINISTRATOR)).post("Things", THING)
    superuser = StaWriter(sta_write_key(None, is_superuser=True)).post("Things", THING)

    assert clerk.status_code == 403
    assert "Sensordaten" in clerk.json()["message"]
    assert (admin.status_code, superuser.status_code) == (201, 201)


def test_reading_stays_public_while_writing_is_refused():
    assert StaWriter(None).send("DELETE", "Things(1)").status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "S"}, "needs 'description'"),
        ({**THING, "colour": "rot"}, "no property 'colour'"),
        ({**THING, "name": 7}, "name: must be a text"),
        ({**THING, "name": "x" * 201}, "longer than 200"),
        ({**THING, "name": None}, "must not be empty"),
        ([THING], "must be a JSON object"),
        ({**THING, "Locations": {"name": "x"}}, "must be a JSON array"),
        ({**THING, "Locations": [{"@iot.id": 999}]}, "Location 999 does not exist"),
        ({**THING, "Locations": [{"@iot.id": "eins"}]}, "whole number"),
        ({**THING, "Locations": [{"name": "L", "description": "d",
                                  "encodingType": "application/geo+json",
                                  "location": [1, 2]}]}, "GeoJSON"),
        ({**THING, "Datastreams": [{"name": "D"}]}, "Datastreams[0]: Datastream needs"),
    ],
)  # fmt: skip
def test_a_bad_entity_is_400_with_a_message_and_nothing_is_stored(writer, body, message):
    response = writer.post("Things", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert response.json()["code"] == 400
    assert not Thing.objects.exists()


def test_a_deep_insert_that_fails_deep_down_leaves_nothing_behind(writer):
    body = {**THING, "Datastreams": [{
        "name": "D", "description": "d", "observationType": "x", "unitOfMeasurement": {},
        "Sensor": {"name": "S", "description": "d", "encodingType": "e", "metadata": "m"},
        "ObservedProperty": {"name": "P", "definition": "p", "description": "",
                             "Datastreams": "kaputt"},
    }]}  # fmt: skip

    response = writer.post("Things", body)

    assert response.status_code == 400
    assert "Datastreams[0].ObservedProperty.Datastreams" in response.json()["message"]
    assert not Thing.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{name: 1}", "not valid JSON"),
        (b"", "body is empty"),
        (b'{"name": NaN}', "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_malformed_json_is_400(writer, raw, message):
    response = writer.send("POST", "Things", raw=raw)

    assert response.status_code == 400
    assert message in response.json()["message"]


def test_a_body_over_the_limit_is_413(writer, monkeypatch):
    monkeypatch.setattr(write, "MAX_BODY_BYTES", 100)

    response = writer.send("POST", "Things", raw=b'{"name": "' + b"x" * 200 + b'"}')

    assert response.status_code == 413
    assert not Thing.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"result": "viel", "phenomenonTime": "2026-12-01T08:00:00Z"}, "must be a number"),
        ({"result": 1, "phenomenonTime": "2026-12-01T08:00:00"}, "no time zone"),
        ({"result": 1, "phenomenonTime": "gestern"}, "not a time in ISO 8601"),
        ({"result": 1, "phenomenonTime": "2099-12-01T08:00:00Z"}, "future"),
        ({"phenomenonTime": "2026-12-01T08:00:00Z"}, "needs 'result'"),
        ({"result": 1, "validTime": "2026-12-02T00:00:00Z/2026-12-01T00:00:00Z"},
         "ends before it starts"),
    ],
)  # fmt: skip
def test_a_bad_observation_is_400_and_not_stored(writer, body, message):
    stream = DatastreamFactory()
    body = {**body, "FeatureOfInterest": {"name": "F", "description": "d",
            "encodingType": "application/geo+json",
            "feature": {"type": "Point", "coordinates": [11.6, 52.2]}}}  # fmt: skip

    response = writer.post(f"Datastreams({stream.pk})/Observations", body)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Observation.objects.exists()


def test_an_observation_for_a_datastream_that_does_not_exist_is_404(writer):
    response = writer.post("Datastreams(999)/Observations", {"result": 1})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "Things(1)"), ("PATCH", "Things"), ("PUT", "Things"), ("POST", "Things(1)/name")],
)
def test_a_method_on_the_wrong_kind_of_address_is_refused(writer, method, path):
    response = writer.send(method, path, {"name": "x"})

    assert response.status_code in (400, 405)
    assert response.json()["type"] == "error"

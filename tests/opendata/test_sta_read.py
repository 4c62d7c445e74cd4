"""Reading the SensorThings API: service root, entity sets, entities, navigation, properties,
references, $select and $expand — with the request examples of OGC 18-088 §9."""

from __future__ import annotations

import pytest

from rathaus.opendata.sta import root
from tests.factories.opendata import (
    DatastreamFactory,
    FeatureOfInterestFactory,
    HistoricalLocationFactory,
    MultiDatastreamFactory,
    MultiDatastreamPropertyFactory,
    ObservationFactory,
    ObservedPropertyFactory,
    StaLocationFactory,
    ThingFactory,
)

pytestmark = pytest.mark.django_db

BASE = "http://testserver/sta/v1.1"


def get(client, url, status=200):
    response = client.get(f"/sta/v1.1/{url}")
    assert response.status_code == status, response.content
    return response.json() if status != 204 else None


def error(client, url, status=400):
    body = get(client, url, status)
    assert body["code"] == status
    assert body["type"] == "error"
    return body["message"]


def test_service_root_lists_every_entity_set_and_the_implemented_conformance_classes(client):
    body = get(client, "")

    names = [entry["name"] for entry in body["value"]]
    assert names == [
        "Things", "Locations", "HistoricalLocations", "Datastreams", "MultiDatastreams",
        "Sensors", "ObservedProperties", "Observations", "FeaturesOfInterest",
    ]  # fmt: skip
    assert {"name": "Things", "url": f"{BASE}/Things"} in body["value"]
    conformance = body["serverSettings"]["conformance"]
    assert f"{root.REQ}/datamodel" in conformance
    assert f"{root.REQ}/request-data" in conformance
    assert not [c for c in conformance if "batch" in c]


def test_service_root_names_the_mqtt_endpoint_when_one_is_configured(client, settings):
    settings.RATHAUS_MQTT_URL = "mqtt://127.0.0.1:1883"

    body = get(client, "")

    assert body["serverSettings"][root.MQTT_CREATE] == {"endpoints": ["mqtt://127.0.0.1:1883"]}


def test_service_root_publishes_the_mqtt_endpoint_without_user_and_password(client, settings):
    settings.RATHAUS_MQTT_URL = "mqtts://gateway:s3cr%40t@broker.example.org:8883"

    response = client.get("/sta/v1.1/")

    assert response.json()["serverSettings"][root.MQTT_CREATE] == {
        "endpoints": ["mqtts://broker.example.org:8883"]
    }
    assert b"s3cr" not in response.content
    assert b"gateway" not in response.content


def test_an_entity_has_its_properties_self_link_and_navigation_links(client):
    thing = ThingFactory(name="Luftmessstation Breiteweg", properties={"owner": "Gemeinde"})

    body = get(client, f"Things({thing.pk})")

    assert body == {
        "@iot.id": thing.pk,
        "@iot.selfLink": f"{BASE}/Things({thing.pk})",
        "name": "Luftmessstation Breiteweg",
        "description": thing.description,
        "properties": {"owner": "Gemeinde"},
        "Locations@iot.navigationLink": f"{BASE}/Things({thing.pk})/Locations",
        "HistoricalLocations@iot.navigationLink": f"{BASE}/Things({thing.pk})/HistoricalLocations",
        "Datastreams@iot.navigationLink": f"{BASE}/Things({thing.pk})/Datastreams",
        "MultiDatastreams@iot.navigationLink": f"{BASE}/Things({thing.pk})/MultiDatastreams",
    }


def test_an_entity_set_lists_its_entities_in_id_order(client):
    things = [ThingFactory() for _ in range(3)]

    body = get(client, "Things")

    assert [entry["@iot.id"] for entry in body["value"]] == [thing.pk for thing in things]
    assert "@iot.nextLink" not in body
    assert "@iot.count" not in body


def test_navigation_to_a_collection_and_to_a_single_entity(client):
    stream = DatastreamFactory()
    DatastreamFactory()  # of another thing

    listed = get(client, f"Things({stream.thing_id})/Datastreams")
    thing = get(client, f"Datastreams({stream.pk})/Thing")
    one = get(client, f"Things({stream.thing_id})/Datastreams({stream.pk})")

    assert [entry["@iot.id"] for entry in listed["value"]] == [stream.pk]
    assert thing["@iot.id"] == stream.thing_id
    assert one["@iot.id"] == stream.pk


def test_navigation_through_many_to_many_links(client):
    location = StaLocationFactory()
    thing = ThingFactory()
    thing.locations.add(location)
    history = HistoricalLocationFactory(thing=thing)
    history.locations.add(location)

    things = get(client, f"Locations({location.pk})/Things")
    histories = get(client, f"Things({thing.pk})/Locations({location.pk})/HistoricalLocations")

    assert [entry["@iot.id"] for entry in things["value"]] == [thing.pk]
    assert [entry["@iot.id"] for entry in histories["value"]] == [history.pk]


def test_an_entity_of_another_parent_is_not_found(client):
    stream = DatastreamFactory()
    other = ThingFactory()

    assert "does not exist" in error(client, f"Things({other.pk})/Datastreams({stream.pk})", 404)


def test_a_property_alone_and_its_raw_value(client):
    thing = ThingFactory(name="Pegel Ebendorf")
    location = StaLocationFactory()

    assert get(client, f"Things({thing.pk})/name") == {"name": "Pegel Ebendorf"}
    raw = client.get(f"/sta/v1.1/Things({thing.pk})/name/$value")
    assert raw["Content-Type"].startswith("text/plain")
    assert raw.content.decode() == "Pegel Ebendorf"
    geometry = client.get(f"/sta/v1.1/Locations({location.pk})/location/$value")
    assert geometry.json() == location.location


def test_a_property_without_a_value_is_no_content(client):
    thing = ThingFactory(properties=None)

    assert client.get(f"/sta/v1.1/Things({thing.pk})/properties").status_code == 204


def test_observation_times_and_results_are_shown_as_the_standard_writes_them(client):
    observation = ObservationFactory(result_number=42.0)
    text = ObservationFactory(result_number=None, result_json="trocken")

    body = get(client, f"Observations({observation.pk})")
    other = get(client, f"Observations({text.pk})/result")

    assert body["result"] == 42
    assert body["phenomenonTime"].endswith("Z")
    assert other == {"result": "trocken"}


def test_references_list_only_self_links(client):
    stream = DatastreamFactory()

    listed = get(client, f"Things({stream.thing_id})/Datastreams/$ref")
    single = get(client, f"Datastreams({stream.pk})/Thing/$ref")

    assert listed == {"value": [{"@iot.selfLink": f"{BASE}/Datastreams({stream.pk})"}]}
    assert single == {"@iot.selfLink": f"{BASE}/Things({stream.thing_id})"}


def test_select_keeps_only_the_named_properties(client):
    thing = ThingFactory()

    body = get(client, "Things?$select=name,description")
    one = get(client, f"Things({thing.pk})?$select=id,name,Datastreams")

    assert body["value"] == [{"name": thing.name, "description": thing.description}]
    assert one == {
        "@iot.id": thing.pk,
        "name": thing.name,
        "Datastreams@iot.navigationLink": f"{BASE}/Things({thing.pk})/Datastreams",
    }


def test_expand_with_a_path_expands_every_level(client):
    # 18-088 §9.3.2.1: Things?$expand=Datastreams/ObservedProperty
    stream = DatastreamFactory(observed_property=ObservedPropertyFactory(name="PM2.5"))

    body = get(client, f"Things({stream.thing_id})?$expand=Datastreams/ObservedProperty")

    [expanded] = body["Datastreams"]
    assert expanded["@iot.id"] == stream.pk
    assert expanded["ObservedProperty"]["name"] == "PM2.5"
    assert "Datastreams@iot.navigationLink" in body


def test_expand_with_nested_options(client):
    # 18-088 §9.3.2.1: $expand=Datastreams($select=id,name;$expand=Observations($top=2))
    stream = DatastreamFactory()
    observations = [ObservationFactory(datastream=stream, result_number=v) for v in (1, 2, 3)]
    text = "$expand=Datastreams($select=id,name;$expand=Observations($top=2;$orderby=result desc))"

    body = get(client, f"Things({stream.thing_id})?{text}")

    [expanded] = body["Datastreams"]
    assert set(expanded) == {"@iot.id", "name", "Observations", "Observations@iot.nextLink"}
    assert [o["result"] for o in expanded["Observations"]] == [3, 2]
    follow = client.get(expanded["Observations@iot.nextLink"]).json()
    assert [o["@iot.id"] for o in follow["value"]] == [observations[0].pk]


def test_expand_of_a_single_entity_that_is_missing_leaves_it_out(client):
    observation = ObservationFactory(feature_of_interest=None)
    with_feature = ObservationFactory(feature_of_interest=FeatureOfInterestFactory(name="Luft"))

    bare = get(client, f"Observations({observation.pk})?$expand=FeatureOfInterest")
    full = get(client, f"Observations({with_feature.pk})?$expand=FeatureOfInterest,Datastream")

    assert "FeatureOfInterest" not in bare
    assert full["FeatureOfInterest"]["name"] == "Luft"
    assert full["Datastream"]["@iot.id"] == with_feature.datastream_id


def test_expand_counts_each_parents_collection(client):
    first, second = DatastreamFactory(), DatastreamFactory()
    for _ in range(3):
        ObservationFactory(datastream=first)
    ObservationFactory(datastream=second)

    body = get(client, "Datastreams?$expand=Observations($count=true;$top=1)")

    counts = [entry["Observations@iot.count"] for entry in body["value"]]
    assert counts == [3, 1]
    assert [len(entry["Observations"]) for entry in body["value"]] == [1, 1]


def test_multi_datastream_and_its_observed_properties(client):
    link = MultiDatastreamPropertyFactory(multi_datastream=MultiDatastreamFactory())

    body = get(client, f"MultiDatastreams({link.multi_datastream_id})?$expand=ObservedProperties")

    assert [p["@iot.id"] for p in body["ObservedProperties"]] == [link.observed_property_id]
    assert body["multiObservationDataTypes"] == link.multi_datastream.multi_observation_data_types


@pytest.mark.parametrize(
    ("url", "status", "fragment"),
    [
        ("Gadgets", 404, "no entity set 'Gadgets'"),
        ("Things(999999)", 404, "does not exist"),
        ("Things(abc)", 404, "no entity has the id"),
        ("Things(1)/colour", 404, "no property or link 'colour'"),
        ("Things?$select=colour", 400, "no property 'colour' to select"),
        ("Things?$expand=Sensors", 400, "no navigation property 'Sensors'"),
        ("Things?$expand=Datastreams($top=x)", 400, "$top must be a whole number"),
        ("Things?$expand=Datastreams($unknown=1)", 400, "$unknown is not a query option"),
        ("Things?$expand=Datastreams($skiptoken=1)", 400, "inside $expand"),
        ("Things?$expand=Datastreams(", 400, "Unbalanced"),
        ("Things?$expand=Datastreams($top)", 400, "$name=value"),
        ("Things?$orderby=colour", 400, "no property 'colour' to order by"),
        ("Things?$orderby=properties", 400, "cannot be ordered by"),
        ("Things?$orderby=name upwards", 400, "'property desc'"),
        ("Things?$orderby=Datastreams/name", 400, "linked entity"),
        ("Things?$top=-1", 400, "$top must be a whole number"),
        ("Things?$count=yes", 400, "$count must be true or false"),
        ("Things?$frobnicate=1", 400, "$frobnicate is not a query option"),
        ("Things?$top=1&$top=2", 400, "more than once"),
        ("Things?$filter=", 400, "$filter is empty"),
        ("Things?$resultFormat=dataArray", 400, "for Observations only"),
        ("Observations?$resultFormat=csv", 400, "unknown"),
        ("Things/$ref?$expand=Datastreams", 400, "$ref takes no"),
    ],
)
def test_bad_requests_get_the_standards_error_document(client, url, status, fragment):
    ThingFactory()

    message = error(client, url, status)

    assert fragment.lower() in message.lower()


def test_collection_options_on_a_single_entity_are_refused(client):
    thing = ThingFactory()

    assert "for collections" in error(client, f"Things({thing.pk})?$top=1")
    assert "no query options" in error(client, f"Things({thing.pk})/name?$select=name")


def test_expand_deeper_than_the_limit_is_refused(client):
    deep = "/".join(["Datastreams", "Thing"] * 3)

    assert "at most 5 levels" in error(client, f"Things?$expand={deep}")


def test_head_answers_like_get_and_quoted_keys_are_accepted(client):
    thing = ThingFactory()

    head = client.head(f"/sta/v1.1/Things('{thing.pk}')")

    assert head.status_code == 200
    assert head["Content-Type"] == "application/json"
    assert get(client, f"Things('{thing.pk}')")["@iot.id"] == thing.pk


def test_historical_locations_of_a_thing_with_their_locations_expanded(client):
    # 18-088 §9.2.3 example: Things(1)/HistoricalLocations?$expand=Locations
    location = StaLocationFactory(name="Breiteweg 1")
    history = HistoricalLocationFactory()
    history.locations.add(location)

    body = get(client, f"Things({history.thing_id})/HistoricalLocations?$expand=Locations")

    [entry] = body["value"]
    assert entry["time"].endswith("Z")
    assert [loc["name"] for loc in entry["Locations"]] == ["Breiteweg 1"]
    assert entry["Locations"][0]["location"] == location.location

"""Server-driven paging of the SensorThings API: @iot.nextLink by keyset, $top, $skip, $count,
$orderby, the cursor's checks, $filter handed to the filter compiler, and dataArray results."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing

from rathaus.opendata.sta import query
from tests.factories.opendata import DatastreamFactory, ObservationFactory, ThingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # NULL order, keyset: PostgreSQL too

T0 = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture
def small_pages(settings):
    settings.RATHAUS_STA_PAGE_SIZE = 2
    settings.RATHAUS_STA_MAX_TOP = 3
    settings.RATHAUS_STA_MAX_SKIP = 5


def walk(client, url):
    """Every entity of every page, following @iot.nextLink; and the pages' links."""
    seen, links = [], []
    response = client.get(f"/sta/v1.1/{url}")
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(body["value"])
        if "@iot.nextLink" not in body:
            return seen, links
        links.append(body["@iot.nextLink"])
        response = client.get(body["@iot.nextLink"])


def query_of(link):
    return {name: values[0] for name, values in parse_qs(urlsplit(link).query).items()}


def test_pages_follow_each_other_without_gaps_or_repeats(client, small_pages):
    things = [ThingFactory() for _ in range(5)]

    seen, links = walk(client, "Things")

    assert [entry["@iot.id"] for entry in seen] == [thing.pk for thing in things]
    assert len(links) == 2
    assert all("$skiptoken" in query_of(link) for link in links)
    assert all("$skip" not in query_of(link) for link in links)


def test_top_sets_the_page_size_and_is_capped_at_the_maximum(client, small_pages):
    for _ in range(5):
        ThingFactory()

    one = client.get("/sta/v1.1/Things?$top=1").json()
    huge = client.get("/sta/v1.1/Things?$top=100000000").json()

    assert len(one["value"]) == 1
    assert query_of(one["@iot.nextLink"])["$top"] == "1"
    assert len(huge["value"]) == 3
    assert query_of(huge["@iot.nextLink"])["$top"] == "3"


def test_orderby_with_equal_values_pages_by_the_id_as_tie_breaker(client, small_pages):
    stream = DatastreamFactory()
    times = [T0, T0, T0 + datetime.timedelta(hours=1), T0, T0 - datetime.timedelta(hours=1)]
    made = [ObservationFactory(datastream=stream, phenomenon_time_start=t) for t in times]
    expected = sorted(made, key=lambda o: (-o.phenomenon_time_start.timestamp(), o.pk))

    seen, _ = walk(client, f"Datastreams({stream.pk})/Observations?$orderby=phenomenonTime desc")

    assert [entry["@iot.id"] for entry in seen] == [o.pk for o in expected]


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_orderby_a_column_with_empty_values_pages_through_all(client, small_pages, direction):
    stream = DatastreamFactory()
    times = [None, T0, None, T0 + datetime.timedelta(hours=1), T0, None]
    made = [ObservationFactory(datastream=stream, result_time=t) for t in times]

    def key(o):  # empty first ascending, last descending; then the id
        moment = -1.0 if o.result_time is None else o.result_time.timestamp()
        return (-moment if direction == "desc" else moment, o.pk)

    seen, _ = walk(client, f"Observations?$orderby=resultTime {direction}")

    assert [entry["@iot.id"] for entry in seen] == [o.pk for o in sorted(made, key=key)]


def test_orderby_several_properties(client, small_pages):
    names = ["b", "a", "b", "a", "c"]
    things = [ThingFactory(name=name, description=str(i % 2)) for i, name in enumerate(names)]
    expected = sorted(things, key=lambda t: (t.name, -int(t.description), t.pk))

    seen, _ = walk(client, "Things?$orderby=name,description desc")

    assert [entry["@iot.id"] for entry in seen] == [t.pk for t in expected]


def test_skip_is_applied_and_bounded(client, small_pages):
    things = [ThingFactory() for _ in range(4)]

    body = client.get("/sta/v1.1/Things?$skip=1&$top=2").json()
    refused = client.get("/sta/v1.1/Things?$skip=6")

    assert [entry["@iot.id"] for entry in body["value"]] == [things[1].pk, things[2].pk]
    follow = client.get(body["@iot.nextLink"]).json()
    assert [entry["@iot.id"] for entry in follow["value"]] == [things[3].pk]
    assert refused.status_code == 400
    assert "@iot.nextLink" in refused.json()["message"]


def test_count_is_the_whole_collection_on_every_page(client, small_pages):
    for _ in range(3):
        ThingFactory()

    first = client.get("/sta/v1.1/Things?$count=true").json()
    second = client.get(first["@iot.nextLink"]).json()
    only_count = client.get("/sta/v1.1/Things?$count=true&$top=0").json()

    assert first["@iot.count"] == second["@iot.count"] == 3
    assert only_count == {"@iot.count": 3, "value": []}


def test_a_changed_or_foreign_cursor_is_refused(client, small_pages):
    for _ in range(3):
        ThingFactory()
    link = client.get("/sta/v1.1/Things").json()["@iot.nextLink"]
    token = query_of(link)["$skiptoken"]

    tampered = client.get("/sta/v1.1/Things", {"$skiptoken": token[:-3] + "abc"})
    made_up = client.get("/sta/v1.1/Things", {"$skiptoken": "[1]"})
    other_order = client.get("/sta/v1.1/Things", {"$skiptoken": token, "$orderby": "name"})

    for response in (tampered, made_up):
        assert response.status_code == 400
        assert "$skiptoken is not valid" in response.json()["message"]
    assert other_order.status_code == 400
    assert "another $orderby" in other_order.json()["message"]


def test_filter_is_compiled_for_the_collection_and_inside_expand(client):
    stream = DatastreamFactory(thing=ThingFactory(name="Pegel"))
    ThingFactory(name="Zähler")
    for value in (10, 30, 50):
        ObservationFactory(datastream=stream, result_number=value)
    url = (
        "Things?$filter=name eq 'Pegel'&$expand=Datastreams("
        "$expand=Observations($filter=result gt 20;$count=true;$select=result))"
    )

    body = client.get(f"/sta/v1.1/{url}").json()

    [thing] = body["value"]
    assert thing["name"] == "Pegel"
    [expanded] = thing["Datastreams"]
    assert expanded["Observations"] == [{"result": 30}, {"result": 50}]
    assert expanded["Observations@iot.count"] == 2


def test_the_next_link_keeps_the_filter(client, small_pages):
    wanted = [ThingFactory(name="Pegel") for _ in range(3)]
    ThingFactory(name="Zähler")

    seen, links = walk(client, "Things?$filter=name eq 'Pegel'")

    assert [entry["@iot.id"] for entry in seen] == [thing.pk for thing in wanted]
    assert query_of(links[0])["$filter"] == "name eq 'Pegel'"


def test_observations_as_data_array(client):
    # 18-088 §14.1: GET Observations?$resultFormat=dataArray&$select=id,phenomenonTime,result
    stream, other = DatastreamFactory(), DatastreamFactory()
    first = ObservationFactory(datastream=stream, phenomenon_time_start=T0, result_number=20)
    second = ObservationFactory(datastream=other, phenomenon_time_start=T0, result_number=30.5)

    body = client.get(
        "/sta/v1.1/Observations?$resultFormat=dataArray&$select=id,phenomenonTime,result"
    ).json()

    assert body["value"] == [
        {
            "Datastream@iot.navigationLink": f"http://testserver/sta/v1.1/Datastreams({stream.pk})",
            "components": ["id", "phenomenonTime", "result"],
            "dataArray@iot.count": 1,
            "dataArray": [[first.pk, "2026-11-30T08:00:00Z", 20]],
        },
        {
            "Datastream@iot.navigationLink": f"http://testserver/sta/v1.1/Datastreams({other.pk})",
            "components": ["id", "phenomenonTime", "result"],
            "dataArray@iot.count": 1,
            "dataArray": [[second.pk, "2026-11-30T08:00:00Z", 30.5]],
        },
    ]


def test_data_array_without_select_has_every_property(client):
    observation = ObservationFactory()

    body = client.get(
        f"/sta/v1.1/Datastreams({observation.datastream_id})/Observations?$resultFormat=dataArray"
    ).json()

    [group] = body["value"]
    assert group["components"] == [
        "id", "phenomenonTime", "resultTime", "result", "resultQuality", "validTime", "parameters",
    ]  # fmt: skip
    assert group["dataArray"][0][0] == observation.pk


@pytest.mark.parametrize("values", [["abc"], [1, 2], "x", [None, "2026-11-30T08:00:00"]])
def test_a_signed_cursor_with_values_of_the_wrong_shape_is_refused(client, values):
    ThingFactory()
    by_time = len(values) == 2
    orders = ["result_time", "pk"] if by_time else ["pk"]
    token = signing.dumps({"o": orders, "v": values}, salt=query.CURSOR_SALT)
    params = {"$skiptoken": token, **({"$orderby": "resultTime"} if by_time else {})}

    response = client.get("/sta/v1.1/Observations" if by_time else "/sta/v1.1/Things", params)

    assert response.status_code == 400
    assert "$skiptoken is not valid" in response.json()["message"]

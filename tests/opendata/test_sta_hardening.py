"""Limits that keep one SensorThings request from occupying the database or the server:
counts stop at a cap, nested $expand cannot multiply into millions of entities, and on
PostgreSQL every GET runs under a statement timeout."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from rathaus.opendata.sta import read
from tests.factories.opendata import (
    DatastreamFactory,
    MultiDatastreamFactory,
    ObservationFactory,
    ThingFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

BASE_TIME = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)


def get(client, url):
    return client.get(f"/sta/v1.1/{url}")


def observations(datastream, n):
    for i in range(n):
        ObservationFactory(
            datastream=datastream, phenomenon_time_start=BASE_TIME + datetime.timedelta(hours=i)
        )


def test_count_stops_at_the_cap_and_reports_it(client, settings):
    settings.RATHAUS_STA_MAX_COUNT = 3
    observations(DatastreamFactory(), 5)

    body = get(client, "Observations?$count=true&$top=1").json()

    assert body["@iot.count"] == 3
    assert len(body["value"]) == 1


def test_count_below_the_cap_is_exact(client, settings):
    settings.RATHAUS_STA_MAX_COUNT = 10
    observations(DatastreamFactory(), 5)

    assert get(client, "Observations?$count=true").json()["@iot.count"] == 5


def test_nested_counts_stop_at_the_cap_too(client, settings):
    settings.RATHAUS_STA_MAX_COUNT = 2
    datastream = DatastreamFactory()
    observations(datastream, 4)
    few = DatastreamFactory()
    observations(few, 1)

    body = get(client, "Datastreams?$expand=Observations($count=true;$top=1)").json()

    counts = {row["@iot.id"]: row["Observations@iot.count"] for row in body["value"]}
    assert counts == {datastream.pk: 2, few.pk: 1}


def test_nested_expands_beyond_the_entity_limit_are_refused(client, settings):
    settings.RATHAUS_STA_MAX_ENTITIES = 20
    for _ in range(2):
        thing = ThingFactory()
        for _ in range(3):
            observations(DatastreamFactory(thing=thing), 4)
    url = "Things?$top=1000&$expand=Datastreams($top=1000;$expand=Observations($top=1000))"

    response = get(client, url)  # 2 things + 6 datastreams + 24 observations

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error"
    assert "more than 20 entities" in body["message"]
    # 2 + 6 + 12 fit
    url = "Things?$expand=Datastreams($expand=Observations($top=2))"
    assert get(client, url).status_code == 200


def test_the_entity_limit_counts_every_level_and_single_entities(client, settings):
    settings.RATHAUS_STA_MAX_ENTITIES = 5
    thing = ThingFactory()
    for _ in range(2):
        observations(DatastreamFactory(thing=thing), 2)

    url = f"Things({thing.pk})?$expand=Datastreams($expand=Observations)"
    assert get(client, url).status_code == 400  # 1 + 2 + 4
    url = f"Things({thing.pk})?$expand=Datastreams($expand=Observations($top=1))"
    assert get(client, url).status_code == 200  # 1 + 2 + 2
    settings.RATHAUS_STA_MAX_ENTITIES = 2
    assert get(client, "Things?$expand=Datastreams").status_code == 400  # 1 + 2


def test_an_expanded_page_of_observations_is_bounded_per_datastream(client):
    datastream = DatastreamFactory()
    observations(datastream, 5)
    other = DatastreamFactory()
    observations(other, 2)

    body = get(client, "Datastreams?$expand=Observations($top=2)").json()

    by_id = {row["@iot.id"]: row for row in body["value"]}
    assert len(by_id[datastream.pk]["Observations"]) == 2
    assert "Observations@iot.nextLink" in by_id[datastream.pk]
    assert len(by_id[other.pk]["Observations"]) == 2
    assert "Observations@iot.nextLink" not in by_id[other.pk]


def test_a_get_that_runs_too_long_is_a_503_on_postgresql(client, settings, monkeypatch):
    settings.RATHAUS_STA_STATEMENT_TIMEOUT_MS = 50
    real_handle = read.handle

    def slow(request, path):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_sleep(1)" if connection.vendor == "postgresql" else "SELECT 1"
            )
        return real_handle(request, path)

    monkeypatch.setattr(read, "handle", slow)

    response = get(client, "Things")

    if connection.vendor == "postgresql":
        assert response.status_code == 503
        assert "took too long" in response.json()["message"]
    else:  # SQLite has no statement timeout: the limits above bound the work there
        assert response.status_code == 200


def test_a_generated_demo_series_says_so_in_its_properties(client):
    demo = DatastreamFactory(demo=True, properties={"station": "Barleben"})
    real = DatastreamFactory(properties={"station": "Magdeburg"})

    body = get(client, f"Datastreams({demo.pk})").json()
    assert body["properties"] == {"station": "Barleben", "demo": True}
    assert get(client, f"Datastreams({real.pk})").json()["properties"] == {"station": "Magdeburg"}
    assert get(client, f"Datastreams({demo.pk})/properties").json() == {
        "properties": {"station": "Barleben", "demo": True}
    }


def test_a_generated_multi_datastream_says_so_too(client):
    multi = MultiDatastreamFactory(demo=True)

    assert get(client, f"MultiDatastreams({multi.pk})").json()["properties"]["demo"] is True


def test_names_and_descriptions_lose_line_breaks_and_control_characters(db):
    from rathaus.opendata.models import Thing
    from tests.support import StaWriter, sta_write_key

    writer = StaWriter(sta_write_key())

    response = writer.post(
        "Things", {"name": "Pegel\r\nBcc: alle@example.org", "description": "Elbe\x00\u2028Ufer"}
    )

    assert response.status_code == 201, response.content
    thing = Thing.objects.get()
    assert (thing.name, thing.description) == ("Pegel  Bcc: alle@example.org", "Elbe  Ufer")
    response = writer.patch(f"Things({thing.pk})", {"name": "Neu\nName"})
    assert response.status_code == 200, response.content
    thing.refresh_from_db()
    assert thing.name == "Neu Name"


def test_a_deep_insert_with_too_many_entities_is_refused_and_stores_nothing(db, monkeypatch):
    from rathaus.opendata.models import Datastream, Thing
    from rathaus.opendata.sta import deep_insert
    from tests.support import StaWriter, sta_write_key

    monkeypatch.setattr(deep_insert, "MAX_ENTITIES", 3)
    sensor = {"name": "S", "description": "d", "encodingType": "text/html", "metadata": "m"}
    prop = {"name": "T", "definition": "x", "description": "d"}
    unit = {"name": "Grad", "symbol": "°C", "definition": "x"}
    stream = {
        "name": "D", "description": "d", "unitOfMeasurement": unit,
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "Sensor": sensor, "ObservedProperty": prop,
    }  # fmt: skip

    response = StaWriter(sta_write_key()).post(
        "Things", {"name": "T", "description": "d", "Datastreams": [stream]}
    )

    assert response.status_code == 413, response.content
    assert "At most 3 entities" in response.json()["message"]
    assert not Thing.objects.exists()
    assert not Datastream.objects.exists()

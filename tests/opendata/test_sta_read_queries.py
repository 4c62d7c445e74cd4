"""The reading side's queries: $expand costs one query per level whatever the number of rows
(observations: one bounded query per parent), and a next page is found by keyset, never by
OFFSET (ADR 0056)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories.opendata import (
    DatastreamFactory,
    ObservationFactory,
    StaLocationFactory,
    ThingFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # runs on PostgreSQL too (ADR 0036)

EXPAND = (
    "/sta/v1.1/Things?$expand=Locations,"
    "Datastreams($expand=Observations($top=2;$count=true),ObservedProperty)"
)


def stations(count):
    location = StaLocationFactory()
    for _ in range(count):
        thing = ThingFactory()
        thing.locations.add(location)
        for _ in range(2):
            stream = DatastreamFactory(thing=thing)
            for value in range(3):
                ObservationFactory(datastream=stream, result_number=value)


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    # Only what reads data: on PostgreSQL each GET also opens a savepoint and sets its statement
    # timeout.
    sql = [query["sql"] for query in captured.captured_queries]
    return response.json(), [text for text in sql if text.lstrip().upper().startswith("SELECT")]


def test_expand_costs_the_same_number_of_queries_for_few_and_many_rows(client):
    stations(2)
    _, few = queries_for(client, EXPAND)
    stations(5)

    body, many = queries_for(client, EXPAND)

    assert len(body["value"]) == 7
    assert all(len(s["Observations"]) == 2 for t in body["value"] for s in t["Datastreams"])
    assert all(s["Observations@iot.count"] == 3 for t in body["value"] for s in t["Datastreams"])
    # Things, Locations, Datastreams, ObservedProperties: one query each, whatever the rows;
    # Observations (the large table): per datastream one page (LIMIT $top + 1 through the
    # index, never a window over all its observations) and one count stopping at the cap.
    assert len(few) == 4 + 2 * 4
    assert len(many) == 4 + 2 * 14
    observation_pages = [sql for sql in many if "LIMIT 3" in sql]
    assert len(observation_pages) == 14
    assert not [
        sql for sql in many if "ROW_NUMBER" in sql.upper() and 'opendata_observation"' in sql
    ]


def test_the_next_page_is_found_by_keyset_not_offset(client, settings):
    settings.RATHAUS_STA_PAGE_SIZE = 3
    stream = DatastreamFactory()
    for value in range(10):
        ObservationFactory(datastream=stream, result_number=value)
    url = f"/sta/v1.1/Datastreams({stream.pk})/Observations?$orderby=result desc"
    first = client.get(url).json()
    second_link = first["@iot.nextLink"]

    body, sql = queries_for(client, second_link)

    assert [entry["result"] for entry in body["value"]] == [6, 5, 4]
    page_query = sql[-1]
    assert "OFFSET" not in page_query.upper()
    assert "LIMIT 4" in page_query.upper()

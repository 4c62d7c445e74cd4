"""The topic page reads a fixed number of queries, however many series it shows."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.opendata import ingest
from tests.factories import DatastreamFactory
from tests.factories.opendata import AlertFactory, StaLocationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]


def station(name: str) -> Any:
    stream = DatastreamFactory(topic="air", thing__name=name)
    stream.thing.locations.add(StaLocationFactory())
    ingest.store([ingest.Reading(stream.pk, timezone.now() - datetime.timedelta(minutes=10), 10.0)])
    AlertFactory(threshold__datastream=stream)
    return stream


def test_the_topic_page_reads_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    for number in range(3):
        station(f"Station {number}")
    client = Client()
    client.get("/daten/luft/")
    with django_assert_max_num_queries(12) as few:
        client.get("/daten/luft/")
    for number in range(3, 12):
        station(f"Station {number}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/daten/luft/").content.decode()
    assert html.count("<circle ") == 12

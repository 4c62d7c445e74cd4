"""The fast ingest path (ADR 0058): ids in order, every column stored, MultiDatastream results,
all refusals listed, the latest value in one upsert. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rathaus.opendata import ingest
from rathaus.opendata.models import LatestObservation, Observation
from tests.factories import DatastreamFactory
from tests.factories.opendata import (
    FeatureOfInterestFactory,
    MultiDatastreamFactory,
    MultiDatastreamPropertyFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
NOW = T0 + datetime.timedelta(days=1)
TRUTH = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation"


def test_ids_come_back_in_the_order_of_the_readings_and_every_column_is_stored():
    stream = DatastreamFactory()
    feature = FeatureOfInterestFactory()
    full = ingest.Reading(
        stream.pk, T0, 4.5, phenomenon_time_end=T0 + datetime.timedelta(hours=1),
        result_time=T0 + datetime.timedelta(minutes=5), result_quality={"flag": "ok"},
        valid_time_start=T0, valid_time_end=T0 + datetime.timedelta(days=1),
        parameters={"sensor": "a"}, feature_of_interest_id=feature.pk,
    )  # fmt: skip
    later = ingest.Reading(stream.pk, T0 - datetime.timedelta(hours=1), 1.0)

    ids = ingest.store_returning_ids([full, later], now=NOW)

    first = Observation.objects.get(pk=ids[0])
    assert (first.result_number, first.result_json) == (4.5, None)
    assert first.phenomenon_time_end == T0 + datetime.timedelta(hours=1)
    assert first.result_time == T0 + datetime.timedelta(minutes=5)
    assert first.result_quality == {"flag": "ok"}
    assert (first.valid_time_start, first.valid_time_end) == (T0, T0 + datetime.timedelta(days=1))
    assert first.parameters == {"sensor": "a"}
    assert first.feature_of_interest_id == feature.pk
    assert Observation.objects.get(pk=ids[1]).phenomenon_time_start == later.phenomenon_time
    assert LatestObservation.objects.get(datastream=stream).observation_id == ids[0]


def test_a_big_batch_takes_a_few_statements_not_one_per_row():
    streams = [DatastreamFactory() for _ in range(3)]
    readings = [
        ingest.Reading(streams[n % 3].pk, T0 + datetime.timedelta(seconds=n), float(n))
        for n in range(6000)
    ]

    with CaptureQueriesContext(connection) as queries:
        assert ingest.store(readings, now=NOW) == 6000

    # SQLite's INSERTs go through the driver's cursor and are not captured; on PostgreSQL
    # they are: three of 2,500 rows at most, plus the check and the latest-value upsert.
    assert len(queries) <= 8
    assert Observation.objects.count() == 6000
    for n, stream in enumerate(streams):
        latest = LatestObservation.objects.get(datastream=stream)
        assert latest.result_number == float(5997 + n)


def test_text_and_boolean_results_go_to_the_json_column():
    stream = DatastreamFactory(observation_type=TRUTH)

    (pk,) = ingest.store_returning_ids([ingest.Reading(stream.pk, T0, True)], now=NOW)

    stored = Observation.objects.get(pk=pk)
    assert (stored.result_number, stored.result_json) == (None, True)
    assert LatestObservation.objects.get(datastream=stream).result_json is True


def test_a_multidatastream_reading_is_checked_member_by_member():
    multi = MultiDatastreamFactory()
    MultiDatastreamPropertyFactory(multi_datastream=multi, position=0)
    MultiDatastreamPropertyFactory(multi_datastream=multi, position=1)

    (pk,) = ingest.store_returning_ids(
        [ingest.Reading(None, T0, [3.5, 80], multi_datastream_id=multi.pk)], now=NOW
    )
    with pytest.raises(ingest.Refused, match="must be a number"):
        ingest.store([ingest.Reading(None, T0, [3.5, "feucht"], multi_datastream_id=multi.pk)])

    assert Observation.objects.get(pk=pk).result_json == [3.5, 80]


def test_refusals_lists_every_bad_reading_with_its_reason():
    stream = DatastreamFactory()
    readings = [
        ingest.Reading(stream.pk, T0, 1.0),
        ingest.Reading(stream.pk, T0, "viel"),
        ingest.Reading(stream.pk + 99, T0, 1.0),
        ingest.Reading(stream.pk, T0 + datetime.timedelta(days=5), 1.0),
    ]

    found = ingest.refusals(readings, NOW)

    assert sorted(found) == [1, 2, 3]
    assert "number" in found[1]
    assert "no Datastream" in found[2]
    assert "future" in found[3]


def test_recompute_latest_follows_deletions_to_nothing():
    stream = DatastreamFactory()
    ids = ingest.store_returning_ids(
        [ingest.Reading(stream.pk, T0 + datetime.timedelta(minutes=m), float(m)) for m in (1, 2)],
        now=NOW,
    )

    Observation.objects.filter(pk=ids[1]).delete()
    ingest.recompute_latest([stream.pk])
    assert LatestObservation.objects.get(datastream=stream).observation_id == ids[0]

    Observation.objects.all().delete()
    ingest.recompute_latest([stream.pk])
    assert not LatestObservation.objects.filter(datastream=stream).exists()

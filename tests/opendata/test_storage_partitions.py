"""Partitions of the observation table: monthly on PostgreSQL, made ahead; a plain table on SQLite."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from rathaus.opendata import ingest, partitions, retention
from rathaus.opendata.models import Observation
from tests.factories import DatastreamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.database]

UTC = datetime.UTC
FAR = datetime.datetime(2031, 5, 14, 9, 0, tzinfo=UTC)


def _partition_of(observation_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM opendata_observation WHERE id = %s",
            [observation_id],
        )
        return cursor.fetchone()[0]


def test_on_sqlite_the_table_stays_plain_and_the_jobs_do_nothing():
    if connection.vendor == "postgresql":
        assert partitions.is_partitioned()
        return
    assert not partitions.is_partitioned()
    assert partitions.partitions() == []
    assert partitions.ensure_ahead(FAR) == {"created": [], "skipped": []}
    assert partitions.drop_before(FAR) == []


def test_the_migration_partitions_by_month_with_a_default_partition():
    if connection.vendor != "postgresql":
        assert not partitions.is_partitioned()
        return
    now = datetime.datetime.now(UTC)
    names = [partition.name for partition in partitions.partitions()]
    assert f"opendata_observation_p{now:%Y%m}" in names
    assert len(names) >= 4  # this month and three ahead
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a"
            " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
            " WHERE i.indrelid = 'opendata_observation'::regclass AND i.indisprimary"
        )
        assert {row[0] for row in cursor.fetchall()} == {"id", "phenomenon_time_start"}


def test_partitions_are_made_three_months_ahead_and_rows_land_in_their_month():
    stream = DatastreamFactory()
    created = partitions.ensure_ahead(FAR)
    if connection.vendor != "postgresql":
        assert created == {"created": [], "skipped": []}
        return
    assert created == {
        "created": [f"opendata_observation_p2031{month:02d}" for month in (5, 6, 7, 8)],
        "skipped": [],
    }
    assert partitions.ensure_ahead(FAR) == {"created": [], "skipped": []}

    ingest.store([ingest.Reading(stream.pk, FAR, 3.0)], now=FAR)
    stored = Observation.objects.get(datastream=stream)
    assert _partition_of(stored.pk) == "opendata_observation_p203105"
    assert Observation.objects.get(pk=stored.pk).result_number == 3.0


def test_a_month_whose_rows_are_in_the_default_partition_is_skipped_not_moved():
    stream = DatastreamFactory()
    ingest.store([ingest.Reading(stream.pk, FAR, 3.0)], now=FAR)
    result = partitions.ensure_ahead(FAR, months=1)
    if connection.vendor != "postgresql":
        assert result == {"created": [], "skipped": []}
        return
    assert result == {
        "created": ["opendata_observation_p203106"],
        "skipped": ["opendata_observation_p203105"],
    }
    stored = Observation.objects.get(datastream=stream)
    assert _partition_of(stored.pk) == "opendata_observation_default"


def test_retention_drops_whole_old_partitions_and_keeps_their_aggregates(settings):
    settings.RATHAUS_OBSERVATION_RETENTION_DAYS = 30
    stream = DatastreamFactory()
    partitions.ensure_ahead(FAR - datetime.timedelta(days=90), months=3)
    old = FAR - datetime.timedelta(days=80)
    ingest.store(
        [ingest.Reading(stream.pk, old, 7.0), ingest.Reading(stream.pk, FAR, 1.0)], now=FAR
    )

    done = retention.remove_old(FAR)

    assert list(Observation.objects.values_list("result_number", flat=True)) == [1.0]
    assert stream.aggregates.get(period="hour", start=retention.floor_hour(old)).total == 7.0
    if connection.vendor == "postgresql":
        assert "opendata_observation_p203102" in done["partitions_dropped"]
        assert done["deleted"] == 0
        assert "opendata_observation_p203102" not in [p.name for p in partitions.partitions()]
    else:
        assert (done["partitions_dropped"], done["deleted"]) == ([], 1)

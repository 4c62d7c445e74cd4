"""Downsampling and retention: hourly and daily aggregates by upsert; old raw data removed."""

from __future__ import annotations

import datetime

import pytest

from rathaus.core import housekeeping
from rathaus.opendata import ingest, retention
from rathaus.opendata.models import Aggregate, Observation
from tests.factories import DatastreamFactory
from tests.factories.opendata import MultiDatastreamFactory, ObservationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
NOW = datetime.datetime(2026, 11, 30, 12, 20, tzinfo=UTC)


def _store(stream, *values):
    ingest.store([ingest.Reading(stream.pk, moment, value) for moment, value in values], now=NOW)


def _hours(stream):
    return {
        a.start: (a.count, a.minimum, a.maximum, a.total)
        for a in Aggregate.objects.filter(datastream=stream, period="hour")
    }


def test_hourly_aggregates_count_minimum_maximum_and_total_per_utc_hour():
    stream = DatastreamFactory()
    ten = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _store(
        stream,
        (ten + datetime.timedelta(minutes=5), 4.0),
        (ten + datetime.timedelta(minutes=35), 10.0),
        (ten + datetime.timedelta(minutes=70), 7.0),
    )

    assert retention.aggregate_recent(NOW) == {"hours": 2, "days": 1}

    assert _hours(stream) == {
        ten: (2, 4.0, 10.0, 14.0),
        ten + datetime.timedelta(hours=1): (1, 7.0, 7.0, 7.0),
    }


def test_running_twice_changes_nothing_and_a_late_value_is_taken_in():
    stream = DatastreamFactory()
    ten = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _store(stream, (ten, 4.0))
    retention.aggregate_recent(NOW)
    retention.aggregate_recent(NOW)
    assert Aggregate.objects.filter(datastream=stream).count() == 2  # one hour, one day

    _store(stream, (ten + datetime.timedelta(minutes=30), 8.0))
    retention.aggregate_recent(NOW)

    assert _hours(stream) == {ten: (2, 4.0, 8.0, 12.0)}
    day = Aggregate.objects.get(datastream=stream, period="day")
    assert (day.count, day.minimum, day.maximum, day.total) == (2, 4.0, 8.0, 12.0)


def test_days_are_local_calendar_days_built_from_the_hours():
    stream = DatastreamFactory()
    # 23:30 UTC on 29 November is 00:30 on 30 November in Barleben (CET).
    _store(
        stream,
        (datetime.datetime(2026, 11, 29, 22, 30, tzinfo=UTC), 1.0),
        (datetime.datetime(2026, 11, 29, 23, 30, tzinfo=UTC), 2.0),
        (datetime.datetime(2026, 11, 30, 9, 0, tzinfo=UTC), 3.0),
    )

    retention.aggregate_recent(NOW)

    days = {
        a.start: (a.count, a.total)
        for a in Aggregate.objects.filter(datastream=stream, period="day")
    }
    berlin_midnight_30 = datetime.datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert days == {
        berlin_midnight_30 - datetime.timedelta(days=1): (1, 1.0),
        berlin_midnight_30: (2, 5.0),
    }


def test_text_results_and_values_outside_the_recent_window_are_not_aggregated():
    stream = DatastreamFactory()
    ObservationFactory(datastream=stream, result_number=None, result_json="hoch",
                       phenomenon_time_start=NOW - datetime.timedelta(minutes=5))  # fmt: skip
    ObservationFactory(datastream=stream, result_number=5.0,
                       phenomenon_time_start=NOW - datetime.timedelta(days=3))  # fmt: skip

    assert retention.aggregate_recent(NOW) == {"hours": 0, "days": 0}


def test_retention_zero_keeps_everything(settings):
    settings.RATHAUS_OBSERVATION_RETENTION_DAYS = 0
    stream = DatastreamFactory()
    ObservationFactory(datastream=stream, phenomenon_time_start=NOW - datetime.timedelta(days=900))

    assert retention.remove_old(NOW) == {"kept": "forever"}
    assert Observation.objects.count() == 1


def test_old_raw_data_is_removed_after_its_aggregates_are_kept(settings):
    settings.RATHAUS_OBSERVATION_RETENTION_DAYS = 10
    stream = DatastreamFactory()
    old = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    fresh = NOW - datetime.timedelta(days=2)
    _store(stream, (old, 30.0), (old + datetime.timedelta(minutes=10), 50.0), (fresh, 1.0))
    multi = MultiDatastreamFactory()
    ObservationFactory(datastream=None, multi_datastream=multi, result_number=None,
                       result_json=[1, 2], phenomenon_time_start=old)  # fmt: skip

    done = retention.remove_old(NOW)

    assert (done["deleted"], done["partitions_dropped"]) == (3, [])
    assert list(Observation.objects.values_list("phenomenon_time_start", flat=True)) == [fresh]
    assert _hours(stream)[old] == (2, 30.0, 50.0, 80.0)
    assert Aggregate.objects.filter(datastream=stream, period="day").exists()


def test_an_hour_aggregated_before_its_raw_data_went_is_not_spoiled_by_a_straggler(settings):
    settings.RATHAUS_OBSERVATION_RETENTION_DAYS = 10
    stream = DatastreamFactory()
    old = datetime.datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    _store(stream, (old, 30.0), (old + datetime.timedelta(minutes=10), 50.0))
    retention.remove_old(NOW)

    _store(stream, (old + datetime.timedelta(minutes=20), 99.0))  # arrives late
    retention.remove_old(NOW)

    assert _hours(stream)[old] == (2, 30.0, 50.0, 80.0)
    assert not Observation.objects.exists()


def test_deleting_goes_in_batches(settings, monkeypatch):
    settings.RATHAUS_OBSERVATION_RETENTION_DAYS = 1
    monkeypatch.setattr(retention, "DELETE_BATCH", 2)
    stream = DatastreamFactory()
    old = NOW - datetime.timedelta(days=5)
    _store(stream, *[(old + datetime.timedelta(minutes=m), float(m)) for m in range(5)])

    retention.remove_old(NOW)

    assert not Observation.objects.exists()


def test_the_worker_runs_partitions_aggregates_and_retention():
    jobs = {job.name: job for job in housekeeping.registered()}

    assert jobs["opendata.aggregates"].run == retention.aggregate_recent
    assert jobs["opendata.retention"].run == retention.remove_old
    assert jobs["opendata.partitions"].every == datetime.timedelta(days=1)

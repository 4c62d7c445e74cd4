"""Storing observations: a batch is checked first and stored whole; the latest value moves on."""

from __future__ import annotations

import datetime

import pytest

from rathaus.opendata import ingest
from rathaus.opendata.models import LatestObservation, Observation
from tests.factories import DatastreamFactory
from tests.factories.opendata import MEASUREMENT

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_a_batch_is_stored_and_the_latest_value_is_the_newest_by_time():
    stream = DatastreamFactory()
    readings = [
        ingest.Reading(stream.pk, T0 + datetime.timedelta(minutes=m), float(m)) for m in (5, 9, 2)
    ]

    assert ingest.store(readings, now=T0 + datetime.timedelta(hours=1)) == 3

    assert Observation.objects.filter(datastream=stream).count() == 3
    latest = LatestObservation.objects.get(datastream=stream)
    assert (latest.phenomenon_time, latest.result_number) == (
        T0 + datetime.timedelta(minutes=9),
        9.0,
    )


def test_an_older_batch_leaves_the_latest_value_alone():
    stream = DatastreamFactory()
    ingest.store([ingest.Reading(stream.pk, T0, 40.0)], now=T0)

    ingest.store([ingest.Reading(stream.pk, T0 - datetime.timedelta(hours=1), 3.0)], now=T0)

    assert LatestObservation.objects.get(datastream=stream).result_number == 40.0


@pytest.mark.parametrize(
    ("reading", "message"),
    [
        (lambda ds: ingest.Reading(ds, T0, "viel"), "must be a number"),
        (lambda ds: ingest.Reading(ds, T0, float("nan")), "finite"),
        (lambda ds: ingest.Reading(ds, T0.replace(tzinfo=None), 1.0), "no time zone"),
        (lambda ds: ingest.Reading(ds, T0 + datetime.timedelta(days=2), 1.0), "future"),
        (lambda ds: ingest.Reading(ds + 1000, T0, 1.0), "no Datastream"),
    ],
)
def test_a_refused_reading_names_its_place_and_nothing_of_the_batch_is_stored(reading, message):
    stream = DatastreamFactory(observation_type=MEASUREMENT)
    batch = [ingest.Reading(stream.pk, T0, 1.0), reading(stream.pk)]

    with pytest.raises(ingest.Refused) as refused:
        ingest.store(batch, now=T0)

    assert refused.value.index == 1
    assert message in refused.value.message
    assert not Observation.objects.filter(datastream=stream).exists()

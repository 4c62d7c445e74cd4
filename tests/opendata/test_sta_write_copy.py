"""PostgreSQL's COPY path of ``ingest`` (ADR 0058) stores exactly what the INSERT path stores.

On SQLite both runs take the INSERT path; the test then still checks every stored column against
the readings.
"""

from __future__ import annotations

import datetime

import pytest

from rathaus.opendata import ingest
from rathaus.opendata.models import LatestObservation, Observation
from tests.factories.opendata import (
    DatastreamFactory,
    FeatureOfInterestFactory,
    MultiDatastreamFactory,
    MultiDatastreamPropertyFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

CATEGORY = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation"
T0 = datetime.datetime(2026, 10, 30, 22, 0, tzinfo=datetime.UTC)
BERLIN = datetime.timezone(datetime.timedelta(hours=1))
FIELDS = [field.attname for field in Observation._meta.concrete_fields if field.attname != "id"]


def batch(number_stream, text_stream, multi, feature) -> list[ingest.Reading]:
    """5,000 readings over two months (two partitions on PostgreSQL) with every kind of column."""
    readings = []
    for i in range(5000):
        time = T0 + datetime.timedelta(minutes=17 * i)
        kind = i % 4
        if kind == 0:
            readings.append(ingest.Reading(number_stream, time, i / 7 - 100))
        elif kind == 1:
            text = ["Ost\tWind", 'mit "Anführung"', "Zeile\nneu", "Back\\slash", "∅"][i % 5]
            readings.append(ingest.Reading(
                text_stream, time.astimezone(BERLIN), text,
                phenomenon_time_end=time + datetime.timedelta(minutes=5),
                result_time=time + datetime.timedelta(seconds=1.5),
                result_quality={"geprüft": i % 2 == 0, "stufe": None},
                parameters={"liste": [1, 2.5, "drei"], "leer": {}, "null": None},
                feature_of_interest_id=feature,
            ))  # fmt: skip
        elif kind == 2:
            readings.append(ingest.Reading(
                None, time, [i * 0.5, -i], multi_datastream_id=multi,
                valid_time_start=time, valid_time_end=time + datetime.timedelta(days=1),
                result_quality=["a", 1],
            ))  # fmt: skip
        else:
            readings.append(ingest.Reading(
                number_stream, time, 10**12 + i, parameters="nur Text",
                feature_of_interest_id=feature,
            ))  # fmt: skip
    return readings


def stored(ids):
    rows = Observation.objects.filter(pk__in=ids).order_by("id").values_list("id", *FIELDS)
    return [row[1:] for row in rows], [row[0] for row in rows]


def test_copy_and_insert_store_the_same_column_values(monkeypatch):
    number_stream = DatastreamFactory().pk
    text_stream = DatastreamFactory(observation_type=CATEGORY).pk
    multi = MultiDatastreamFactory()
    MultiDatastreamPropertyFactory(multi_datastream=multi, position=0)
    MultiDatastreamPropertyFactory(multi_datastream=multi, position=1)
    feature = FeatureOfInterestFactory().pk
    readings = batch(number_stream, text_stream, multi.pk, feature)
    now = T0 + datetime.timedelta(days=100)

    copied_ids = ingest.store_returning_ids(readings, now=now)
    latest_after_copy = list(LatestObservation.objects.order_by("datastream_id").values_list(
        "datastream_id", "observation_id", "phenomenon_time", "result_number", "result_json"))  # fmt: skip
    monkeypatch.setattr(ingest, "COPY_ON_POSTGRESQL", False)
    inserted_ids = ingest.store_returning_ids(readings, now=now)

    copied, copied_order = stored(copied_ids)
    inserted, inserted_order = stored(inserted_ids)
    assert copied_order == copied_ids
    assert inserted_order == inserted_ids
    assert len(copied) == 5000
    assert copied == inserted
    expected = []
    for r in readings:
        number, other = ingest.split_result(r.result)
        expected.append((
            r.datastream_id, r.multi_datastream_id, r.feature_of_interest_id, r.phenomenon_time,
            r.phenomenon_time_end, r.result_time, number, other, r.result_quality,
            r.valid_time_start, r.valid_time_end, r.parameters,
        ))  # fmt: skip
    assert [dict(zip(FIELDS, row, strict=True)) for row in copied] == [
        dict(zip(ingest.COLUMNS, row, strict=True)) for row in expected
    ]
    newest = copied_ids[4999]  # the last reading of the number stream
    assert (number_stream, newest) in [row[:2] for row in latest_after_copy]
    assert latest_after_copy[1][:2] == (text_stream, copied_ids[4997])

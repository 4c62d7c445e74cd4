"""Storing observations: the one way in for the API, ``dataArray``, MQTT, imports and the demo.

``store`` checks a batch first and writes it in one transaction, then moves each datastream's
latest value forward. A batch is all or nothing: a refused reading names its position.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from rathaus.opendata.models import Datastream, LatestObservation, Observation

# How far ahead of the server's clock an observation may lie (clocks of sensors drift).
FUTURE_TOLERANCE = datetime.timedelta(hours=1)

NUMERIC_TYPES = {
    "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation",
}
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"
TRUTH = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation"
CATEGORY = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation"


@dataclass(frozen=True)
class Reading:
    """One observation to store, as it came in (already parsed from JSON, CSV or MQTT)."""

    datastream_id: int
    phenomenon_time: datetime.datetime
    result: Any
    phenomenon_time_end: datetime.datetime | None = None
    result_time: datetime.datetime | None = None
    result_quality: Any = None
    valid_time_start: datetime.datetime | None = None
    valid_time_end: datetime.datetime | None = None
    parameters: Any = None
    feature_of_interest_id: int | None = None


class Refused(ValueError):
    """A reading that cannot be stored; ``index`` is its position in the batch."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"observation {index}: {message}")
        self.index = index
        self.message = message


def split_result(value: Any) -> tuple[float | None, Any]:
    """``(result_number, result_json)``: numbers go to the number column, the rest to JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None, value
    return float(value), None


def check(readings: Sequence[Reading], now: datetime.datetime) -> dict[int, str]:
    """Refuse what cannot be stored; returns the observation type of each datastream."""
    ids = {reading.datastream_id for reading in readings}
    types = dict(Datastream.objects.filter(pk__in=ids).values_list("pk", "observation_type"))
    latest_allowed = now + FUTURE_TOLERANCE
    for index, reading in enumerate(readings):
        kind = types.get(reading.datastream_id)
        if kind is None:
            raise Refused(index, f"there is no Datastream({reading.datastream_id})")
        for name in ("phenomenon_time", "phenomenon_time_end", "result_time"):
            value = getattr(reading, name)
            if value is not None and value.utcoffset() is None:
                raise Refused(index, f"{name} has no time zone")
        if reading.phenomenon_time > latest_allowed:
            raise Refused(index, "phenomenonTime lies in the future")
        _check_result(index, kind, reading.result)
    return types


def _check_result(index: int, kind: str, value: Any) -> None:
    if value is None:
        raise Refused(index, "result is missing")
    if kind in NUMERIC_TYPES:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Refused(index, "result must be a number for this datastream")
        if not math.isfinite(value):
            raise Refused(index, "result must be a finite number")
        if kind == COUNT and not float(value).is_integer():
            raise Refused(index, "result must be a whole number for this datastream")
    elif kind == TRUTH and not isinstance(value, bool):
        raise Refused(index, "result must be true or false for this datastream")
    elif kind == CATEGORY and not isinstance(value, str):
        raise Refused(index, "result must be a text (a category) for this datastream")


def store(readings: Sequence[Reading], *, now: datetime.datetime | None = None) -> int:
    """Store all readings or none; returns how many were stored."""
    if not readings:
        return 0
    from django.utils import timezone

    check(readings, now or timezone.now())
    rows = []
    for reading in readings:
        number, other = split_result(reading.result)
        rows.append(
            Observation(
                datastream_id=reading.datastream_id,
                feature_of_interest_id=reading.feature_of_interest_id,
                phenomenon_time_start=reading.phenomenon_time,
                phenomenon_time_end=reading.phenomenon_time_end,
                result_time=reading.result_time,
                result_number=number,
                result_json=other,
                result_quality=reading.result_quality,
                valid_time_start=reading.valid_time_start,
                valid_time_end=reading.valid_time_end,
                parameters=reading.parameters,
            )
        )
    with transaction.atomic():
        Observation.objects.bulk_create(rows, batch_size=2000)
        _advance_latest(rows)
    return len(rows)


def _advance_latest(rows: Sequence[Observation]) -> None:
    newest: dict[int, Observation] = {}
    for row in rows:
        if row.datastream_id is None:
            continue
        seen = newest.get(row.datastream_id)
        if seen is None or (row.phenomenon_time_start, row.pk) > (
            seen.phenomenon_time_start,
            seen.pk,
        ):
            newest[row.datastream_id] = row
    current = {
        latest.datastream_id: latest
        for latest in LatestObservation.objects.select_for_update().filter(datastream_id__in=newest)
    }
    for datastream_id, row in newest.items():
        latest = current.get(datastream_id)
        if latest is not None and latest.phenomenon_time >= row.phenomenon_time_start:
            continue
        LatestObservation.objects.update_or_create(
            datastream_id=datastream_id,
            defaults={
                "observation_id": row.pk,
                "phenomenon_time": row.phenomenon_time_start,
                "result_number": row.result_number,
                "result_json": row.result_json,
            },
        )

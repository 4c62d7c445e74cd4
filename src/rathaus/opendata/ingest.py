"""Storing observations: the one way in for the API, ``dataArray``, MQTT, imports and the demo.

``store`` checks a batch first and writes it in one transaction, then moves each datastream's
latest value forward. A batch is all or nothing: a refused reading names its position.

It is built for speed (ADR 0058): the rows go to the database as plain values (no model
instances), on PostgreSQL by ``COPY … FROM STDIN`` with ids drawn ahead from the table's sequence,
on SQLite as multi-row ``INSERT`` statements, and the latest values move forward in one upsert per
batch. ``store_returning_ids`` is the same and gives the new ids in the order of the readings
(the API needs them for its ``Location`` header and ``dataArray`` answers).
"""

from __future__ import annotations

import datetime
import gc
import json
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from rathaus.opendata.models import Datastream, LatestObservation, MultiDatastream, Observation

# How far ahead of the server's clock an observation may lie (clocks of sensors drift).
FUTURE_TOLERANCE = datetime.timedelta(hours=1)

NUMERIC_TYPES = {
    "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
    "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation",
}
COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"
TRUTH = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation"
CATEGORY = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation"

# Rows per INSERT statement: below SQLite's and PostgreSQL's limits on bound parameters.
ROWS_PER_STATEMENT = 2500
# PostgreSQL takes the rows by COPY (ADR 0058); False falls back to the multi-row INSERTs (the
# tests compare both paths).
COPY_ON_POSTGRESQL = True
COLUMNS = (
    "datastream_id", "multi_datastream_id", "feature_of_interest_id", "phenomenon_time_start",
    "phenomenon_time_end", "result_time", "result_number", "result_json", "result_quality",
    "valid_time_start", "valid_time_end", "parameters",
)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """One observation to store, as it came in (already parsed from JSON, CSV or MQTT).

    ``datastream_id`` names the series; for a MultiDatastream's observation it is ``None`` and
    ``multi_datastream_id`` is set (its result is an array, one member per observed property).
    """

    datastream_id: int | None
    phenomenon_time: datetime.datetime
    result: Any
    phenomenon_time_end: datetime.datetime | None = None
    result_time: datetime.datetime | None = None
    result_quality: Any = None
    valid_time_start: datetime.datetime | None = None
    valid_time_end: datetime.datetime | None = None
    parameters: Any = None
    feature_of_interest_id: int | None = None
    multi_datastream_id: int | None = None


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
    """Refuse what cannot be stored (:class:`Refused` for the first bad reading); returns the
    observation type of each datastream."""
    types, found = _examine(readings, now, first_only=True)
    if found:
        index, message = next(iter(found.items()))
        raise Refused(index, message)
    return types


def refusals(readings: Sequence[Reading], now: datetime.datetime) -> dict[int, str]:
    """Why each bad reading cannot be stored, by position (empty: all can be stored)."""
    return _examine(readings, now, first_only=False)[1]


def _examine(
    readings: Sequence[Reading], now: datetime.datetime, *, first_only: bool
) -> tuple[dict[int, str], dict[int, str]]:
    ids = {reading.datastream_id for reading in readings if reading.datastream_id is not None}
    types = dict(Datastream.objects.filter(pk__in=ids).values_list("pk", "observation_type"))
    multi_ids = {r.multi_datastream_id for r in readings if r.multi_datastream_id is not None}
    members: dict[int, list[str]] = {}
    if multi_ids:
        members = dict(
            MultiDatastream.objects.filter(pk__in=multi_ids).values_list(
                "pk", "multi_observation_data_types"
            )
        )
    latest_allowed = now + FUTURE_TOLERANCE
    found: dict[int, str] = {}
    for index, reading in enumerate(readings):
        try:
            if reading.multi_datastream_id is not None:
                _check_multi(index, reading, members)
            else:
                kind = types.get(reading.datastream_id)  # type: ignore[arg-type]
                if kind is None:
                    raise Refused(index, f"there is no Datastream({reading.datastream_id})")
                _check_result(index, kind, reading.result)
            for name in ("phenomenon_time", "phenomenon_time_end", "result_time"):
                value = getattr(reading, name)
                if value is not None and value.utcoffset() is None:
                    raise Refused(index, f"{name} has no time zone")
            if reading.phenomenon_time > latest_allowed:
                raise Refused(index, "phenomenonTime lies in the future")
        except Refused as refused:
            found[index] = refused.message
            if first_only:
                break
    return types, found


def _check_multi(index: int, reading: Reading, members: dict[int, list[str]]) -> None:
    if reading.datastream_id is not None:
        raise Refused(index, "an observation belongs to a Datastream or a MultiDatastream")
    kinds = members.get(reading.multi_datastream_id)  # type: ignore[arg-type]
    if kinds is None:
        raise Refused(index, f"there is no MultiDatastream({reading.multi_datastream_id})")
    if not isinstance(reading.result, list) or len(reading.result) != len(kinds):
        raise Refused(index, f"result must be an array of {len(kinds)} values")
    for kind, value in zip(kinds, reading.result, strict=True):
        _check_result(index, kind, value)


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


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a batch is built and written: the many small objects
    of a big batch (rows, times, parameters) trigger collections that find nothing to free and
    cost a quarter of the time (ADR 0058). Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def store(readings: Sequence[Reading], *, now: datetime.datetime | None = None) -> int:
    """Store all readings or none; returns how many were stored."""
    return len(store_returning_ids(readings, now=now))


def store_returning_ids(
    readings: Sequence[Reading], *, now: datetime.datetime | None = None
) -> list[int]:
    """Store all readings or none; returns the new observations' ids in the readings' order."""
    if not readings:
        return []
    from django.utils import timezone

    with paused_gc():
        check(readings, now or timezone.now())
        return write_checked(readings)


def write_checked(readings: Sequence[Reading]) -> list[int]:
    """Write readings that :func:`refusals` found nothing wrong with (in the same transaction);
    for callers that sort out bad readings first, so that they are not checked twice."""
    if not readings:
        return []
    with transaction.atomic():
        ids = _insert(readings)
        _advance_latest(readings, ids)
    return ids


def _adapters() -> tuple[Any, Any]:
    """How a time and a JSON value are handed to this database's driver (as Django would)."""
    if connection.vendor == "postgresql":
        json_field = Observation._meta.get_field("result_json")

        def as_time(value: datetime.datetime | None) -> Any:
            return value  # psycopg takes aware datetimes as they are

        def as_json(value: Any) -> Any:
            return None if value is None else json_field.get_db_prep_save(value, connection)

        return as_time, as_json
    if connection.vendor != "sqlite":
        ops = connection.ops
        return (lambda value: None if value is None else ops.adapt_datetimefield_value(value),
                lambda value: None if value is None else json.dumps(value))  # fmt: skip

    def sqlite_time(value: datetime.datetime | None) -> Any:
        # Django's SQLite format: naive UTC, str(datetime); without its per-value checks.
        if value is None:
            return None
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")

    return sqlite_time, lambda value: None if value is None else json.dumps(value)


def time_adapter() -> Any:
    """How this database's driver takes a time in a raw query (as the rows are written)."""
    return _adapters()[0]


def _rows(readings: Iterable[Reading]) -> list[tuple[Any, ...]]:
    as_time, as_json = _adapters()
    rows = []
    for r in readings:
        number, other = split_result(r.result)
        rows.append((
            r.datastream_id, r.multi_datastream_id, r.feature_of_interest_id,
            as_time(r.phenomenon_time), as_time(r.phenomenon_time_end), as_time(r.result_time),
            number, as_json(other), as_json(r.result_quality),
            as_time(r.valid_time_start), as_time(r.valid_time_end), as_json(r.parameters),
        ))  # fmt: skip
    return rows


def _insert(readings: Sequence[Reading]) -> list[int]:
    """Multi-row ``INSERT … RETURNING id``: both databases give the ids in the VALUES order."""
    table = connection.ops.quote_name(Observation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    rows = _rows(readings)
    ids: list[int] = []
    if connection.vendor == "sqlite":
        # The driver's own cursor: Django's would rewrite each 30,000-placeholder statement
        # from %s to ? with a regular expression first.
        connection.ensure_connection()
        one = one.replace("%s", "?")
        driver = connection.connection.cursor()
        try:
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                chunk = rows[start : start + ROWS_PER_STATEMENT]
                values = ", ".join([one] * len(chunk))
                sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING id"  # noqa: S608
                driver.execute(sql, [value for row in chunk for value in row])
                ids.extend(row[0] for row in driver.fetchall())
        finally:
            driver.close()
        return ids
    if connection.vendor == "postgresql" and COPY_ON_POSTGRESQL:
        return _copy(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            values = ", ".join([one] * len(chunk))
            params = [value for row in chunk for value in row]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING id",  # noqa: S608
                params,
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _copy(rows: list[tuple[Any, ...]]) -> list[int]:
    """PostgreSQL: ids drawn ahead from the table's sequence in one statement, then the rows with
    their ids in one ``COPY … FROM STDIN`` (ADR 0058): no SQL text to parse, no parameters to
    bind, and the server writes the rows in buffers per partition."""
    table = connection.ops.quote_name(Observation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in ("id", *COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(sequence) FROM"
            " (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS sequence) AS s,"
            " generate_series(1, %s)",
            [Observation._meta.db_table, len(rows)],
        )
        # One nextval per row in one statement: ascending, so sorted they follow the readings.
        ids = sorted(row[0] for row in cursor.fetchall())
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for pk, row in zip(ids, rows, strict=True):
                write((pk, *row))
    return ids


def _advance_latest(readings: Sequence[Reading], ids: Sequence[int]) -> None:
    """One upsert: a datastream's latest value moves only to a newer phenomenon time."""
    newest: dict[int, tuple[datetime.datetime, int, Reading]] = {}
    for reading, pk in zip(readings, ids, strict=True):
        stream = reading.datastream_id
        if stream is None:
            continue
        seen = newest.get(stream)
        if seen is None or (reading.phenomenon_time, pk) > seen[:2]:
            newest[stream] = (reading.phenomenon_time, pk, reading)
    if not newest:
        return
    as_time, as_json = _adapters()
    quote = connection.ops.quote_name
    table = quote(LatestObservation._meta.db_table)
    params: list[Any] = []
    for stream, (time, pk, reading) in newest.items():
        number, other = split_result(reading.result)
        params.extend((stream, pk, as_time(time), number, as_json(other)))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(newest))
    sql = (
        f"INSERT INTO {table} (datastream_id, observation_id, phenomenon_time, result_number,"  # noqa: S608
        f" result_json) VALUES {values} ON CONFLICT (datastream_id) DO UPDATE SET"
        " observation_id = excluded.observation_id,"
        " phenomenon_time = excluded.phenomenon_time,"
        " result_number = excluded.result_number, result_json = excluded.result_json"
        f" WHERE excluded.phenomenon_time > {table}.phenomenon_time"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def recompute_latest(datastream_ids: Iterable[int]) -> None:
    """Set the latest value of these datastreams from their observations (after an observation
    was changed or deleted): the newest by phenomenon time, none if no observation is left."""
    for stream in set(datastream_ids):
        newest = (
            Observation.objects.filter(datastream_id=stream)
            .order_by("-phenomenon_time_start", "-id")
            .values_list("id", "phenomenon_time_start", "result_number", "result_json")
            .first()
        )
        if newest is None:
            LatestObservation.objects.filter(datastream_id=stream).delete()
            continue
        pk, time, number, other = newest
        LatestObservation.objects.update_or_create(
            datastream_id=stream,
            defaults={"observation_id": pk, "phenomenon_time": time,
                      "result_number": number, "result_json": other},
        )  # fmt: skip

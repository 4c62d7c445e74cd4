"""The dataArray extension (OGC 18-088 §14.2): many observations in one request.

``POST /sta/v1.1/CreateObservations`` with a list of blocks, each naming its Datastream (or
MultiDatastream), the ``components`` (which value sits at which position) and the
``dataArray`` rows. The answer is 201 with one entry per row, in order: the selfLink of the
created Observation, or ``"error"`` for a row that could not be stored (the others are stored).
A malformed block (no Datastream, unknown components, no list) is a 400 for the whole request.

All rows that can be stored go to :func:`ingest.store_returning_ids` in one call.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from rathaus.opendata import ingest
from rathaus.opendata.models import Datastream, FeatureOfInterest, MultiDatastream
from rathaus.opendata.sta import auth, deep_insert
from rathaus.opendata.sta.errors import StaError, bad_request
from rathaus.opendata.sta.serialize import base_url

COMPONENTS = {
    "phenomenonTime", "result", "resultTime", "resultQuality", "validTime", "parameters",
    "FeatureOfInterest/id",
}  # fmt: skip
MAX_ROWS = 200_000
STANDARD = ["phenomenonTime", "result", "FeatureOfInterest/id"]


class _RowError(Exception):
    pass


def handle(request: HttpRequest, body: Any) -> JsonResponse:
    if not isinstance(body, list):
        raise bad_request("CreateObservations takes a JSON array of blocks with a dataArray.")
    now = timezone.now()
    readings: list[ingest.Reading | None] = []
    with transaction.atomic():
        for number, block in enumerate(body):
            readings.extend(_block(block, f"block {number}", now))
        if len(readings) > MAX_ROWS:
            raise StaError(413, f"At most {MAX_ROWS} observations per request.")
        good = [(i, r) for i, r in enumerate(readings) if r is not None]
        refused = ingest.refusals([r for _i, r in good], now)
        storable = [(i, r) for n, (i, r) in enumerate(good) if n not in refused]
        ids = ingest.write_checked([r for _i, r in storable])
    base = base_url(request)
    answer: list[str] = ["error"] * len(readings)
    for (index, _reading), pk in zip(storable, ids, strict=True):
        answer[index] = f"{base}/Observations({pk})"
    return JsonResponse(answer, status=201, safe=False)


def _block(block: Any, where: str, now: datetime.datetime) -> list[ingest.Reading | None]:
    if not isinstance(block, dict):
        raise bad_request(f"{where}: must be a JSON object.")
    unknown = set(block) - {"Datastream", "MultiDatastream", "components", "dataArray",
                            "dataArray@iot.count"}  # fmt: skip
    if unknown:
        raise bad_request(f"{where}: unknown member {sorted(unknown)[0]!r}.")
    stream_id, multi_id, thing = _stream(block, where)
    components = block.get("components")
    if (
        not isinstance(components, list)
        or not all(isinstance(c, str) for c in components)
        or len(set(components)) != len(components)
    ):
        raise bad_request(f"{where}: components must be a list of distinct names.")
    if set(components) - COMPONENTS:
        name = sorted(set(components) - COMPONENTS)[0]
        raise bad_request(f"{where}: unknown component {name!r}.")
    if "result" not in components:
        raise bad_request(f"{where}: components must include result.")
    rows = block.get("dataArray")
    if not isinstance(rows, list):
        raise bad_request(f"{where}: dataArray must be a list of rows.")
    feature_id: int | None = None
    if "FeatureOfInterest/id" not in components:
        try:
            feature_id = deep_insert.feature_for(thing, where).pk
        except StaError:
            return [None] * len(rows)  # no place to take a feature from: every row fails
    readings: list[ingest.Reading | None] = []
    features: set[int] = set()
    for row in rows:
        try:
            reading = _reading(row, components, stream_id, multi_id, feature_id, now)
        except (_RowError, StaError):
            readings.append(None)
            continue
        features.add(reading.feature_of_interest_id)  # type: ignore[arg-type]
        readings.append(reading)
    known = set(FeatureOfInterest.objects.filter(pk__in=features).values_list("pk", flat=True))
    return [r if r is None or r.feature_of_interest_id in known else None for r in readings]


def _stream(block: dict[str, Any], where: str) -> tuple[int | None, int | None, Any]:
    for name, model in (("Datastream", Datastream), ("MultiDatastream", MultiDatastream)):
        if name in block:
            link = block[name]
            ident = link.get("@iot.id") if isinstance(link, dict) else None
            if isinstance(ident, bool) or not isinstance(ident, int):
                raise bad_request(f'{where}: {name} must be {{"@iot.id": …}}.')
            found = model.objects.select_related("thing").filter(pk=ident).first()
            if found is None:
                raise bad_request(f"{where}: {name} {ident} does not exist.")
            auth.check(found)
            if name == "Datastream":
                return ident, None, found.thing
            return None, ident, found.thing
    raise bad_request(f"{where}: name the Datastream or MultiDatastream.")


def _reading(
    row: Any,
    components: list[str],
    stream_id: int | None,
    multi_id: int | None,
    feature_id: int | None,
    now: datetime.datetime,
) -> ingest.Reading:
    if not isinstance(row, list) or len(row) != len(components):
        raise _RowError
    if len(row) == 3 and components == STANDARD:  # the common case, without a dict per row
        text, result, feature = row
        if isinstance(text, str) and "/" not in text:
            start = deep_insert.parse_time(text, "phenomenonTime")
            if isinstance(feature, bool) or not isinstance(feature, int):
                raise _RowError
            return ingest.Reading(stream_id, start, result, feature_of_interest_id=feature,
                                  multi_datastream_id=multi_id)  # fmt: skip
    values = dict(zip(components, row, strict=True))
    start, end = now, None
    if "phenomenonTime" in values:
        text = values["phenomenonTime"]
        if isinstance(text, str) and "/" in text:
            start, end = deep_insert.parse_interval(text, "phenomenonTime")
        else:
            start = deep_insert.parse_time(text, "phenomenonTime")
    valid: tuple[datetime.datetime | None, datetime.datetime | None] = (None, None)
    if values.get("validTime") is not None:
        valid = deep_insert.parse_interval(values["validTime"], "validTime")
    feature = values.get("FeatureOfInterest/id", feature_id)
    if isinstance(feature, bool) or not isinstance(feature, int):
        raise _RowError
    result_time = values.get("resultTime")
    return ingest.Reading(
        datastream_id=stream_id,
        multi_datastream_id=multi_id,
        phenomenon_time=start,
        phenomenon_time_end=end,
        result=values["result"],
        result_time=None if result_time is None else deep_insert.parse_time(result_time, "rt"),
        result_quality=values.get("resultQuality"),
        valid_time_start=valid[0],
        valid_time_end=valid[1],
        parameters=values.get("parameters"),
        feature_of_interest_id=feature,
    )

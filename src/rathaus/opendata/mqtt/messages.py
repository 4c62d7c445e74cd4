"""What an MQTT message means: its topic names the datastream, its payload is an Observation.

The standard's MQTT create (OGC 18-088 §14.2.2): a client publishes an Observation, as it would
POST it, to ``v1.1/Datastreams(<id>)/Observations`` or to ``v1.1/Observations`` with the
Datastream linked in the body (``"Datastream": {"@iot.id": <id>}``). A message that cannot be
an observation raises :class:`BadMessage` with a reason for the dead-letter list.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from rathaus.opendata.ingest import Reading

VERSION = "v1.1"
# MQTT wildcards are whole levels and "Datastreams(12)" is one level: the consumer subscribes
# to every level-two topic below v1.1/ with "#" and parses the topic itself.
SUBSCRIPTION = f"{VERSION}/#"
DATASTREAM_TOPIC = re.compile(
    rf"^{re.escape(VERSION)}/Datastreams\(([0-9]{{1,18}})\)/Observations$"
)
OBSERVATIONS_TOPIC = f"{VERSION}/Observations"
MAX_PAYLOAD = 64 * 1024
MAX_ID = 2**63 - 1

PROPERTIES = {
    "phenomenonTime",
    "result",
    "resultTime",
    "resultQuality",
    "validTime",
    "parameters",
    "FeatureOfInterest",
    "Datastream",
}


class BadMessage(ValueError):
    """A message that is no observation this installation can store; the text says why."""


def topic_for(datastream_id: int) -> str:
    return f"{VERSION}/Datastreams({datastream_id})/Observations"


def reading(topic: str, payload: bytes, received: datetime.datetime) -> Reading:
    """The observation a message carries; ``received`` is its phenomenonTime when it has none."""
    match = DATASTREAM_TOPIC.match(topic)
    if match is None and topic != OBSERVATIONS_TOPIC:
        raise BadMessage(
            "the topic is not v1.1/Datastreams(<id>)/Observations or v1.1/Observations"
        )
    if len(payload) > MAX_PAYLOAD:
        raise BadMessage(f"the message is larger than {MAX_PAYLOAD} bytes")
    try:
        body = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadMessage(f"the message is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise BadMessage("the message is not a JSON object (an Observation)")
    unknown = sorted(set(body) - PROPERTIES)
    if unknown:
        raise BadMessage(f"unknown properties of an Observation: {', '.join(unknown)}")
    linked = _link(body, "Datastream") if "Datastream" in body else None
    if match is not None:
        datastream_id = int(match.group(1))
        if linked is not None and linked != datastream_id:
            raise BadMessage("the Datastream in the message differs from the one in the topic")
    elif linked is None:
        raise BadMessage("a message to v1.1/Observations must link its Datastream")
    else:
        datastream_id = linked
    if "result" not in body:
        raise BadMessage("result is missing")
    start, end = (
        _interval(body["phenomenonTime"], "phenomenonTime")
        if body.get("phenomenonTime") is not None
        else (received, None)
    )
    valid_start, valid_end = (
        _interval(body["validTime"], "validTime")
        if body.get("validTime") is not None
        else (None, None)
    )
    result_time = (
        _instant(body["resultTime"], "resultTime") if body.get("resultTime") is not None else None
    )
    feature = (
        _link(body, "FeatureOfInterest") if body.get("FeatureOfInterest") is not None else None
    )
    return Reading(
        datastream_id=datastream_id,
        phenomenon_time=start,
        phenomenon_time_end=end,
        result=body["result"],
        result_time=result_time,
        result_quality=body.get("resultQuality"),
        valid_time_start=valid_start,
        valid_time_end=valid_end,
        parameters=body.get("parameters"),
        feature_of_interest_id=feature,
    )


def _link(body: dict[str, Any], name: str) -> int:
    value = body[name]
    ident = value.get("@iot.id") if isinstance(value, dict) else None
    # ASCII digits only: "²".isdigit() is true, but int("²") raises.
    if isinstance(ident, str) and ident.isascii() and ident.isdigit() and len(ident) <= 18:
        ident = int(ident)
    # Beyond a bigint the database would refuse the whole batch again and again.
    if not isinstance(ident, int) or isinstance(ident, bool) or not 1 <= ident <= MAX_ID:
        raise BadMessage(f'{name} must be a link like {{"@iot.id": 1}}')
    if set(value) != {"@iot.id"}:
        raise BadMessage(f"{name} must be a link to an existing entity, not a new one")
    return ident


def _instant(value: Any, name: str) -> datetime.datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise BadMessage(f"{name} must be an ISO 8601 time")
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise BadMessage(f"{name} is not an ISO 8601 time: {value}") from None
    if parsed.utcoffset() is None:
        raise BadMessage(f"{name} has no time zone: {value}")
    return parsed


def _interval(value: Any, name: str) -> tuple[datetime.datetime, datetime.datetime | None]:
    """An instant, or an interval ``start/end`` (ISO 8601, both with a time zone)."""
    if isinstance(value, str) and "/" in value:
        first, _, second = value.partition("/")
        start, end = _instant(first, name), _instant(second, name)
        if end < start:
            raise BadMessage(f"{name} ends before it starts: {value}")
        return start, end
    return _instant(value, name), None

"""Realistic readings for the demo's datastreams, published over MQTT like real sensors do.

Each value moves from the datastream's latest value towards a typical level for its kind and
the hour of the day (rush hours for NO2, traffic and buses), with some noise: PM10 and PM2.5 in
µg/m³ around the levels of the Magdeburg stations, groundwater slowly drifting, counts as whole
numbers. Nothing here writes to the database: the consumer stores what arrives.
"""

from __future__ import annotations

import datetime
import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from rathaus.opendata.ingest import COUNT, NUMERIC_TYPES
from rathaus.opendata.models import Datastream, LatestObservation
from rathaus.opendata.mqtt import messages
from rathaus.opendata.mqtt.broker import address
from rathaus.opendata.mqtt.consumer import unique_client_id


@dataclass(frozen=True)
class Profile:
    level: float  # typical value
    spread: float  # usual deviation
    rush_hours: bool = False  # higher in the morning and afternoon rush
    maximum: float = math.inf


PROFILES: tuple[tuple[tuple[str, ...], Profile], ...] = (
    (("pm10",), Profile(18.0, 6.0, maximum=300.0)),
    (("pm2.5", "pm2,5", "pm25"), Profile(11.0, 4.0, maximum=200.0)),
    (("no2", "stickstoffdioxid", "nitrogen dioxide"), Profile(22.0, 9.0, True, 400.0)),
    (("o3", "ozon"), Profile(45.0, 15.0, maximum=300.0)),
    (("grundwasser", "groundwater"), Profile(2.5, 0.05)),
    (("verkehr", "traffic", "fahrzeug", "vehicle"), Profile(420.0, 60.0, True)),
    (("fahrgäste", "fahrgast", "passenger", "bus"), Profile(35.0, 8.0, True)),
)
DEFAULT = Profile(10.0, 2.0)


def profile(datastream: Datastream) -> Profile:
    text = f"{datastream.observed_property.name} {datastream.name} {datastream.topic}".lower()
    for words, found in PROFILES:
        if any(word in text for word in words):
            return found
    return DEFAULT


def day_factor(moment: datetime.datetime, rush_hours: bool) -> float:
    """1 on average; with rush hours peaks around 8:00 and 17:00, low at night."""
    if not rush_hours:
        return 1.0
    hour = moment.hour + moment.minute / 60
    peaks = math.exp(-(((hour - 8) / 1.5) ** 2)) + math.exp(-(((hour - 17) / 2) ** 2))
    night = 0.25 if hour < 5 or hour >= 22 else 1.0
    return night * (0.6 + 0.9 * peaks)


def next_value(
    datastream: Datastream, latest: float | None, moment: datetime.datetime, rng: random.Random
) -> float | int:
    found = profile(datastream)
    target = found.level * day_factor(moment, found.rush_hours)
    if latest is None:
        value = rng.gauss(target, found.spread)
    else:
        value = latest + 0.3 * (target - latest) + rng.gauss(0, found.spread * 0.3)
    value = min(max(value, 0.0), found.maximum)
    if datastream.observation_type == COUNT:
        return round(value)
    return round(value, 2)


def numeric_datastreams(ids: Sequence[int] = ()) -> list[Datastream]:
    query = Datastream.objects.filter(observation_type__in=NUMERIC_TYPES).select_related(
        "observed_property"
    )
    if ids:
        query = query.filter(pk__in=ids)
    return list(query.order_by("pk"))


class Simulator:
    """One value per datastream and round, published to ``v1.1/Datastreams(<id>)/Observations``."""

    def __init__(self, datastreams: Sequence[Datastream], seed: int | None = None) -> None:
        self.datastreams = list(datastreams)
        self.rng = random.Random(seed)  # noqa: S311 (demo values, not secrets)
        self.latest: dict[int, float | None] = dict(
            LatestObservation.objects.filter(
                datastream__in=self.datastreams, result_number__isnull=False
            ).values_list("datastream_id", "result_number")
        )

    def round(self, moment: datetime.datetime) -> list[tuple[str, bytes]]:
        found = []
        for datastream in self.datastreams:
            value = next_value(datastream, self.latest.get(datastream.pk), moment, self.rng)
            self.latest[datastream.pk] = float(value)
            body = {"phenomenonTime": moment.isoformat(), "result": value}
            found.append((messages.topic_for(datastream.pk), json.dumps(body).encode()))
        return found


class Publisher:
    """A short-lived MQTT client that publishes with QoS 1 and waits until the broker has it."""

    def __init__(self, url: str) -> None:
        where = address(url)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=unique_client_id("rathaus-publisher")
        )
        if where.username:
            self.client.username_pw_set(where.username, where.password)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.client.connect(where.host, where.port, keepalive=30)
        self.client.loop_start()

    def publish(self, items: Iterable[tuple[str, bytes]], timeout: float = 30.0) -> int:
        sent = [self.client.publish(topic, payload, qos=1) for topic, payload in items]
        for info in sent:
            info.wait_for_publish(timeout=timeout)
            if not info.is_published():
                raise ConnectionError("the MQTT broker did not confirm a message in time")
        return len(sent)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

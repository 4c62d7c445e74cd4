"""``rathaus sensor-simulator``: plausible values per kind of datastream, published over a real
broker as messages the consumer stores."""

from __future__ import annotations

import datetime
import io
import random
import threading

import paho.mqtt.client as mqtt
import pytest
from django.core.management import CommandError, call_command

from rathaus.opendata.models import Observation
from rathaus.opendata.mqtt.broker import Broker, free_port
from rathaus.opendata.mqtt.consumer import Delivery, store_batch
from rathaus.opendata.mqtt.simulator import day_factor, next_value
from tests.factories import DatastreamFactory
from tests.factories.opendata import ObservedPropertyFactory

pytestmark = pytest.mark.django_db

COUNT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CountObservation"
NOON = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.UTC)


def stream(name: str, **fields):  # type: ignore[no-untyped-def]
    return DatastreamFactory(observed_property=ObservedPropertyFactory(name=name), **fields)


def test_values_stay_near_the_level_of_their_kind_and_counts_are_whole():
    rng = random.Random(1)  # noqa: S311
    pm10, traffic = stream("PM10"), stream("Fahrzeuge", observation_type=COUNT)
    values = [next_value(pm10, None, NOON, rng) for _ in range(500)]
    counts = [next_value(traffic, None, NOON, rng) for _ in range(50)]

    assert 10 < sum(values) / len(values) < 26
    assert min(values) >= 0
    assert all(isinstance(value, int) for value in counts)


def test_a_value_moves_from_the_latest_towards_the_usual_level():
    rng = random.Random(2)  # noqa: S311
    pm10 = stream("PM10")

    after_a_peak = [next_value(pm10, 120.0, NOON, rng) for _ in range(100)]

    assert all(value < 120.0 for value in after_a_peak)


def test_traffic_has_rush_hours_and_quiet_nights():
    rush = NOON.replace(hour=8)
    night = NOON.replace(hour=3)

    assert day_factor(rush, True) > 1 > day_factor(NOON, True) > day_factor(night, True)
    assert day_factor(night, False) == 1.0


def test_without_datastreams_the_command_says_how_to_get_some():
    with pytest.raises(CommandError, match="demo-data"):
        call_command("sensor_simulator", "--once")


def test_an_unreachable_broker_is_named():
    stream("PM10")

    with pytest.raises(CommandError, match="Cannot reach the MQTT broker"):
        call_command("sensor_simulator", "--once", "--url", f"mqtt://127.0.0.1:{free_port()}")


def test_the_simulator_publishes_rounds_the_consumer_stores(tmp_path):
    streams = [stream("PM10"), stream("NO2"), stream("Fahrgäste", observation_type=COUNT)]
    received: list[mqtt.MQTTMessage] = []
    ready = threading.Event()
    with Broker(tmp_path, free_port()) as broker:
        listener = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        listener.on_connect = lambda client, *args: client.subscribe("v1.1/#", qos=1)
        listener.on_subscribe = lambda *args: ready.set()
        listener.on_message = lambda client, userdata, message: received.append(message)
        listener.connect("127.0.0.1", broker.port)
        listener.loop_start()
        assert ready.wait(10)
        out = io.StringIO()
        call_command(
            "sensor_simulator", "--count", "2", "--interval", "0.1", "--url", broker.url,
            "--seed", "3", stdout=out,
        )  # fmt: skip
        for _ in range(100):
            if len(received) == 6:
                break
            threading.Event().wait(0.05)
        listener.loop_stop()
        listener.disconnect()

    assert "Round 2 of 2: 3 readings published." in out.getvalue()
    assert "6 readings of 3 datastreams published in 2 rounds." in out.getvalue()
    assert sorted({message.topic for message in received}) == sorted(
        f"v1.1/Datastreams({item.pk})/Observations" for item in streams
    )
    deliveries = [
        Delivery(n, 1, message.topic, message.payload, NOON, 1)
        for n, message in enumerate(received)
    ]
    assert store_batch(deliveries).stored == 6
    assert Observation.objects.count() == 6

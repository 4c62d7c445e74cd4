"""Hostile MQTT messages never stop the consumer: each one ends in the dead-letter list and is
acknowledged, so it cannot come back after a restart."""

from __future__ import annotations

import datetime
import json

import pytest

from rathaus.opendata.models import DeadLetter, Observation
from rathaus.opendata.mqtt import consumer as consumer_module
from rathaus.opendata.mqtt import messages
from rathaus.opendata.mqtt.consumer import Delivery, store_batch
from tests.factories import DatastreamFactory

pytestmark = pytest.mark.django_db

RECEIVED = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=datetime.UTC)


def delivery(topic: str, body: object, mid: int = 1) -> Delivery:
    return Delivery(mid, 1, topic, json.dumps(body).encode(), RECEIVED, generation=1)


@pytest.mark.parametrize("ident", ["²", "١٢", "1" * 30, 2**63])
def test_a_datastream_link_with_non_ascii_or_huge_digits_is_a_bad_message(ident):
    payload = json.dumps({"Datastream": {"@iot.id": ident}, "result": 1}).encode()

    with pytest.raises(messages.BadMessage, match="Datastream must be a link"):
        messages.reading("v1.1/Observations", payload, RECEIVED)


def test_a_superscript_datastream_id_goes_to_the_dead_letters_and_the_rest_is_stored():
    datastream = DatastreamFactory()
    batch = [
        delivery("v1.1/Observations", {"Datastream": {"@iot.id": "²"}, "result": 1}, mid=1),
        delivery(f"v1.1/Datastreams({datastream.pk})/Observations", {"result": 2}, mid=2),
    ]

    outcome = store_batch(batch)

    assert (outcome.stored, outcome.dead) == (1, 1)
    assert DeadLetter.objects.get().topic == "v1.1/Observations"
    assert Observation.objects.get().result_number == 2


def test_an_unexpected_error_while_reading_a_message_is_a_dead_letter_not_a_crash(monkeypatch):
    datastream = DatastreamFactory()
    real_reading = messages.reading

    def broken_for_one_topic(topic, payload, received):
        if b"boom" in payload:
            raise KeyError("a case the parser did not foresee")
        return real_reading(topic, payload, received)

    monkeypatch.setattr(consumer_module.messages, "reading", broken_for_one_topic)
    topic = f"v1.1/Datastreams({datastream.pk})/Observations"
    batch = [delivery(topic, {"result": "boom"}, mid=1), delivery(topic, {"result": 3}, mid=2)]

    outcome = store_batch(batch)

    assert (outcome.stored, outcome.dead) == (1, 1)
    assert DeadLetter.objects.get().error == "unreadable message (KeyError)"


def test_the_consumer_acknowledges_a_message_that_broke_the_parser(monkeypatch):
    datastream = DatastreamFactory()
    monkeypatch.setattr(
        consumer_module.messages, "reading", lambda *args: 1 / 0
    )  # every message breaks the parser
    consumer = consumer_module.Consumer("mqtt://127.0.0.1:1")
    acked: list[int] = []
    monkeypatch.setattr(consumer.client, "ack", lambda mid, qos: acked.append(mid))
    consumer._generation = 1
    topic = f"v1.1/Datastreams({datastream.pk})/Observations"

    consumer._handle([delivery(topic, {"result": 1}, mid=7)])

    assert acked == [7]
    assert consumer.counts.dead == 1

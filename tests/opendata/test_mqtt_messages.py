"""MQTT messages as observations: the topic names the datastream, the body is the standard's
Observation; a batch is stored once per (datastream, phenomenonTime), the rest is set aside."""

from __future__ import annotations

import datetime
import json

import pytest

from rathaus.opendata.models import DeadLetter, Observation
from rathaus.opendata.mqtt import messages
from rathaus.opendata.mqtt.consumer import Delivery, store_batch
from tests.factories import DatastreamFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
RECEIVED = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
# OGC 18-088 §14.2.2 (MQTT create): the body is what a POST of the Observation would send.
STANDARD_BODY = {
    "phenomenonTime": "2017-02-07T18:02:00.000Z",
    "resultTime": "2017-02-07T18:02:05.000Z",
    "result": 21.6,
}


def delivery(topic: str, body: object, mid: int = 1) -> Delivery:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Delivery(mid, 1, topic, payload, RECEIVED, generation=1)


def test_the_standards_message_to_a_datastreams_observations_is_a_reading():
    reading = messages.reading(
        "v1.1/Datastreams(14)/Observations", json.dumps(STANDARD_BODY).encode(), RECEIVED
    )

    assert reading.datastream_id == 14
    assert reading.phenomenon_time == datetime.datetime(2017, 2, 7, 18, 2, tzinfo=UTC)
    assert reading.result_time == datetime.datetime(2017, 2, 7, 18, 2, 5, tzinfo=UTC)
    assert reading.result == 21.6


def test_a_message_to_observations_links_its_datastream_and_may_carry_intervals():
    body = {
        "phenomenonTime": "2026-12-07T07:00:00+01:00/2026-12-07T08:00:00+01:00",
        "validTime": "2026-12-07T07:00:00Z/2026-12-08T07:00:00Z",
        "result": 3,
        "parameters": {"battery": 87},
        "resultQuality": "ok",
        "Datastream": {"@iot.id": 7},
        "FeatureOfInterest": {"@iot.id": 3},
    }
    reading = messages.reading("v1.1/Observations", json.dumps(body).encode(), RECEIVED)

    assert reading.datastream_id == 7
    assert reading.phenomenon_time == datetime.datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert reading.phenomenon_time_end == datetime.datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    assert reading.valid_time_end == datetime.datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
    assert (reading.parameters, reading.result_quality) == ({"battery": 87}, "ok")
    assert reading.feature_of_interest_id == 3


def test_without_phenomenon_time_the_time_of_receipt_is_taken():
    reading = messages.reading("v1.1/Datastreams(1)/Observations", b'{"result": 1}', RECEIVED)

    assert reading.phenomenon_time == RECEIVED


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("v1.1/Things(1)/Datastreams", b'{"result": 1}', "topic is not"),
        ("v1.1/Datastreams(x)/Observations", b'{"result": 1}', "topic is not"),
        ("v1.1/Datastreams(1)/Observations", b"{result: 1", "not JSON"),
        ("v1.1/Datastreams(1)/Observations", b"\xff\xfe", "not JSON"),
        ("v1.1/Datastreams(1)/Observations", b"[1, 2]", "not a JSON object"),
        ("v1.1/Datastreams(1)/Observations", b'{"result": 1, "colour": "red"}', "colour"),
        ("v1.1/Datastreams(1)/Observations", b'{"phenomenonTime": "2026-12-07T08:00:00Z"}',
         "result is missing"),
        ("v1.1/Datastreams(1)/Observations",
         b'{"result": 1, "phenomenonTime": "2026-12-07T08:00:00"}', "no time zone"),
        ("v1.1/Datastreams(1)/Observations", b'{"result": 1, "phenomenonTime": "gestern"}',
         "not an ISO 8601 time"),
        ("v1.1/Datastreams(1)/Observations",
         b'{"result": 1, "phenomenonTime": "2026-12-07T08:00:00Z/2026-12-07T07:00:00Z"}',
         "ends before it starts"),
        ("v1.1/Datastreams(1)/Observations", b'{"result": 1, "Datastream": {"@iot.id": 2}}',
         "differs"),
        ("v1.1/Observations", b'{"result": 1}', "must link its Datastream"),
        ("v1.1/Observations", b'{"result": 1, "Datastream": {"name": "neu"}}', "must be a link"),
        ("v1.1/Observations", b'{"result": 1, "Datastream": {"@iot.id": 1, "name": "x"}}',
         "not a new one"),
        ("v1.1/Datastreams(1)/Observations", b'{"result": "' + b"x" * 70000 + b'"}', "larger"),
    ],
)  # fmt: skip
def test_a_message_that_is_no_observation_is_refused_with_its_reason(topic, payload, reason):
    with pytest.raises(messages.BadMessage, match=reason):
        messages.reading(topic, payload, RECEIVED)


def test_a_batch_is_stored_and_what_cannot_be_stored_is_set_aside_with_the_reason():
    stream = DatastreamFactory()
    batch = [
        delivery(messages.topic_for(stream.pk), {**STANDARD_BODY, "result": 20.0}, mid=1),
        delivery(messages.topic_for(stream.pk), b"kaputt", mid=2),
        delivery(messages.topic_for(stream.pk + 1000), STANDARD_BODY, mid=3),
        delivery(messages.topic_for(stream.pk), {"result": "viel"}, mid=4),
        delivery(
            messages.topic_for(stream.pk),
            {"phenomenonTime": "2017-02-07T18:03:00Z", "result": 22.5},
            mid=5,
        ),
    ]

    outcome = store_batch(batch)

    assert (outcome.stored, outcome.dead, outcome.duplicates) == (2, 3, 0)
    assert sorted(Observation.objects.values_list("result_number", flat=True)) == [20.0, 22.5]
    reasons = dict(DeadLetter.objects.values_list("payload", "error"))
    assert "not JSON" in reasons["kaputt"]
    assert f"no Datastream({stream.pk + 1000})" in reasons[json.dumps(STANDARD_BODY)]
    assert "must be a number" in reasons['{"result": "viel"}']
    assert all(letter.received_at == RECEIVED for letter in DeadLetter.objects.all())


def test_a_message_delivered_again_is_stored_once():
    stream = DatastreamFactory()
    message = delivery(messages.topic_for(stream.pk), STANDARD_BODY)

    first = store_batch([message, message])
    again = store_batch([message])

    assert (first.stored, first.duplicates) == (1, 1)
    assert (again.stored, again.duplicates) == (0, 1)
    assert Observation.objects.filter(datastream=stream).count() == 1


def test_the_same_instant_in_another_time_zone_is_a_duplicate():
    stream = DatastreamFactory()
    topic = messages.topic_for(stream.pk)
    store_batch([delivery(topic, {"phenomenonTime": "2026-11-30T09:00:00+01:00", "result": 1})])

    again = store_batch([delivery(topic, {"phenomenonTime": "2026-11-30T08:00:00Z", "result": 1})])
    later = store_batch([delivery(topic, {"phenomenonTime": "2026-11-30T08:00:01Z", "result": 2})])

    assert (again.stored, again.duplicates) == (0, 1)
    assert (later.stored, later.duplicates) == (1, 0)


def test_the_same_time_on_another_datastream_is_no_duplicate():
    one, other = DatastreamFactory(), DatastreamFactory()

    outcome = store_batch(
        [
            delivery(messages.topic_for(one.pk), STANDARD_BODY),
            delivery(messages.topic_for(other.pk), STANDARD_BODY),
        ]
    )

    assert outcome.stored == 2


def test_a_batch_the_database_refuses_is_kept_unacknowledged_and_tried_again(monkeypatch):
    from django.db import OperationalError

    from rathaus.opendata.mqtt import consumer as consumer_module

    stream = DatastreamFactory()
    consumer = consumer_module.Consumer("mqtt://127.0.0.1:1", batch_milliseconds=10)
    consumer._generation = 1
    acked: list[int] = []
    attempts: list[int] = []
    real_store = consumer_module.store_batch

    def slow_database(batch):  # type: ignore[no-untyped-def]
        attempts.append(len(acked))  # nothing acknowledged before the commit
        if len(attempts) < 3:
            raise OperationalError("database is locked")
        return real_store(batch)

    monkeypatch.setattr(consumer_module, "store_batch", slow_database)
    monkeypatch.setattr(consumer.client, "ack", lambda mid, qos: acked.append(mid))

    consumer._handle([delivery(messages.topic_for(stream.pk), STANDARD_BODY, mid=7)])

    assert attempts == [0, 0, 0]
    assert acked == [7]
    assert (consumer.counts.retries, consumer.counts.stored) == (2, 1)
    assert Observation.objects.filter(datastream=stream).count() == 1


def test_messages_of_an_earlier_connection_are_stored_but_not_acknowledged_on_a_new_one(
    monkeypatch,
):
    from rathaus.opendata.mqtt.consumer import Consumer

    stream = DatastreamFactory()
    consumer = Consumer("mqtt://127.0.0.1:1")
    consumer._generation = 2  # reconnected since the message came
    acked: list[int] = []
    monkeypatch.setattr(consumer.client, "ack", lambda mid, qos: acked.append(mid))

    consumer._handle([delivery(messages.topic_for(stream.pk), STANDARD_BODY, mid=9)])

    assert acked == []
    assert Observation.objects.filter(datastream=stream).count() == 1

"""The MQTT consumer with a real mosquitto (started per test on a free port): messages are
stored, bad ones set aside, the consumer comes back after the broker restarts, and 10,000
messages survive a killed consumer, each stored once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from rathaus.opendata.models import DeadLetter, Observation
from rathaus.opendata.mqtt import messages
from rathaus.opendata.mqtt.broker import Broker, free_port
from rathaus.opendata.mqtt.consumer import Consumer, Outcome
from rathaus.opendata.mqtt.simulator import Publisher
from tests.factories import DatastreamFactory
from tests.support import ROOT, database_env

# The kill-and-restart test shares the database with a consumer process (transaction=True).
pytestmark = pytest.mark.database


@pytest.fixture
def broker(tmp_path) -> Iterator[Broker]:
    with Broker(tmp_path / "mosquitto", free_port()) as running:
        yield running


def consume_until(consumer: Consumer, done: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the consumer in this thread (so that it shares the test's transaction) until
    ``done()`` holds after a batch; fail after ``timeout`` seconds."""
    original = consumer.on_batch

    def after_batch(outcome: Outcome) -> None:
        if original:
            original(outcome)
        if done():
            consumer.stop()

    consumer.on_batch = after_batch
    timer = threading.Timer(timeout, consumer.stop)
    timer.start()
    try:
        consumer.run()
    finally:
        timer.cancel()
    assert done(), "the consumer did not get there in time"


def body(minute: int, result: float) -> bytes:
    return json.dumps(
        {"phenomenonTime": f"2026-12-07T07:{minute:02d}:00Z", "result": result}
    ).encode()


def subscribed(consumer: Consumer) -> threading.Thread:
    """Start a consumer's connection in the background until it is subscribed (its session
    exists at the broker from then on); returns the thread that runs it."""
    thread = threading.Thread(target=consumer.run, daemon=True)
    thread.start()
    assert consumer.connected.wait(10)
    time.sleep(0.2)  # the SUBACK
    return thread


@pytest.mark.django_db
def test_a_published_observation_is_stored(broker):
    stream = DatastreamFactory()
    consumer = Consumer(broker.url, batch_milliseconds=50)
    publisher = Publisher(broker.url)
    threading.Timer(
        0.5,
        lambda: publisher.publish([(messages.topic_for(stream.pk), body(2, 21.6))]),
    ).start()

    consume_until(consumer, lambda: Observation.objects.filter(datastream=stream).exists())
    publisher.close()

    assert Observation.objects.get(datastream=stream).result_number == 21.6
    assert stream.latest.result_number == 21.6


@pytest.mark.django_db
def test_a_bad_message_is_set_aside_and_acknowledged_so_it_does_not_come_again(broker):
    stream = DatastreamFactory()
    with Publisher(broker.url) as publisher:
        first = Consumer(broker.url, batch_milliseconds=50)
        publisher_thread = threading.Timer(
            0.5,
            lambda: publisher.publish([
                (messages.topic_for(stream.pk), b"kaputt"),
                (messages.topic_for(stream.pk + 1000), body(1, 1.0)),
            ]),
        )  # fmt: skip
        publisher_thread.start()
        consume_until(first, lambda: DeadLetter.objects.count() == 2)

        # The same session again: only the new message arrives, the bad ones were acknowledged.
        second = Consumer(broker.url, batch_milliseconds=50)
        threading.Timer(
            0.5, lambda: publisher.publish([(messages.topic_for(stream.pk), body(3, 5.0))])
        ).start()
        consume_until(second, lambda: Observation.objects.filter(datastream=stream).exists())

    assert DeadLetter.objects.count() == 2
    assert second.counts.dead == 0
    reasons = sorted(DeadLetter.objects.values_list("error", flat=True))
    assert "not JSON" in reasons[0] or "not JSON" in reasons[1]
    assert any(f"no Datastream({stream.pk + 1000})" in reason for reason in reasons)


@pytest.mark.django_db
def test_after_the_broker_restarts_without_its_state_the_consumer_subscribes_again(broker):
    stream = DatastreamFactory()
    consumer = Consumer(broker.url, batch_milliseconds=50)

    def restart_then_publish() -> None:
        assert consumer.connected.wait(10)
        broker.stop()
        (broker.directory / "mosquitto.db").unlink(missing_ok=True)  # the session is gone
        broker.start()
        deadline = time.monotonic() + 15
        while not consumer.connected.is_set() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # the SUBACK
        with Publisher(broker.url) as publisher:
            publisher.publish([(messages.topic_for(stream.pk), body(4, 7.5))])

    helper = threading.Thread(target=restart_then_publish)
    helper.start()
    consume_until(
        consumer, lambda: Observation.objects.filter(datastream=stream).exists(), timeout=30
    )
    helper.join()

    assert Observation.objects.get(datastream=stream).result_number == 7.5


TOTAL = 10_000


def count(stream_id: int) -> int:
    return Observation.objects.filter(datastream_id=stream_id).count()


def start_consumer() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "rathaus", "mqtt-consumer", "--batch-size", "500",
         "--batch-milliseconds", "50"],
        cwd=ROOT, env=database_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_ten_thousand_messages_with_the_consumer_killed_and_restarted_are_stored_once(
    broker, monkeypatch
):
    stream = DatastreamFactory()
    monkeypatch.setenv("RATHAUS_MQTT_URL", broker.url)
    items = [
        (messages.topic_for(stream.pk), json.dumps({
            "phenomenonTime": f"2026-11-{1 + n // 1440:02d}T{n // 60 % 24:02d}:{n % 60:02d}:00Z",
            "result": n,
        }).encode())
        for n in range(TOTAL)
    ]  # fmt: skip
    first = start_consumer()
    try:
        wait_for(lambda: b"Storing observations" in (first.stdout.peek() or b""), 30,
                 "the consumer did not start")  # fmt: skip
        time.sleep(0.5)  # subscribed: the broker keeps the session's messages from now on
        with Publisher(broker.url) as publisher:
            sending = threading.Thread(target=publisher.publish, args=(items,))
            sending.start()
            wait_for(lambda: count(stream.pk) >= 1000, 30, "nothing stored")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            stored_when_killed = count(stream.pk)
            sending.join(60)
        assert stored_when_killed < TOTAL, "killed too late to mean anything"

        second = start_consumer()
        try:
            wait_for(lambda: count(stream.pk) >= TOTAL, 45, "not all messages were stored")
            time.sleep(1.0)  # late re-deliveries would show now
        finally:
            second.send_signal(signal.SIGTERM)
            output = second.communicate(timeout=20)[0].decode()
    finally:
        if first.poll() is None:
            first.kill()
    assert "Stopped:" in output
    rows = Observation.objects.filter(datastream=stream)
    assert rows.count() == TOTAL
    assert sorted(rows.values_list("result_number", flat=True)) == [float(n) for n in range(TOTAL)]
    assert DeadLetter.objects.count() == 0

"""The MQTT consumer: observations from the broker into the database, in batches, at least once.

A persistent session (``clean_session=False``, a fixed client id) with QoS 1 keeps messages at
the broker while the consumer is down. Messages are acknowledged by hand (paho's
``manual_ack``) only after the batch that holds them is committed; a consumer killed before
that gets them again. Re-deliveries are recognised by the rule "one observation per datastream
and phenomenonTime" on this path (ADR 0059), so each message is stored once.

Back pressure: the network thread hands messages to a bounded queue; when the database is slow
the queue fills, the network thread waits, the TCP window closes and the broker keeps the rest.
A batch that fails with a database error is tried again (unacknowledged) until it is stored.
Messages that cannot be observations go to the dead-letter list and are acknowledged.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import paho.mqtt.client as mqtt
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from rathaus.opendata import ingest
from rathaus.opendata.models import DeadLetter, Observation
from rathaus.opendata.mqtt import messages
from rathaus.opendata.mqtt.broker import address

log = logging.getLogger("rathaus.opendata.mqtt")

CLIENT_ID = "rathaus-mqtt-consumer"
# Of a message that cannot be stored only this much is kept: anyone who may publish must not be
# able to fill the disk with large dead letters (a reading is a few hundred bytes).
MAX_STORED_PAYLOAD = 4 * 1024
# Datastreams per duplicate query (each adds one "datastream = … AND time IN (…)" term).
DATASTREAMS_PER_QUERY = 50


@dataclass(frozen=True)
class Delivery:
    """A message as received, with what is needed to acknowledge it."""

    mid: int
    qos: int
    topic: str
    payload: bytes
    received: datetime.datetime
    generation: int


@dataclass
class Counts:
    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    batches: int = 0
    retries: int = 0


@dataclass(frozen=True)
class Outcome:
    """What became of one batch."""

    stored: int
    duplicates: int
    dead: int
    dead_letters: list[DeadLetter] = field(default_factory=list)
    seconds: float = 0.0  # from taking the batch to its commit, retries included


class Consumer:
    """Subscribes to ``v1.1/#`` and stores what arrives; :meth:`run` until :meth:`stop`."""

    def __init__(
        self,
        url: str,
        *,
        batch_size: int = 1000,
        batch_milliseconds: int = 200,
        client_id: str = CLIENT_ID,
        on_batch: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.address = address(url)
        self.batch_size = batch_size
        self.batch_seconds = batch_milliseconds / 1000
        self.on_batch = on_batch
        self.counts = Counts()
        self.connected = threading.Event()
        self._stopping = threading.Event()
        self._queue: queue.Queue[Delivery] = queue.Queue(maxsize=2 * batch_size)
        self._lock = threading.Lock()
        self._generation = 0
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=MQTTProtocolVersion.MQTTv311,
            manual_ack=True,
        )
        if self.address.username:
            self.client.username_pw_set(self.address.username, self.address.password)
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message

    # --- the network thread ---------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        if reason_code.is_failure:
            log.warning("MQTT broker refused the connection: %s", reason_code)
            return
        with self._lock:
            self._generation += 1
        # Subscribe on every connection: a broker that lost its state (restarted without its
        # persistence file) no longer knows the subscription.
        client.subscribe(messages.SUBSCRIPTION, qos=1)
        log.info("connected to the MQTT broker, session present: %s", flags.session_present)
        self.connected.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):  # type: ignore[no-untyped-def]
        self.connected.clear()
        with self._lock:
            # Messages of the old connection cannot be acknowledged on the new one; the broker
            # delivers them again and the duplicate rule keeps them from being stored twice.
            self._generation += 1
        if not self._stopping.is_set():
            log.warning("lost the MQTT broker (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, message):  # type: ignore[no-untyped-def]
        delivery = Delivery(
            mid=message.mid,
            qos=message.qos,
            topic=message.topic,
            payload=message.payload,
            received=timezone.now(),
            generation=self._generation,
        )
        while not self._stopping.is_set():
            try:
                self._queue.put(delivery, timeout=0.5)
                return
            except queue.Full:
                continue  # back pressure: the broker keeps the rest meanwhile

    # --- the storing thread ---------------------------------------------------------------------

    def run(self) -> Counts:
        """Connect, then store batches until :meth:`stop` is called."""
        self.client.connect_async(self.address.host, self.address.port, keepalive=30)
        self.client.loop_start()
        try:
            while not self._stopping.is_set():
                batch = self._take()
                if batch:
                    self._handle(batch)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
        return self.counts

    def stop(self) -> None:
        self._stopping.set()

    def _take(self) -> list[Delivery]:
        try:
            first = self._queue.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.batch_seconds
        while len(batch) < self.batch_size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                batch.append(self._queue.get(timeout=remaining))
            except queue.Empty:
                break
        return batch

    def _handle(self, batch: list[Delivery]) -> None:
        pause = 0.2
        started = time.perf_counter()
        while True:
            try:
                outcome = store_batch(batch)
                break
            except DatabaseError as exc:
                # Nothing was acknowledged: keep the batch and try again, more slowly each time.
                self.counts.retries += 1
                log.warning("could not store a batch of %d messages: %s", len(batch), exc)
                if connection.connection is not None and not connection.is_usable():
                    connection.close()  # a lost server: the next query connects again
                if self._stopping.wait(pause):
                    return
                pause = min(pause * 2, 5.0)
        with self._lock:
            current = self._generation
        for delivery in batch:
            if delivery.generation == current:
                self.client.ack(delivery.mid, delivery.qos)
        self.counts.batches += 1
        self.counts.stored += outcome.stored
        self.counts.duplicates += outcome.duplicates
        self.counts.dead += outcome.dead
        if self.on_batch:
            self.on_batch(dataclasses.replace(outcome, seconds=time.perf_counter() - started))


def store_batch(batch: Sequence[Delivery]) -> Outcome:
    """Store a batch in one transaction: observations once each, the rest as dead letters."""
    readings: list[ingest.Reading] = []
    sources: list[Delivery] = []
    dead: list[DeadLetter] = []
    for delivery in batch:
        try:
            readings.append(messages.reading(delivery.topic, delivery.payload, delivery.received))
            sources.append(delivery)
        except messages.BadMessage as exc:
            dead.append(dead_letter(delivery, str(exc)))
        except Exception as exc:
            # A message the parser did not foresee must not stop the consumer: unacknowledged,
            # it would come back after every restart (a crash loop). It is set aside instead.
            log.exception("unexpected error while reading an MQTT message on %s", delivery.topic)
            dead.append(dead_letter(delivery, f"unreadable message ({type(exc).__name__})"))
    with transaction.atomic():
        readings, sources, duplicates = _without_duplicates(readings, sources)
        while readings:
            try:
                ingest.store(readings)
                break
            except ingest.Refused as refused:
                dead.append(dead_letter(sources[refused.index], refused.message))
                del readings[refused.index], sources[refused.index]
        stored = len(readings)
        DeadLetter.objects.bulk_create(dead)
    return Outcome(stored=stored, duplicates=duplicates, dead=len(dead), dead_letters=dead)


def dead_letter(delivery: Delivery, reason: str) -> DeadLetter:
    payload = delivery.payload[:MAX_STORED_PAYLOAD].decode("utf-8", errors="replace")
    if len(delivery.payload) > MAX_STORED_PAYLOAD:
        reason = (
            f"{reason} (message of {len(delivery.payload)} bytes cut to its first "
            f"{MAX_STORED_PAYLOAD} bytes)"
        )
    return DeadLetter(
        topic=delivery.topic[:500], payload=payload, error=reason, received_at=delivery.received
    )


def _without_duplicates(
    readings: list[ingest.Reading], sources: list[Delivery]
) -> tuple[list[ingest.Reading], list[Delivery], int]:
    """Drop readings whose (datastream, phenomenonTime) is stored already or came earlier in
    the batch: a message delivered again after a crash, or sent twice by a sensor."""
    times: dict[int | None, set[datetime.datetime]] = {}
    for reading in readings:
        times.setdefault(reading.datastream_id, set()).add(reading.phenomenon_time)
    stored: set[tuple[int | None, datetime.datetime]] = set()
    streams = list(times)
    for start in range(0, len(streams), DATASTREAMS_PER_QUERY):
        stored.update(
            _stored_keys({s: times[s] for s in streams[start : start + DATASTREAMS_PER_QUERY]})
        )
    kept_readings, kept_sources = [], []
    for reading, source in zip(readings, sources, strict=True):
        key = (reading.datastream_id, reading.phenomenon_time)
        if key in stored:
            continue
        stored.add(key)
        kept_readings.append(reading)
        kept_sources.append(source)
    return kept_readings, kept_sources, len(readings) - len(kept_readings)


def _stored_keys(
    times: dict[int | None, set[datetime.datetime]],
) -> set[tuple[int | None, datetime.datetime]]:
    """Which of these (datastream, phenomenonTime) pairs are stored already: one query in plain
    SQL (the ORM spent a third of this step building the query of a 1000-message batch)."""
    as_time = ingest.time_adapter()
    terms, params = [], []
    for datastream_id, stamps in times.items():
        terms.append(
            "(datastream_id = %s AND phenomenon_time_start IN ("
            + ", ".join(["%s"] * len(stamps)) + "))"
        )  # fmt: skip
        params.append(datastream_id)
        params.extend(as_time(stamp) for stamp in stamps)
    table = connection.ops.quote_name(Observation._meta.db_table)
    sql = f"SELECT datastream_id, id FROM {table} WHERE {' OR '.join(terms)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    if not found:
        return set()
    # The times as the ORM reads them (time zone, SQLite's text), to compare with the readings.
    return set(
        Observation.objects.filter(pk__in=[pk for _, pk in found]).values_list(
            "datastream_id", "phenomenon_time_start"
        )
    )


def unique_client_id(prefix: str = "rathaus") -> str:
    """A client id for a publisher (the simulator, tests): never the consumer's."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"

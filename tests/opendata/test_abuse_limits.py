"""Limits against abuse of the open data platform: the alert subscription form cannot be used to
flood an address with e-mails, unconfirmed subscriptions and dead letters do not pile up, and
the local demo broker does not take messages from the network."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from rathaus.core import housekeeping
from rathaus.core.models import OutgoingEmail
from rathaus.opendata import subscriptions
from rathaus.opendata.models import AlertSubscription, DeadLetter
from rathaus.opendata.mqtt import dead_letters
from rathaus.opendata.mqtt.broker import Broker, BrokerError, configuration, free_port
from rathaus.opendata.mqtt.consumer import Delivery, store_batch

# Subscribing locks rows and counts with the rate counters' UPDATE: run on PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]

FORM = "/daten/warnungen/"


def test_one_address_gets_at_most_one_confirmation_mail_per_hour_and_the_answer_is_the_same():
    client = Client()
    answers = [client.post(FORM, {"email": "opfer@example.org", "topic": topic})
               for topic in ("", "air", "groundwater", "")]  # fmt: skip
    assert {(a.status_code, a["Location"]) for a in answers} == {
        (302, "/daten/warnungen/gesendet/")
    }
    assert OutgoingEmail.objects.filter(to="opfer@example.org").count() == 1
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        client.post(FORM, {"email": "opfer@example.org", "topic": "air"})
    assert OutgoingEmail.objects.filter(to="opfer@example.org").count() == 2


@override_settings(RATHAUS_ALERT_SUBSCRIBE_LIMIT_PER_HOUR=3)
def test_one_client_address_may_post_the_form_only_so_often_per_hour():
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [client.post(FORM, {"email": f"p{n}@example.org", "topic": ""}).status_code
             for n in range(4)]  # fmt: skip
    assert codes == [302, 302, 302, 429]
    assert OutgoingEmail.objects.count() == 3
    assert Client(REMOTE_ADDR="203.0.113.10").get(FORM).status_code == 200


def test_unconfirmed_subscriptions_are_deleted_after_seven_days_by_housekeeping():
    now = timezone.now()
    old = AlertSubscription.objects.create(email="alt@example.org", token_hash="a" * 64,
                                           created_at=now - datetime.timedelta(days=8))  # fmt: skip
    AlertSubscription.objects.create(email="neu@example.org", token_hash="b" * 64,
                                     created_at=now - datetime.timedelta(days=6))  # fmt: skip
    AlertSubscription.objects.create(email="bestaetigt@example.org", token_hash="c" * 64,
                                     created_at=now - datetime.timedelta(days=30),
                                     confirmed_at=now - datetime.timedelta(days=29))  # fmt: skip
    jobs = {job.name: job for job in housekeeping.registered()}
    assert jobs["opendata.unconfirmed_subscriptions"].run is subscriptions.remove_unconfirmed
    assert subscriptions.remove_unconfirmed() == 1
    assert not AlertSubscription.objects.filter(pk=old.pk).exists()
    assert AlertSubscription.objects.count() == 2


def _letter(delivery_topic: str, payload: bytes) -> Delivery:
    return Delivery(mid=1, qos=1, topic=delivery_topic, payload=payload,
                    received=timezone.now(), generation=0)  # fmt: skip


def test_of_a_large_bad_message_only_the_first_four_kilobytes_are_kept_with_a_note():
    outcome = store_batch([_letter("v1.1/Datastreams(999999)/Observations", b"x" * 200_000)])
    letter = DeadLetter.objects.get()
    assert outcome.dead == 1
    assert len(letter.payload) == 4096
    assert "200000 bytes cut to its first 4096 bytes" in letter.error


def test_housekeeping_removes_old_resolved_dead_letters_and_keeps_a_bounded_number_of_open_ones(
    monkeypatch, caplog
):
    now = timezone.now()

    def make(days: float, resolved_days: float | None = None) -> DeadLetter:
        return DeadLetter.objects.create(
            topic="t", payload="p", error="e", received_at=now - datetime.timedelta(days=days),
            resolved_at=None if resolved_days is None
            else now - datetime.timedelta(days=resolved_days),
        )  # fmt: skip

    old_resolved = make(40, resolved_days=31)
    recent_resolved = make(10, resolved_days=5)
    monkeypatch.setattr(dead_letters, "MAX_OPEN", 3)
    open_ones = [make(days) for days in (5, 4, 3, 2, 1)]
    jobs = {job.name: job for job in housekeeping.registered()}
    assert jobs["opendata.dead_letters"].run is dead_letters.prune

    assert dead_letters.prune() == 3
    left = set(DeadLetter.objects.values_list("pk", flat=True))
    assert left == {recent_resolved.pk, *(letter.pk for letter in open_ones[2:])}
    assert old_resolved.pk not in left
    assert "Dropped the 2 oldest undeliverable MQTT messages" in caplog.text


def test_the_demo_broker_refuses_to_listen_on_the_network(tmp_path):
    with pytest.raises(BrokerError, match=r"docs/sensorthings-mqtt\.md"):
        Broker(tmp_path, free_port(), "0.0.0.0")  # noqa: S104 (what is refused)
    with pytest.raises(CommandError, match="only on this machine"):
        call_command("mqtt_broker", "--host", "192.0.2.1")
    config = configuration(tmp_path, 1883)
    assert "max_queued_messages 1000000" in config
    assert "max_queued_messages 0" not in config
    assert "max_queued_bytes 0" not in config

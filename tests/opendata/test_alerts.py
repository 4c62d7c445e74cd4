"""Alerts: thresholds checked against the newest values by the worker (every minute); one open
alert per threshold, ended when values are normal again; events and e-mails to subscribers."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import events, housekeeping
from rathaus.core.models import OutgoingEmail
from rathaus.opendata import alerts, ingest
from rathaus.opendata.events import AlertEnded, AlertRaised
from rathaus.opendata.models import Alert, AlertSubscription, Threshold, Topic
from tests.factories import DatastreamFactory

# The alert is locked when it ends (select_for_update): run on PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]

UTC = datetime.UTC
T0 = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def minutes(n: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=n)


def store(stream, *values: tuple[int, float]) -> None:
    ingest.store(
        [ingest.Reading(stream.pk, minutes(m), value) for m, value in values], now=minutes(600)
    )


def threshold(stream, **fields) -> Threshold:
    values = {"name": "EU-Grenzwert", "direction": "above", "value": 50.0, "minutes": 60}
    return Threshold.objects.create(datastream=stream, **(values | fields))


def subscriber(email: str, topic: str = "", confirmed: bool = True) -> AlertSubscription:
    return AlertSubscription.objects.create(
        email=email, topic=topic, token_hash=email.ljust(64, "x")[:64], created_at=T0,
        confirmed_at=T0 if confirmed else None,
    )  # fmt: skip


@pytest.fixture
def heard():
    seen: list = []
    with events.subscribed(AlertRaised, seen.append), events.subscribed(AlertEnded, seen.append):
        yield seen


def test_a_value_beyond_the_limit_for_the_minutes_opens_one_alert_from_the_first_value(
    heard, django_capture_on_commit_callbacks
):
    stream = DatastreamFactory(topic=Topic.AIR)
    rule = threshold(stream)
    store(stream, (0, 30.0), (30, 55.0), (60, 70.0), (90, 61.0))

    with django_capture_on_commit_callbacks(execute=True):
        first = alerts.evaluate()
        again = alerts.evaluate()

    alert = Alert.objects.get()
    assert (alert.threshold, alert.started_at, alert.ended_at) == (rule, minutes(30), None)
    assert (alert.peak, alert.last_value) == (70.0, 61.0)
    assert (first.raised, again.raised) == (1, 0)
    assert [type(event) for event in heard] == [AlertRaised]
    assert (heard[0].alert_id, heard[0].datastream_id, heard[0].topic, heard[0].value) == (
        alert.pk, stream.pk, "air", 61.0,
    )  # fmt: skip


def test_a_run_shorter_than_the_minutes_or_interrupted_raises_nothing():
    short = DatastreamFactory()
    threshold(short)
    store(short, (0, 30.0), (30, 55.0), (60, 70.0))  # beyond for 30 minutes only
    interrupted = DatastreamFactory()
    threshold(interrupted)
    store(interrupted, (0, 60.0), (30, 20.0), (60, 70.0), (100, 70.0))

    assert alerts.evaluate().raised == 0
    assert not Alert.objects.exists()


def test_a_threshold_without_minutes_raises_at_the_first_value_and_below_works_too():
    gauge = DatastreamFactory(topic=Topic.GROUNDWATER)
    threshold(gauge, direction="below", value=40.2, minutes=0)
    store(gauge, (0, 41.0), (10, 40.1))

    alerts.evaluate()

    alert = Alert.objects.get()
    assert (alert.started_at, alert.peak) == (minutes(10), 40.1)


def test_an_alert_ends_when_the_value_is_normal_again_and_a_new_one_may_open_later(
    heard, django_capture_on_commit_callbacks
):
    stream = DatastreamFactory()
    threshold(stream, minutes=0)
    store(stream, (0, 60.0))
    with django_capture_on_commit_callbacks(execute=True):
        alerts.evaluate()
    store(stream, (10, 80.0))
    assert alerts.evaluate().updated == 1
    store(stream, (20, 40.0))

    with django_capture_on_commit_callbacks(execute=True):
        assert alerts.evaluate().ended == 1

    ended = Alert.objects.get()
    assert (ended.ended_at, ended.peak) == (minutes(20), 80.0)
    assert [type(event) for event in heard] == [AlertRaised, AlertEnded]
    assert heard[1].peak == 80.0
    store(stream, (30, 90.0))
    alerts.evaluate()
    assert Alert.objects.count() == 2
    assert Alert.objects.filter(ended_at__isnull=True).get().started_at == minutes(30)


def test_an_open_alert_of_a_threshold_switched_off_ends():
    stream = DatastreamFactory()
    rule = threshold(stream, minutes=0)
    store(stream, (0, 60.0))
    alerts.evaluate()
    Threshold.objects.filter(pk=rule.pk).update(active=False)

    alerts.evaluate()

    assert Alert.objects.get().ended_at is not None


def test_confirmed_subscribers_of_the_topic_get_a_mail_with_an_unsubscribe_link():
    stream = DatastreamFactory(topic=Topic.AIR, thing__name="Magdeburg/West", demo=True)
    threshold(stream, minutes=0)
    subscriber("luft@example.org", "air")
    subscriber("alles@example.org", "")
    subscriber("wasser@example.org", "groundwater")
    subscriber("offen@example.org", "air", confirmed=False)
    store(stream, (0, 75.5))

    alerts.evaluate()

    sent = OutgoingEmail.objects.order_by("to")
    assert [mail.to for mail in sent] == ["alles@example.org", "luft@example.org"]
    mail = sent.get(to="luft@example.org")
    assert "Magdeburg/West" in mail.subject
    assert "75.5" in mail.text_body or "75,5" in mail.text_body
    assert "Demodaten" in mail.text_body
    path = re.search(r"http://testserver(/daten/warnungen/abmelden/\S+/)", mail.text_body)[1]
    client = Client()
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert not AlertSubscription.objects.filter(email="luft@example.org").exists()
    store(stream, (10, 10.0))
    alerts.evaluate()
    assert OutgoingEmail.objects.filter(to="alles@example.org").count() == 2
    assert OutgoingEmail.objects.filter(to="luft@example.org").count() == 1


def test_a_tampered_unsubscribe_link_changes_nothing():
    kept = subscriber("bleibt@example.org")

    response = Client().post("/daten/warnungen/abmelden/nicht-echt/")

    assert response.status_code == 404
    assert AlertSubscription.objects.filter(pk=kept.pk).exists()


def test_the_worker_checks_the_thresholds_every_minute():
    stream = DatastreamFactory()
    threshold(stream, minutes=0)
    store(stream, (0, 99.0))
    job = next(job for job in housekeeping.registered() if job.name == "opendata.alerts")

    ran = housekeeping.run_due(timezone.now())

    assert job.every == datetime.timedelta(minutes=1)
    assert "opendata.alerts" in ran
    assert Alert.objects.filter(ended_at__isnull=True).count() == 1

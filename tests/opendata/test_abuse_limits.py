"""Limits against abuse of the open data platform: the alert subscription form cannot be used to
flood an address with e-mails, unconfirmed subscriptions and dead letters do not pile up, and
the local demo broker does not take messages from the network."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from rathaus.core import housekeeping
from rathaus.core.models import OutgoingEmail
from rathaus.opendata import subscriptions
from rathaus.opendata.models import AlertSubscription

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

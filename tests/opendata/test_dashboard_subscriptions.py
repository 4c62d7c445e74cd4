"""Alerts by e-mail with double opt-in: form → confirmation e-mail → confirmed by a button."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from rathaus.core.models import OutgoingEmail
from rathaus.opendata.models import AlertSubscription

# Subscribing locks the subscription (select_for_update): run on PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]


def confirmation_path(email: str) -> str:
    text = OutgoingEmail.objects.filter(to=email).latest("id").text_body
    return re.search(r"http://testserver(/daten/warnungen/bestaetigen/[\w-]+/)", text)[1]


def test_a_subscription_is_confirmed_by_the_link_in_the_mail_and_only_by_a_post():
    client = Client()
    form = client.get("/daten/warnungen/?thema=groundwater").content.decode()
    assert '<option value="groundwater" selected>' in form

    response = client.post(
        "/daten/warnungen/", {"email": "Anna@Example.org", "topic": "groundwater"}
    )

    assert response.status_code == 302
    assert "Bitte bestätigen Sie" in client.get(response["Location"]).content.decode()
    subscription = AlertSubscription.objects.get()
    assert (subscription.email, subscription.topic, subscription.confirmed_at) == (
        "anna@example.org", "groundwater", None,
    )  # fmt: skip
    mail = OutgoingEmail.objects.get(to="anna@example.org")
    assert "Grundwasser" in mail.text_body
    path = confirmation_path("anna@example.org")
    assert client.get(path).status_code == 200  # a mail scanner opening the link confirms nothing
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    confirmed = client.post(path)
    assert confirmed.status_code == 200
    assert "Ihr Abonnement ist bestätigt" in confirmed.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_a_wrong_address_is_shown_next_to_the_field_and_in_the_summary():
    response = Client().post("/daten/warnungen/", {"email": "keine-adresse", "topic": "luft?"})

    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="error-summary"' in html
    assert 'href="#id_email"' in html
    assert 'href="#id_topic"' in html
    assert 'aria-invalid="true"' in html
    assert 'value="keine-adresse"' in html  # nothing typed is lost
    assert not AlertSubscription.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_subscribing_again_sends_a_new_link_and_keeps_one_subscription():
    client = Client()
    client.post("/daten/warnungen/", {"email": "b@example.org", "topic": ""})
    first = confirmation_path("b@example.org")
    # One confirmation e-mail per address and hour (tests/opendata/test_abuse_limits.py).
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        client.post("/daten/warnungen/", {"email": "b@example.org", "topic": ""})

    assert AlertSubscription.objects.count() == 1
    assert client.post(first).status_code == 404  # the old link is replaced
    assert client.post(confirmation_path("b@example.org")).status_code == 200


def test_an_unknown_or_expired_link_confirms_nothing():
    client = Client()
    client.post("/daten/warnungen/", {"email": "c@example.org", "topic": "air"})
    path = confirmation_path("c@example.org")
    AlertSubscription.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))

    assert client.post(path).status_code == 404
    assert client.post("/daten/warnungen/bestaetigen/unbekannt/").status_code == 404
    assert AlertSubscription.objects.get().confirmed_at is None


def test_the_confirmation_link_leads_to_the_site_the_form_was_sent_to(settings):
    # RATHAUS_PUBLIC_URL left at a development default must not end up in the mail
    settings.RATHAUS_PUBLIC_URL = "http://localhost:8000"

    Client().post("/daten/warnungen/", {"email": "ben@example.org", "topic": ""})

    text = OutgoingEmail.objects.get(to="ben@example.org").text_body
    assert "http://testserver/daten/warnungen/bestaetigen/" in text
    assert "localhost:8000" not in text
    assert "Warnungen zu allen Themen" in text

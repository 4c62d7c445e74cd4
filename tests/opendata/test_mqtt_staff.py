"""The dead-letter page (/verwaltung/sensordaten/fehler/): administrators see each message with
its reason, try it again once the cause is fixed, or discard it; clerks may not."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client

from rathaus.opendata.models import DeadLetter, Observation
from rathaus.opendata.mqtt import dead_letters, messages
from tests.factories import DatastreamFactory
from tests.support import log_in

pytestmark = pytest.mark.django_db
URL = "/verwaltung/sensordaten/fehler/"
RECEIVED = datetime.datetime(2026, 12, 7, 7, 30, tzinfo=datetime.UTC)


def letter(topic: str, payload: str, error: str = "there is no Datastream(999)") -> DeadLetter:
    return DeadLetter.objects.create(
        topic=topic, payload=payload, error=error, received_at=RECEIVED
    )


def test_a_message_tried_again_after_its_datastream_exists_is_stored():
    stream = DatastreamFactory()
    waiting = letter(messages.topic_for(stream.pk), '{"result": 4.5}')

    assert dead_letters.retry(waiting) is None

    stored = Observation.objects.get(datastream=stream)
    # Without a phenomenonTime the message's time of receipt counts, not the time of the retry.
    assert (stored.result_number, stored.phenomenon_time_start) == (4.5, RECEIVED)
    assert DeadLetter.objects.get(pk=waiting.pk).resolved_at is not None


def test_a_message_that_still_fails_keeps_waiting_with_the_new_reason():
    waiting = letter(messages.topic_for(123456), '{"result": 4.5}', error="old reason")

    assert "no Datastream(123456)" in dead_letters.retry(waiting)

    waiting.refresh_from_db()
    assert waiting.resolved_at is None
    assert "no Datastream(123456)" in waiting.error


def test_administrators_see_try_again_and_discard_on_the_staff_page(barleben):
    stream = DatastreamFactory()
    broken = letter("v1.1/Datastreams(1)/Observations", "kaputt", "the message is not JSON")
    fixable = letter(messages.topic_for(stream.pk), json.dumps({"result": 1.5}))
    administrator = log_in(Client(), "digitales")

    page = administrator.get(URL).content.decode()
    assert "Navigation der Verwaltung" in page
    assert ">Sensordaten</a>" in page
    assert "kaputt" in page
    assert "the message is not JSON" in page

    response = administrator.post(URL, {"nachricht": fixable.pk, "aktion": "erneut"}, follow=True)
    assert "als Messung gespeichert" in response.content.decode()
    assert Observation.objects.filter(datastream=stream).count() == 1

    response = administrator.post(URL, {"nachricht": broken.pk, "aktion": "erneut"}, follow=True)
    assert "kann noch immer nicht gespeichert werden" in response.content.decode()

    response = administrator.post(URL, {"nachricht": broken.pk, "aktion": "verwerfen"}, follow=True)
    assert "verworfen" in response.content.decode()
    assert not dead_letters.open_letters().exists()
    assert "Keine Nachricht wartet." in administrator.get(URL).content.decode()

    response = administrator.post(URL, {"nachricht": broken.pk, "aktion": "verwerfen"}, follow=True)
    assert "gibt es nicht" in response.content.decode()


def test_clerks_may_not_open_the_page_nor_act(barleben):
    waiting = letter("v1.1/Datastreams(1)/Observations", "kaputt")
    clerk = log_in(Client(), "buergerbuero")

    assert clerk.get(URL).status_code == 403
    assert clerk.post(URL, {"nachricht": waiting.pk, "aktion": "verwerfen"}).status_code == 403
    assert ">Sensordaten</a>" not in clerk.get("/verwaltung/").content.decode()
    assert DeadLetter.objects.get(pk=waiting.pk).resolved_at is None


def test_anonymous_visitors_are_sent_to_the_login():
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")

"""The staff page of the thresholds (/verwaltung/sensordaten/schwellenwerte/): administrators
add and change thresholds there; clerks may not."""

from __future__ import annotations

from django.test import Client

from rathaus.opendata.models import Threshold
from tests.factories import DatastreamFactory
from tests.factories.opendata import AlertFactory, ThresholdFactory
from tests.support import log_in

LIST = "/verwaltung/sensordaten/schwellenwerte/"


def test_an_administrator_adds_and_changes_a_threshold(barleben):
    stream = DatastreamFactory(name="PM10 Stundenwert", thing__name="Magdeburg/West")
    admin = log_in(Client(), "digitales")
    home = admin.get("/verwaltung/").content.decode()
    assert 'href="/verwaltung/sensordaten/schwellenwerte/"' in home
    assert "Magdeburg/West: PM10 Stundenwert" in admin.get(f"{LIST}neu/").content.decode()

    wrong = admin.post(f"{LIST}neu/", {"datastream": stream.pk, "name": "", "direction": "above",
                                       "value": "viel", "minutes": "-5"})  # fmt: skip
    assert wrong.status_code == 422
    assert 'id="error-summary"' in wrong.content.decode()
    assert not Threshold.objects.filter(datastream=stream).exists()

    saved = admin.post(f"{LIST}neu/", {"datastream": stream.pk, "name": "EU-Grenzwert",
                                       "statistic": "value", "direction": "above", "value": "50",
                                       "minutes": "60",
                                       "active": "on"})  # fmt: skip
    assert saved["Location"] == LIST
    threshold = Threshold.objects.get(datastream=stream)
    assert (threshold.value, threshold.minutes, threshold.active) == (50.0, 60, True)
    AlertFactory(threshold=threshold)
    listing = admin.get(LIST).content.decode()
    assert "EU-Grenzwert" in listing
    assert "<strong>offen</strong>" in listing

    admin.post(f"{LIST}{threshold.pk}/", {"datastream": stream.pk, "name": "EU-Grenzwert",
                                          "statistic": "value", "direction": "above",
                                          "value": "40", "minutes": "0"})  # fmt: skip
    threshold.refresh_from_db()
    assert (threshold.value, threshold.minutes, threshold.active) == (40.0, 0, False)
    assert admin.get(f"{LIST}999999/").status_code == 404


def test_a_clerk_may_not_keep_thresholds(barleben):
    threshold = ThresholdFactory()
    clerk = log_in(Client(), "buergerbuero")

    assert clerk.get(LIST).status_code == 403
    assert clerk.post(f"{LIST}{threshold.pk}/", {"name": "weg"}).status_code == 403
    assert "/verwaltung/sensordaten/" not in clerk.get("/verwaltung/").content.decode()
    assert Client().get(LIST).status_code == 302  # to the login

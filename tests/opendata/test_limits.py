"""Limits apply to what the law says (a single value, the daily or the annual mean), and the
pages and alerts compare them with that value; values and limits read so that their comparison
is visible; the staff pages word durations and choices plainly."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core.models import OutgoingEmail
from rathaus.opendata import alerts, dashboard, ingest, limits
from rathaus.opendata.models import Aggregate, Alert, AlertSubscription, Threshold, Topic
from tests.factories import DatastreamFactory
from tests.factories.opendata import AggregateFactory, ThresholdFactory
from tests.support import log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]

DAY, YEAR = Threshold.Statistic.DAILY_MEAN, Threshold.Statistic.ANNUAL_MEAN
LIST = "/verwaltung/sensordaten/schwellenwerte/"
# 12:00 in Berlin on a summer day
NOW = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)
TODAY = limits.day_start(NOW)


def pm(name: str = "PM10", topic: str = Topic.AIR, symbol: str = "µg/m³"):
    return DatastreamFactory(
        topic=topic, thing__name="Magdeburg/West", observed_property__name=name,
        unit_of_measurement={"name": "unit", "symbol": symbol, "definition": ""},
    )  # fmt: skip


def store(stream, *pairs: tuple[datetime.datetime, float], now: datetime.datetime = NOW) -> None:
    readings = [ingest.Reading(stream.pk, time, value) for time, value in pairs]
    ingest.store(readings, now=now)


def at(minutes: int) -> datetime.datetime:
    return TODAY + datetime.timedelta(minutes=minutes)


def page(path: str) -> str:
    response = Client().get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_daily_mean_limit_is_compared_with_the_mean_of_today_not_with_the_newest_hour():
    stream = pm()
    ThresholdFactory(datastream=stream, statistic=DAY, minutes=0, name="EU-Grenzwert")
    # yesterday's high value does not count; today: 20, 20, then one hour of 80
    store(stream, (at(-60), 500.0), (at(60), 20.0), (at(120), 20.0), (at(180), 80.0))

    station = dashboard.stations(None, Topic.AIR, now=NOW)[0]

    assert (station.value, station.compared, station.beyond) == (80.0, 40.0, False)
    assert station.limit_text == "Tagesmittel höchstens 50 µg/m³"
    assert station.mean_text == "Tagesmittel heute bisher: 40,0 µg/m³"
    assert station.status_text == "Tagesmittel bisher im Rahmen des Grenzwerts"


def test_the_air_page_words_the_limit_as_the_law_does_and_does_not_call_one_hour_beyond_it():
    stream = pm()
    ThresholdFactory(datastream=stream, statistic=DAY, minutes=0, name="EU-Grenzwert")
    now = timezone.now()
    today = limits.day_start(now)
    store(stream, (today, 20.0), (today + datetime.timedelta(seconds=1), 62.0), now=now)

    html = page("/daten/luft/")

    assert "Tagesmittel höchstens 50 µg/m³" in html
    assert "(EU-Grenzwert)" in html
    assert "Tagesmittel heute bisher: 41,0 µg/m³" in html
    assert "über dem Grenzwert" not in html
    assert "über dem Grenzwert" not in page("/daten/")
    detail = page(f"/daten/luft/{stream.pk}/")
    assert "Der Grenzwert gilt für den Mittelwert eines Tages." in detail
    assert "Tagesmittel bisher im Rahmen des Grenzwerts" in detail


def test_an_annual_mean_limit_uses_the_daily_aggregates_of_this_year_and_todays_values():
    stream = pm("PM2.5")
    ThresholdFactory(datastream=stream, statistic=YEAR, value=25.0, minutes=0)
    day = Aggregate.Period.DAY
    march = limits.year_start(NOW) + datetime.timedelta(days=60)
    AggregateFactory(datastream=stream, period=day, start=march, count=10, total=300.0)
    last_year = limits.year_start(NOW) - datetime.timedelta(days=1)
    AggregateFactory(datastream=stream, period=day, start=last_year, count=10, total=9000.0)
    # today's aggregate (made from the hours so far) is not counted twice: today's raw values are
    AggregateFactory(datastream=stream, period=day, start=TODAY, count=2, total=20.0)
    store(stream, (at(60), 10.0), (at(120), 10.0))

    station = dashboard.stations(None, Topic.AIR, now=NOW)[0]

    assert station.compared == pytest.approx(320 / 12)
    assert station.beyond  # the newest value (10) is within; the annual mean is not
    assert station.limit_text == "Jahresmittel höchstens 25 µg/m³"
    assert station.status_text == "Jahresmittel bisher über dem Grenzwert"


def test_alerts_of_a_daily_mean_open_on_the_mean_and_end_when_a_new_day_has_no_values():
    mean_rule = ThresholdFactory(datastream=pm(), statistic=DAY, minutes=0)
    store(mean_rule.datastream, (at(60), 40.0), (at(120), 80.0))  # newest beyond, mean 60
    single = ThresholdFactory(datastream=pm("NO2"), value=200.0, minutes=0)
    AlertSubscription.objects.create(
        email="a@example.org", token_hash="a" * 64, created_at=NOW, confirmed_at=NOW
    )
    store(single.datastream, (at(60), 150.0), (at(120), 90.0))

    alerts.evaluate(now=NOW)

    alert = Alert.objects.get()
    assert (alert.threshold, alert.started_at, alert.last_value) == (mean_rule, at(120), 60.0)
    mail = OutgoingEmail.objects.get()
    assert "Der Grenzwert gilt für das Tagesmittel" in mail.text_body

    store(mean_rule.datastream, (at(180), 30.0))  # mean 50: not above 50
    alerts.evaluate(now=NOW)
    assert Alert.objects.get().ended_at == at(180)

    store(mean_rule.datastream, (at(240), 130.0))  # mean 70
    alerts.evaluate(now=NOW)
    reopened = Alert.objects.get(ended_at__isnull=True)
    alerts.evaluate(now=NOW + datetime.timedelta(days=1))  # tomorrow, no values yet
    reopened.refresh_from_db()
    assert reopened.ended_at == TODAY + datetime.timedelta(days=1)


def test_a_single_value_hardly_beyond_the_limit_shows_the_decimals_that_make_it_so():
    gauge = pm("Grundwasserstand", Topic.GROUNDWATER, "m")
    ThresholdFactory(datastream=gauge, value=46.4, minutes=0, name="Hoher Grundwasserstand")
    now = timezone.now()
    store(gauge, (now - datetime.timedelta(minutes=5), 46.43), now=now)

    html = page("/daten/grundwasser/")

    assert "46,43 m" in html
    assert "Messwert höchstens 46,40 m" in html
    assert "über dem Grenzwert" in html
    assert limits.decimals(46.3, 46.4) == 1
    assert limits.decimals(46.36, 46.4) == 2  # "46,4" would read as the limit itself
    assert limits.decimals(46.404, 46.4) == 3


def test_the_staff_form_starts_empty_and_the_list_words_durations(barleben):
    stream = pm()
    admin = log_in(Client(), "digitales")

    form = admin.get(f"{LIST}neu/").content.decode()
    assert form.count('<option value="" selected>Bitte wählen</option>') == 3
    assert "---------" not in form
    assert "jeder Wert während dieser Zeit" in form

    mean_with_minutes = admin.post(f"{LIST}neu/", {
        "datastream": stream.pk, "name": "EU-Grenzwert", "statistic": DAY,
        "direction": "above", "value": "50", "minutes": "60", "active": "on"})  # fmt: skip
    assert mean_with_minutes.status_code == 422
    assert "bei einem Tages- oder Jahresmittel 0 Minuten" in mean_with_minutes.content.decode()
    missing = admin.post(f"{LIST}neu/", {"datastream": stream.pk, "name": "x", "value": "50",
                                         "minutes": "0"})  # fmt: skip
    assert missing.status_code == 422
    assert not Threshold.objects.filter(datastream=stream).exists()

    ThresholdFactory(datastream=stream, name="Jahr", statistic=YEAR, minutes=0)
    ThresholdFactory(datastream=stream, name="Stunden", minutes=360)
    ThresholdFactory(datastream=stream, name="Tag", minutes=24 * 60)
    ThresholdFactory(datastream=stream, name="Sofort", minutes=0)
    listing = admin.get(LIST).content.decode()
    for text in ("6 Stunden", "1 Tag", "entfällt bei Mittelwerten",
                 "ab dem ersten Wert jenseits des Grenzwerts", "keine offene Warnung",
                 "Jahresmittel höchstens 50"):  # fmt: skip
        assert text in listing
    assert "Minuten</td>" not in listing

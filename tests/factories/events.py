"""Factories for the events of the Digitalwerkstatt: events, series, cancelled dates and
registrations."""

from __future__ import annotations

import datetime as dt
import secrets

import factory

from rathaus.events.models import Audience, Event, Kind, Registration, Series, SeriesException
from rathaus.events.services import token_hash


def _in_days(days: int, hour: int) -> dt.datetime:
    base = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour) + dt.timedelta(days=days)


class CourseFactory(factory.django.DjangoModelFactory):
    """A published course in a week with twelve places."""

    class Meta:
        model = Event

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    title = factory.Sequence(lambda n: f"Smartphone-Kurs {n}")
    description = "Telefonieren, Fotos und Nachrichten – Schritt für Schritt."
    kind = Kind.COURSE
    audience = Audience.SENIORS
    place_name = "Digitalwerkstatt Villa 147"
    room = "1. Etage (Festsaal)"
    street = "Breiteweg 147"
    postal_code = "39179"
    city = "Barleben"
    registration_required = True
    capacity = 12
    max_places = 2
    starts_at = factory.LazyFunction(lambda: _in_days(7, 9))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    state = Event.State.PUBLISHED


class SeriesFactory(factory.django.DjangoModelFactory):
    """Open hours every Tuesday and Thursday 15–18 Uhr for four weeks, without registration."""

    class Meta:
        model = Series

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    title = "Offene Sprechzeit Digitalwerkstatt"
    kind = Kind.OPEN_HOURS
    audience = Audience.ALL
    place_name = "Digitalwerkstatt Villa 147"
    street = "Breiteweg 147"
    postal_code = "39179"
    city = "Barleben"
    registration_required = False
    capacity = None
    weekdays = factory.LazyFunction(lambda: [1, 3])
    start_time = dt.time(15)
    end_time = dt.time(18)
    first_day = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=1))
    last_day = factory.LazyAttribute(lambda o: o.first_day + dt.timedelta(days=27))


class SeriesExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesException

    series = factory.SubFactory(SeriesFactory)
    day = factory.LazyAttribute(lambda o: o.series.first_day)
    reason = "Feiertag"


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration for one place."""

    class Meta:
        model = Registration

    event = factory.SubFactory(CourseFactory)
    name = factory.Sequence(lambda n: f"Gisela Beispiel {n}")
    email = factory.Sequence(lambda n: f"teilnehmer{n}@example.org")
    places = 1
    consent_text = "Ich bin einverstanden."
    status = Registration.Status.REGISTERED
    token_hash = factory.LazyFunction(lambda: token_hash(secrets.token_urlsafe(16)))
    confirmed_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))

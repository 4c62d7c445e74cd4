"""The public appointment statistics /termine/statistik.csv (ADR 0064): counts per month,
location and service, only of publicly bookable services, rows with fewer than 3 bookings left
out, other small counts shown as "<3", only this portal's bookings."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.appointments import open_data
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Booking
from rathaus.core import datasets
from tests.factories.appointments import (
    AppointmentTypeFactory,
    BookingFactory,
    BookingItemFactory,
    LocationFactory,
    ResourceFactory,
)
from tests.factories.core import AuthorityFactory, AuthorityHostFactory

pytestmark = pytest.mark.django_db

HOST = "stadt-a.localhost"
URL = "/termine/statistik.csv"


@pytest.fixture
def town():
    town = AuthorityFactory(slug="stadt-a")
    AuthorityHostFactory(authority=town, hostname=HOST)
    return town


def _last_month(day: int, hour: int = 10) -> dt.datetime:
    first = timezone.localdate(timezone=TZ).replace(day=1)
    previous = first - dt.timedelta(days=1)
    return dt.datetime(previous.year, previous.month, day, hour, tzinfo=TZ)


def _book(kind, start, count, **fields):
    for index in range(count):
        BookingFactory(appointment_type=kind, start=start + dt.timedelta(minutes=index), **fields)


@pytest.fixture
def bookings(town):
    office = LocationFactory(authority=town, name="Bürgerbüro")
    passport = AppointmentTypeFactory(location=office, name="Personalausweis")
    registration = AppointmentTypeFactory(location=office, name="Ummeldung")
    ResourceFactory(location=office, appointment_types=[passport, registration])
    start = _last_month(10)
    _book(passport, start, 4, attendance=Booking.Attendance.DONE)
    _book(passport, start, 1, attendance=Booking.Attendance.NO_SHOW)
    _book(passport, start, 2, status=Booking.Status.CANCELLED)
    _book(passport, start, 3, status=Booking.Status.EXPIRED)  # never a booking
    _book(passport, timezone.now(), 5)  # this month: not over yet
    _book(passport, start - dt.timedelta(days=400), 5)  # older than twelve months
    combined = BookingFactory(appointment_type=passport, start=start)
    BookingItemFactory(booking=combined, appointment_type=passport, position=0)
    BookingItemFactory(booking=combined, appointment_type=registration, position=1)
    other = AppointmentTypeFactory(location=LocationFactory(name="Anderswo"))
    _book(other, start, 4)
    return start


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_counts_per_month_location_and_service_with_small_counts_suppressed(bookings):
    response = Client(HTTP_HOST=HOST).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="termine-stadt-a.csv"' in response["Content-Disposition"]
    month = f"{bookings:%Y-%m}"
    assert _rows(response) == [
        ["Monat", "Standort", "Leistung", "Gebuchte Termine", "Abgesagt", "Wahrgenommen",
         "Nicht erschienen"],
        # 4 kept, 1 no-show and the combined booking: 6 booked; 2 cancelled
        [month, "Bürgerbüro", "Personalausweis", "6", "<3", "4", "<3"],
        # Ummeldung: booked once (in the combined booking) — the whole row is left out
    ]  # fmt: skip


def test_services_citizens_cannot_book_publicly_are_left_out(town, bookings):
    office = LocationFactory(authority=town, name="Sozialamt")
    counselling = AppointmentTypeFactory(location=office, name="Schuldnerberatung")
    ResourceFactory(location=office, appointment_types=[counselling], active=False)
    staff_only = AppointmentTypeFactory(location=office, name="Personalgespräch")
    _book(counselling, bookings, 5, attendance=Booking.Attendance.DONE)
    _book(staff_only, bookings, 4)
    combined = BookingFactory(appointment_type=counselling, start=bookings)
    BookingItemFactory(booking=combined, appointment_type=counselling, position=0)
    passport = AppointmentType.objects.get(name="Personalausweis")
    BookingItemFactory(booking=combined, appointment_type=passport, position=1)

    text = Client(HTTP_HOST=HOST).get(URL).content.decode("utf-8")

    assert "Schuldnerberatung" not in text
    assert "Personalgespräch" not in text
    assert "Sozialamt" not in text
    # the public service of the combined booking still counts
    assert f"{bookings:%Y-%m};Bürgerbüro;Personalausweis;6;" in text


def test_only_small_or_internal_counts_publish_nothing(town):
    office = LocationFactory(authority=town, name="Bürgerbüro")
    passport = AppointmentTypeFactory(location=office, name="Personalausweis")
    ResourceFactory(location=office, appointment_types=[passport])
    internal = AppointmentTypeFactory(location=office, name="Intern")
    _book(passport, _last_month(10), 2)
    _book(internal, _last_month(11), 5)
    source = datasets.get("appointments.statistics")

    assert Client(HTTP_HOST=HOST).get(URL).status_code == 404
    assert not source.applies(town)
    assert source.distributions(town) == []


def test_nothing_to_show_or_no_authority_is_not_found(town, settings):
    assert Client(HTTP_HOST=HOST).get(URL).status_code == 404
    settings.RATHAUS_DEFAULT_AUTHORITY = "gibt-es-nicht"
    assert Client(HTTP_HOST="unbekannt.localhost").get(URL).status_code == 404


def test_the_period_is_the_twelve_months_before_this_one():
    start, end = open_data.period(dt.date(2026, 1, 15))
    assert (start, end) == (
        dt.datetime(2025, 1, 1, tzinfo=TZ),
        dt.datetime(2026, 1, 1, tzinfo=TZ),
    )


def test_the_source_applies_only_with_bookings_and_names_their_newest_change(town, bookings):
    source = datasets.get("appointments.statistics")
    assert source is not None
    [distribution] = source.distributions(town)
    assert distribution.path == URL
    modified = source.modified(town)
    assert modified is not None
    assert modified <= timezone.now()
    assert source.applies(town)
    other = AuthorityFactory()
    assert not source.applies(other)
    assert source.distributions(other) == []

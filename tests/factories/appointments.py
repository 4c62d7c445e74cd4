"""Factories for appointment booking: locations, types, desks, bookings and waiting numbers.

Bookings are written as rows, without the occupancy cells the booking service takes; tests of
availability book through the pages or ``rathaus.appointments.services`` instead.
"""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from rathaus.appointments.models import (
    AppointmentType,
    Block,
    Booking,
    BookingItem,
    Closure,
    Location,
    NoShowCount,
    Occupancy,
    OpeningHours,
    PersonQuota,
    PhoneQuota,
    Resource,
    Ticket,
    WaitingListEntry,
)
from tests.factories.core import AuthorityFactory, UserFactory, now, sha256_of


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    """Tomorrow at the given local time (Europe/Berlin), as an aware datetime."""
    day = timezone.localdate() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    authority = factory.SubFactory(AuthorityFactory)
    slug = factory.Sequence(lambda n: f"standort-{n}")
    name = factory.Sequence(lambda n: f"Bürgerbüro Beispielstadt {n}")
    street = "Marktplatz 1"
    postal_code = "39179"
    city = "Beispielstadt"
    room = "Erdgeschoss, Zimmer 3"
    accessibility = "Barrierefreier Zugang über den Hof."
    min_lead_minutes = 0


class AppointmentTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentType

    location = factory.SubFactory(LocationFactory)
    slug = factory.Sequence(lambda n: f"ausweis-{n}")
    name = "Personalausweis beantragen"
    duration_minutes = 30
    buffer_minutes = 5
    documents = "Biometrisches Passfoto, bisheriger Ausweis"


class ResourceFactory(factory.django.DjangoModelFactory):
    """A desk; ``appointment_types=[...]`` sets what it serves."""

    class Meta:
        model = Resource
        skip_postgeneration_save = True

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Schalter {n}")

    @factory.post_generation
    def appointment_types(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.appointment_types.set(extracted)


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    resource = factory.SubFactory(ResourceFactory)
    weekday = OpeningHours.Weekday.TUESDAY
    start = datetime.time(8, 0)
    end = datetime.time(12, 0)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    location = factory.SubFactory(LocationFactory)
    date = factory.LazyFunction(lambda: datetime.date(timezone.localdate().year, 12, 24))
    reason = "Heiligabend"


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed appointment tomorrow at 9:00 on a desk of its own."""

    class Meta:
        model = Booking

    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    location = factory.SelfAttribute("appointment_type.location")
    resource = factory.SubFactory(ResourceFactory, location=factory.SelfAttribute("..location"))
    start = factory.LazyFunction(lambda: tomorrow_at(9))
    end = factory.LazyAttribute(
        lambda o: o.start + datetime.timedelta(minutes=o.appointment_type.duration_minutes)
    )
    blocked_until = factory.LazyAttribute(
        lambda o: o.end + datetime.timedelta(minutes=o.appointment_type.buffer_minutes)
    )
    status = Booking.Status.CONFIRMED
    name = "Ilse Beispiel"
    email = factory.Sequence(lambda n: f"ilse{n}@example.org")
    phone = "039203 12345"
    token_hash = factory.Sequence(lambda n: sha256_of(f"booking-{n}"))
    confirmed_at = factory.LazyFunction(now)


class BookingItemFactory(factory.django.DjangoModelFactory):
    """The first service of a combined booking (the booking's own appointment type)."""

    class Meta:
        model = BookingItem

    booking = factory.SubFactory(BookingFactory)
    appointment_type = factory.SelfAttribute("booking.appointment_type")
    position = 0


class OccupancyFactory(factory.django.DjangoModelFactory):
    """The first cell of a booking."""

    class Meta:
        model = Occupancy

    booking = factory.SubFactory(BookingFactory)
    resource = factory.SelfAttribute("booking.resource")
    start = factory.SelfAttribute("booking.start")


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    resource = factory.SubFactory(ResourceFactory)
    start = factory.LazyFunction(lambda: tomorrow_at(13))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=1))
    reason = "Teambesprechung"
    created_by = factory.SubFactory(UserFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    """A walk-in waiting number (W1, W2, …) for today."""

    class Meta:
        model = Ticket

    location = factory.SubFactory(LocationFactory)
    day = factory.LazyFunction(timezone.localdate)
    series = Ticket.WALK_IN
    number = factory.Sequence(lambda n: n + 1)
    created_at = factory.LazyFunction(now)


class NoShowCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoShowCount

    authority = factory.SubFactory(AuthorityFactory)
    email = factory.Sequence(lambda n: f"kim{n}@example.org")
    count = 1
    last_at = factory.LazyFunction(now)


class WaitingListEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitingListEntry

    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    name = "Kim Muster"
    email = factory.Sequence(lambda n: f"kim.muster{n}@example.org")
    status = WaitingListEntry.Status.WAITING
    token_hash = factory.Sequence(lambda n: sha256_of(f"waiting-{n}"))
    portal_url = "https://gemeinde.example.org"
    language = "de"
    confirmed_at = factory.LazyFunction(now)


class PersonQuotaFactory(factory.django.DjangoModelFactory):
    """One active booking of an e-mail address for a type (addresses are kept lower case)."""

    class Meta:
        model = PersonQuota

    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    email = factory.Sequence(lambda n: f"ilse{n}@example.org")
    active = 1


class PhoneQuotaFactory(factory.django.DjangoModelFactory):
    """One active booking of a phone number for a type (numbers are kept as +49…)."""

    class Meta:
        model = PhoneQuota

    appointment_type = factory.SubFactory(AppointmentTypeFactory)
    phone = factory.Sequence(lambda n: f"+4939203{n:05d}")
    active = 1

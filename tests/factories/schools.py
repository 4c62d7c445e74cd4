"""Factories for the school IT: schools, rooms, devices, loans, teachers and requests."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from rathaus.schools.models import (
    CareRecord,
    Device,
    Loan,
    RequestEvent,
    Room,
    School,
    SupportRequest,
    Teacher,
)

TEACHER_PASSWORD = "Tafel-Kreide-2026!"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    name = factory.Sequence(lambda n: f"Grundschule {n}")
    code = factory.Sequence(lambda n: f"schule-{n}")
    street = "Schulstraße 1"
    postal_code = "39179"
    city = "Barleben"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Raum {n}")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    school = factory.SubFactory(SchoolFactory)
    kind = Device.Kind.IPAD
    model_name = "iPad 10,2″"
    serial = factory.Sequence(lambda n: f"DMPX{n:06d}")
    inventory_number = factory.Sequence(lambda n: f"INV-{n:05d}")
    purchase_date = dt.date(2021, 3, 1)
    price_cents = 39900
    funding_source = "DigitalPakt Schule"
    warranty_end = dt.date(2026, 3, 1)


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    device = factory.SubFactory(DeviceFactory, state=Device.State.LENT)
    pupil = "Mia Beispiel"
    school_class = "5a"
    guardian = "Maria Beispiel"


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Lehrkraft {n}")
    user = factory.LazyAttribute(
        lambda o: get_user_model().objects.create_user(
            username=f"{o.name.replace(' ', '').lower()}@schule.example",
            email=f"{o.name.replace(' ', '').lower()}@schule.example",
            password=TEACHER_PASSWORD,
        )
    )


class SupportRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRequest

    school = factory.SubFactory(SchoolFactory)
    reporter = "Lehrkraft"
    text = "Das Display im Raum 12 bleibt schwarz."


class RequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequestEvent

    request = factory.SubFactory(SupportRequestFactory)
    status = SupportRequest.Status.NEW
    priority = SupportRequest.Priority.NORMAL
    author = "Lehrkraft"


class CareRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareRecord

    school = factory.SubFactory(SchoolFactory)
    kind = CareRecord.Kind.TRAINING
    date = dt.date(2026, 11, 20)
    title = "Lehrerqualifizierung: Arbeiten mit dem interaktiven Display"
    participants = 12

"""Factories for the council's information (OParl objects)."""

from __future__ import annotations

import datetime as dt

import factory

from rathaus.council.models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Location,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from tests.factories.core import StoredFileFactory


def _in_days(days: int, hour: int = 18) -> dt.datetime:
    day = dt.date.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body
        django_get_or_create = ("authority",)

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    name = factory.LazyAttribute(lambda o: f"Gemeinderat {o.authority.city}")
    short_name = "Gemeinderat"
    ags = factory.LazyAttribute(lambda o: o.authority.ags)
    classification = "Gemeinde"


class LegislativeTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegislativeTerm

    body = factory.SubFactory(BodyFactory)
    name = "Wahlperiode 2024–2029"
    start_date = dt.date(2024, 7, 1)
    end_date = dt.date(2029, 6, 30)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    body = factory.SubFactory(BodyFactory)
    description = "Rathaus, Ratssaal"
    street_address = "Ernst-Thälmann-Straße 22"
    room = "Ratssaal"
    postal_code = "39179"
    locality = "Barleben"


class FileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = File

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"Vorlage {n}")
    file_name = factory.Sequence(lambda n: f"vorlage-{n}.pdf")
    mime_type = "application/pdf"
    stored = factory.SubFactory(StoredFileFactory)
    size = factory.LazyAttribute(lambda o: o.stored.size if o.stored else None)
    date = factory.LazyFunction(dt.date.today)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"Ausschuss {n}")
    organization_type = Organization.Type.COMMITTEE
    classification = "Ausschuss"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    body = factory.SubFactory(BodyFactory)
    given_name = "Maria"
    family_name = factory.Sequence(lambda n: f"Mustermann{n}")
    name = factory.LazyAttribute(lambda o: f"{o.given_name} {o.family_name}")
    form_of_address = "Frau"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    body = factory.SubFactory(BodyFactory)
    person = factory.SubFactory(PersonFactory, body=factory.SelfAttribute("..body"))
    organization = factory.SubFactory(OrganizationFactory, body=factory.SelfAttribute("..body"))
    role = "Mitglied"
    start_date = dt.date(2024, 7, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    """A council meeting in a week, 18:00 to 21:00."""

    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"{n}. Sitzung des Gemeinderates")
    meeting_state = Meeting.State.SCHEDULED
    start = factory.LazyFunction(lambda: _in_days(7))
    end = factory.LazyFunction(lambda: _in_days(7, 21))
    location = factory.SubFactory(LocationFactory, body=factory.SelfAttribute("..body"))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    body = factory.SubFactory(BodyFactory)
    meeting = factory.SubFactory(MeetingFactory, body=factory.SelfAttribute("..body"))
    number = factory.Sequence(lambda n: f"{n + 1}.")
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Tagesordnungspunkt {n}")
    public = True


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Paper

    body = factory.SubFactory(BodyFactory)
    name = factory.Sequence(lambda n: f"Informationsvorlage Digitalisierung {n}")
    reference = factory.Sequence(lambda n: f"IV-{n:04d}/2026")
    date = factory.LazyFunction(dt.date.today)
    paper_type = "Informationsvorlage"


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    body = factory.SubFactory(BodyFactory)
    paper = factory.SubFactory(PaperFactory, body=factory.SelfAttribute("..body"))
    meeting = factory.SubFactory(MeetingFactory, body=factory.SelfAttribute("..body"))
    agenda_item = factory.SubFactory(
        AgendaItemFactory,
        body=factory.SelfAttribute("..body"),
        meeting=factory.SelfAttribute("..meeting"),
    )
    authoritative = True
    role = "Entscheidung"

"""Factories for the digital projects and their funding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from rathaus.projects.models import (
    Extension,
    Grant,
    Milestone,
    PaperLink,
    Payment,
    Programme,
    Project,
    ReportDeadline,
    ReportSnapshot,
    Risk,
    Status,
)


class DigitalProjectFactory(factory.django.DjangoModelFactory):
    """A running, public project."""

    class Meta:
        model = Project

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    title = factory.Sequence(lambda n: f"Digitalprojekt {n}")
    goal = "Verwaltungsleistungen online anbieten."
    unit = factory.SubFactory(
        "tests.factories.core.OrgUnitFactory", authority=factory.SelfAttribute("..authority")
    )
    status = Status.RUNNING
    public = True


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(DigitalProjectFactory)
    title = factory.Sequence(lambda n: f"Meilenstein {n}")
    due_on = dt.date(2026, 6, 30)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    project = factory.SubFactory(DigitalProjectFactory)
    description = "Lieferschwierigkeiten bei Elektronik."
    likelihood = "medium"


class PaperLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperLink

    project = factory.SubFactory(DigitalProjectFactory)
    reference = factory.Sequence(lambda n: f"IV-{n:04d}/2026")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    name = factory.Sequence(lambda n: f"Förderprogramm {n}")
    funder = "Ministerium für Infrastruktur und Digitales"


class GrantFactory(factory.django.DjangoModelFactory):
    """80,000 € of 100,000 € eligible costs, 20 % own share, 2026."""

    class Meta:
        model = Grant

    project = factory.SubFactory(DigitalProjectFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, authority=factory.SelfAttribute("..project.authority")
    )
    amount_cents = 8_000_000
    eligible_cents = 10_000_000
    own_share_percent = Decimal(20)
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 12, 31)


class ExtensionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Extension

    grant = factory.SubFactory(GrantFactory)
    new_end = dt.date(2027, 4, 30)
    reason = "Lieferverzug"


class FundingPaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    grant = factory.SubFactory(GrantFactory)
    kind = Payment.Kind.RECEIVED
    on = dt.date(2026, 3, 1)
    amount_cents = 4_000_000


class ReportDeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportDeadline

    grant = factory.SubFactory(GrantFactory)
    title = "Verwendungsnachweis"
    due_on = dt.date(2027, 6, 30)


class ReportSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSnapshot

    authority = factory.SubFactory("tests.factories.core.AuthorityFactory")
    created_at = factory.LazyFunction(timezone.now)
    file_format = "pdf"
    figures = factory.LazyFunction(lambda: {"projects": {}, "platform": {}})

"""Factories for the service catalogue and an authority's offers."""

from __future__ import annotations

import factory

from rathaus.catalog.models import (
    LifeSituation,
    Offer,
    OzgService,
    Responsibility,
    Service,
    Topic,
)
from tests.factories.core import AuthorityFactory, OrgUnitFactory


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Ordnung und Sicherheit {n}")
    slug = factory.Sequence(lambda n: f"ordnung-{n}")


class LifeSituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LifeSituation

    topic = factory.SubFactory(TopicFactory)
    name = factory.Sequence(lambda n: f"Umzug {n}")
    slug = factory.Sequence(lambda n: f"umzug-{n}")


class OzgServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OzgService

    # 9xxxx: above the OZG-IDs of the real catalogue the demo loads.
    ozg_id = factory.Sequence(lambda n: f"9{n % 10000:04d}")
    name = factory.Sequence(lambda n: f"Meldebescheinigung {n}")
    life_situation = factory.SubFactory(LifeSituationFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    # 99999…: a LeiKa group the real catalogue does not use.
    leika_key = factory.Sequence(lambda n: f"99999{n % 10**9:09d}")
    name = factory.Sequence(lambda n: f"Meldebescheinigung erteilen {n}")
    ozg_service = factory.SubFactory(OzgServiceFactory)
    leika_type = "1"
    legal_basis = "§ 18 Bundesmeldegesetz (BMG)"
    description = "Eine Meldebescheinigung bestätigt, wo Sie gemeldet sind."


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    authority = factory.SubFactory(AuthorityFactory)
    service = factory.SubFactory(ServiceFactory)
    org_unit = factory.SubFactory(OrgUnitFactory, authority=factory.SelfAttribute("..authority"))
    description = "Sie erhalten die Bescheinigung sofort im Bürgerbüro oder per Post."
    required_documents = "Personalausweis oder Reisepass"
    fee_cents = 1000
    fee_text = "10,00 € je Bescheinigung"
    processing_time = "sofort"


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    """A rule for one service in the authority's own area (its ARS)."""

    class Meta:
        model = Responsibility

    service = factory.SubFactory(ServiceFactory)
    authority = factory.SubFactory(AuthorityFactory)
    ars_prefix = factory.LazyAttribute(lambda o: o.authority.ars)
    org_unit = factory.SubFactory(OrgUnitFactory, authority=factory.SelfAttribute("..authority"))

"""Factories for payments: cash offices, fee tables, payment requests and what belongs to them."""

from __future__ import annotations

import datetime

import factory

from rathaus.payments.models import (
    CashOffice,
    Fee,
    Notification,
    PaymentItem,
    PaymentRequest,
    Refund,
    StatusChange,
)
from tests.factories.core import AuthorityFactory, now


class CashOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CashOffice
        django_get_or_create = ("authority",)

    authority = factory.SubFactory(AuthorityFactory)
    name = "Gemeindekasse"
    provider = "invoice"
    account_holder = "Gemeinde Barleben"
    iban = "DE02810532720641100035"
    bic = "NOLADE21MDG"
    bank = "Kreissparkasse Börde"


class FeeFactory(factory.django.DjangoModelFactory):
    """A Geburtsurkunde: 12 euros, each further copy 6 euros."""

    class Meta:
        model = Fee

    authority = factory.SubFactory(AuthorityFactory)
    code = factory.Sequence(lambda n: f"urkunde-{n}")
    label = "Geburtsurkunde"
    amount_cents = 1200
    further_copy_cents = 600
    legal_basis = "AllGO LSA, Anlage, Tarifstelle Personenstandswesen"


class PaymentRequestFactory(factory.django.DjangoModelFactory):
    """An open request of 12 euros, paid on site (no provider to call)."""

    class Meta:
        model = PaymentRequest

    authority = factory.SubFactory(AuthorityFactory)
    kassenzeichen = factory.Sequence(lambda n: f"2026-{n:06d}")
    purpose = "Geburtsurkunde"
    amount_cents = 1200
    provider = "invoice"
    due_at = factory.LazyFunction(lambda: now() + datetime.timedelta(days=14))


class PaymentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentItem

    request = factory.SubFactory(PaymentRequestFactory)
    position = factory.Sequence(lambda n: n + 1)
    description = "Geburtsurkunde"
    quantity = 1
    unit_cents = 1200
    total_cents = 1200


class StatusChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusChange

    request = factory.SubFactory(PaymentRequestFactory)
    to_status = PaymentRequest.Status.CREATED
    cause = StatusChange.Cause.SYSTEM


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    provider = "sandbox"
    event_id = factory.Sequence(lambda n: f"evt-{n}")
    body = "{}"
    outcome = Notification.Outcome.UNKNOWN


class RefundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Refund

    request = factory.SubFactory(PaymentRequestFactory, status=PaymentRequest.Status.PAID)
    amount_cents = 600
    reason = Refund.Reason.STAFF
    note = "Gebühr teilweise erlassen"

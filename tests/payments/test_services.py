"""Payment requests, the status table and notifications applied at most once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.payments import refunds, services
from rathaus.payments.models import Notification, PaymentRequest, Refund, StatusChange
from rathaus.payments.providers.base import Notice, PaymentInformation, TransactionStatus
from rathaus.payments.services import ItemSpec, PaymentRefused
from tests.factories import AuthorityFactory, CashOfficeFactory, FeeFactory, UserFactory

pytestmark = pytest.mark.django_db

S = PaymentRequest.Status


def make_request(**kwargs):
    authority = kwargs.pop("authority", None) or AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="invoice")
    request, created = services.create_request(
        authority=authority,
        items=kwargs.pop("items", [ItemSpec("Geburtsurkunde", 2, 1200)]),
        purpose="Geburtsurkunde",
        **kwargs,
    )
    assert created
    return request


def notice(request, status, *, event="e1", transaction="t1", amount=None, currency="EUR"):
    return Notice(
        event_id=event,
        payment=PaymentInformation(
            transaction_id=transaction,
            status=status,
            gross_amount_cents=request.amount_cents if amount is None else amount,
            currency=currency,
            request_id=str(request.pk),
        ),
    )


def test_a_request_adds_its_items_and_draws_a_cash_reference_by_the_pattern():
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, kassenzeichen_pattern="BAR-{year}-{number:05d}")
    first, _ = services.create_request(
        authority=authority, items=[ItemSpec("Urkunde", 2, 1200)], purpose="Urkunde"
    )
    second, _ = services.create_request(
        authority=authority, items=[ItemSpec("Urkunde", 1, 1200)], purpose="Urkunde"
    )
    year = timezone.localdate().year
    assert first.kassenzeichen == f"BAR-{year}-00001"
    assert second.kassenzeichen == f"BAR-{year}-00002"
    assert first.amount_cents == 2400
    assert [(i.quantity, i.unit_cents, i.total_cents) for i in first.items.all()] == [
        (2, 1200, 2400)
    ]
    assert list(first.status_changes.values_list("to_status", flat=True)) == [S.CREATED]


def test_the_same_source_gives_the_first_request_back():
    request = make_request(source="submission:1")
    again, created = services.create_request(
        authority=request.authority,
        items=[ItemSpec("Urkunde", 1, 1200)],
        purpose="Urkunde",
        source="submission:1",
    )
    assert (again, created) == (request, False)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([], "mindestens einen Posten"),
        ([ItemSpec("Urkunde", 0, 1200)], "mindestens 1"),
        ([ItemSpec("Urkunde", -2, 1200)], "mindestens 1"),
        ([ItemSpec("Urkunde", 1, 0)], "Betrag ist 0"),
    ],
)
def test_no_items_a_count_below_one_and_an_amount_of_0_are_refused(items, message):
    with pytest.raises(PaymentRefused, match=message):
        services.create_request(authority=AuthorityFactory(), items=items, purpose="Urkunde")
    assert not PaymentRequest.objects.exists()


def test_fee_items_price_further_copies_from_the_fee_table():
    fee = FeeFactory(amount_cents=1200, further_copy_cents=600)
    items = services.fee_items(fee.authority, fee.code, copies=3)
    assert [(i.quantity, i.unit_cents) for i in items] == [(1, 1200), (2, 600)]
    assert sum(i.total_cents for i in items) == fee.total_for(3) == 2400
    with pytest.raises(PaymentRefused):
        services.fee_items(fee.authority, fee.code, copies=0)


def test_paid_is_applied_once_and_a_late_pending_changes_nothing():
    request = make_request()
    paid = services.apply("invoice", notice(request, TransactionStatus.PAYED, event="p"), b"{}")
    again = services.apply("invoice", notice(request, TransactionStatus.PAYED, event="p"), b"{}")
    late = services.apply("invoice", notice(request, TransactionStatus.INITIAL, event="i"), b"{}")
    assert [paid.outcome, again.outcome, late.outcome] == ["applied", "duplicate", "ignored"]
    request.refresh_from_db()
    assert request.status == S.PAID
    assert request.paid_at is not None
    assert request.status_changes.filter(to_status=S.PAID).count() == 1


def test_a_changed_amount_or_currency_is_rejected_and_kept():
    request = make_request()
    changed = services.apply(
        "invoice", notice(request, TransactionStatus.PAYED, amount=1), b'{"amount": 1}'
    )
    dollars = services.apply(
        "invoice", notice(request, TransactionStatus.PAYED, currency="USD", event="d"), b"{}"
    )
    assert changed.outcome == dollars.outcome == "rejected"
    assert "differs" in changed.reason
    assert changed.body == '{"amount": 1}'
    request.refresh_from_db()
    assert request.status == S.CREATED


def test_a_notification_for_an_unknown_payment_is_kept_as_unknown():
    request = make_request()
    request.pk  # noqa: B018
    other = Notice(
        event_id="x",
        payment=PaymentInformation(
            transaction_id="nobody", status=TransactionStatus.PAYED, gross_amount_cents=100
        ),
    )
    kept = services.apply("invoice", other, b"{}")
    assert kept.outcome == Notification.Outcome.UNKNOWN
    assert kept.request is None


def test_money_from_a_second_transaction_is_not_counted_but_refunded(
    django_capture_on_commit_callbacks,
):
    request = make_request()
    services.apply("invoice", notice(request, TransactionStatus.PAYED, transaction="t1"), b"{}")
    with django_capture_on_commit_callbacks():
        second = services.apply(
            "invoice",
            notice(request, TransactionStatus.PAYED, transaction="t2", event="e2"),
            b"{}",
        )
    assert second.outcome == "applied"
    assert "refund" in second.reason
    refund = Refund.objects.get(request=request)
    assert (refund.reason, refund.amount_cents, refund.transaction_id) == (
        Refund.Reason.DOUBLE,
        request.amount_cents,
        "t2",
    )
    request.refresh_from_db()
    assert request.status == S.PAID
    assert request.transaction_id == "t1"


def test_money_for_a_cancelled_request_is_refunded_and_the_request_stays_cancelled():
    request = make_request()
    services.cancel(request, user=UserFactory(), note="Gebühr erlassen")
    services.apply("invoice", notice(request, TransactionStatus.PAYED), b"{}")
    request.refresh_from_db()
    assert request.status == S.CANCELLED
    assert Refund.objects.get(request=request).reason == Refund.Reason.CANCELLED


def test_staff_mark_received_once_and_may_refund_at_most_what_was_paid():
    request = make_request()
    clerk = UserFactory()
    services.mark_received(request, user=clerk, note="bar an der Kasse")
    with pytest.raises(PaymentRefused):
        services.mark_received(request, user=clerk)
    change = request.status_changes.get(to_status=S.PAID)
    assert (change.cause, change.actor, change.note) == (
        StatusChange.Cause.STAFF,
        clerk,
        "bar an der Kasse",
    )
    refunds.refund(request, 1000, user=clerk, note="eine Urkunde nicht lieferbar")
    with pytest.raises(PaymentRefused, match="14,00"):
        refunds.refund(request, 1500, user=clerk, note="zu viel")
    with pytest.raises(PaymentRefused):
        refunds.refund(request, 100, user=clerk, note=" ")


def test_open_requests_expire_after_their_time_and_may_still_be_paid():
    request = make_request()
    later = timezone.now() + dt.timedelta(days=15)
    assert services.expire_due(later) == 1
    request.refresh_from_db()
    assert request.status == S.EXPIRED
    services.apply("invoice", notice(request, TransactionStatus.PAYED), b"{}")
    request.refresh_from_db()
    assert request.status == S.PAID


def test_money_from_an_online_attempt_after_staff_recorded_the_payment_is_refunded():
    """Paid at the desk, then the citizen finished the open online payment too."""
    request = make_request()
    services.apply("invoice", notice(request, TransactionStatus.INITIAL, transaction="t1"), b"{}")
    services.mark_received(request, user=UserFactory(), note="bar an der Kasse")
    late = services.apply(
        "invoice", notice(request, TransactionStatus.PAYED, transaction="t1", event="e9"), b"{}"
    )
    assert late.outcome == "applied"
    refund = Refund.objects.get(request=request)
    assert (refund.reason, refund.transaction_id) == (Refund.Reason.DOUBLE, "t1")
    request.refresh_from_db()
    assert request.payment_method == "staff"

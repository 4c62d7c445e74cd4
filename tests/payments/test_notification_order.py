"""A property: whatever the order and however often the notifications of a request's
transactions arrive, the final status is the same for the same set of events, the money is
counted once, and each extra paid transaction leads to exactly one refund record."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rathaus.payments import services
from rathaus.payments.models import PaymentRequest, Refund, StatusChange
from rathaus.payments.providers.base import Notice, PaymentInformation, TransactionStatus
from rathaus.payments.services import ItemSpec
from tests.factories import AuthorityFactory, CashOfficeFactory

pytestmark = pytest.mark.django_db

S = PaymentRequest.Status
T = TransactionStatus
AMOUNT = 1800


def pending_request() -> PaymentRequest:
    """A request whose payment was started as transaction tx1 (as ``services.start`` does)."""
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 1, AMOUNT)], purpose="Urkunde"
    )
    PaymentRequest.objects.filter(pk=request.pk).update(
        status=S.PENDING, transaction_id=real(request, "tx1")
    )
    return request


def real(request: PaymentRequest, transaction: str) -> str:
    """The provider's id of a transaction (unique over the examples, which share a database)."""
    return f"{request.pk.hex[:12]}-{transaction}"


def notice(request: PaymentRequest, transaction: str, status: T) -> Notice:
    return Notice(
        event_id=f"{real(request, transaction)}-{status}",
        payment=PaymentInformation(
            transaction_id=real(request, transaction),
            status=status,
            gross_amount_cents=AMOUNT,
            request_id=str(request.pk),
        ),
    )


@st.composite
def histories(draw):
    """The events of transaction tx1 (INITIAL, maybe an end) and maybe a second paid
    transaction tx2 (its INITIAL and PAYED), in any order, some of them repeated."""
    final = draw(st.sampled_from([None, T.PAYED, T.FAILED, T.CANCELED]))
    events = [("tx1", T.INITIAL)]
    if final is not None:
        events.append(("tx1", final))
    if draw(st.booleans()):
        events += [("tx2", T.INITIAL), ("tx2", T.PAYED)]
    repeated = draw(st.lists(st.sampled_from(events), max_size=6))
    return events, draw(st.permutations(events + repeated))


@given(histories())
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_the_final_status_and_the_money_do_not_depend_on_the_order(history):
    events, arrivals = history
    request = pending_request()
    for transaction, status in arrivals:
        item = notice(request, transaction, status)
        services.apply("sandbox", item, json.dumps([transaction, status]).encode())
    request.refresh_from_db()

    paid_transactions = {real(request, tx) for tx, status in events if status == T.PAYED}
    ended = {status for _tx, status in events if status in (T.FAILED, T.CANCELED)}
    expected = S.PAID if paid_transactions else S.FAILED if ended else S.PENDING
    assert request.status == expected, arrivals
    # money counted once: one change to paid, the request's transaction is a paid one
    assert StatusChange.objects.filter(request=request, to_status=S.PAID).count() == (
        1 if paid_transactions else 0
    )
    if paid_transactions:
        assert request.transaction_id in paid_transactions
    # every extra paid transaction is paid back, once
    refunds = Refund.objects.filter(request=request)
    assert refunds.count() == max(len(paid_transactions) - 1, 0), arrivals
    assert {refund.transaction_id for refund in refunds} == paid_transactions - {
        request.transaction_id
    }
    assert all(refund.reason == Refund.Reason.DOUBLE for refund in refunds)
    # each event applied at most once
    applied = request.notifications.filter(outcome="applied")
    assert applied.count() == applied.values("event_id").distinct().count()

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from rathaus.payments.providers.base import (
    PaymentInformation,
    ProviderUnavailable,
    RefundResult,
    Started,
    TransactionStatus,
    XPaymentRequest,
    providers,
)


@dataclass
class FakeProvider:
    """An online provider in the test's hand: it records what it was asked and answers what the
    test says (no network)."""

    verbose_name: str = "Testbezahldienst"
    online: bool = True
    down: bool = False
    status: TransactionStatus = TransactionStatus.INITIAL
    started: list[XPaymentRequest] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)

    def start(self, request: XPaymentRequest) -> Started:
        if self.down:
            raise ProviderUnavailable("connection refused")
        self.started.append(request)
        number = len(self.started)
        return Started(f"tx-{number}", f"https://bezahlen.example.org/seite/tx-{number}")

    def query(self, transaction_id: str) -> PaymentInformation:
        self.queries.append(transaction_id)
        if self.down:
            raise ProviderUnavailable("connection refused")
        request = self.started[-1]
        return PaymentInformation(
            transaction_id=transaction_id,
            status=self.status,
            gross_amount_cents=request.gross_amount_cents,
            request_id=request.request_id,
            payment_method="Kreditkarte",
        )

    def verify(self, body, headers):  # pragma: no cover - not used by these tests
        return []

    def refund(self, transaction_id, amount_cents, reference):  # pragma: no cover
        return RefundResult(refund_id="r1", done=True)


@pytest.fixture
def testpay() -> Iterator[FakeProvider]:
    """The online provider "testpay" for the duration of the test."""
    provider = FakeProvider()
    with providers.override("testpay", provider):
        yield provider

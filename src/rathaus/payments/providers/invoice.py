"""Pay on site or by invoice: no online payment. The Kassenzeichen is printed on the receipt and
the invoice; the payer pays at the town hall's cash desk or by bank transfer, and staff record
the money when it arrives (``services.mark_received``)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from rathaus.payments.providers.base import (
    Notice,
    NotificationRejected,
    PaymentInformation,
    ProviderUnavailable,
    RefundResult,
    Started,
    XPaymentRequest,
)


class Invoice:
    verbose_name = _("pay on site or by invoice")
    online = False

    def start(self, request: XPaymentRequest) -> Started:
        return Started(transaction_id=request.kassenzeichen)

    def query(self, transaction_id: str) -> PaymentInformation:
        raise ProviderUnavailable("payment on site has no status to ask for; staff record it")

    def verify(self, body: bytes, headers: Mapping[str, str]) -> list[Notice]:
        raise NotificationRejected("payment on site sends no notifications")

    def refund(self, transaction_id: str, amount_cents: int, reference: str) -> RefundResult:
        # the cash office pays back by transfer; the refund stays "requested" until staff
        # record that it was paid
        return RefundResult(refund_id="", done=False)

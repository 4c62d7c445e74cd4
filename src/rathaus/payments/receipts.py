"""The payment confirmation (Zahlungsbestätigung) of a paid request, as a page and as a PDF."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.pdf import render_pdf
from rathaus.payments import services
from rathaus.payments.models import PaymentRequest
from rathaus.payments.providers.base import providers

# the payment methods providers report (XBezahldienste and the usual ePayBL codes), in words
METHODS = {
    "CREDITCARD": _("credit card"),
    "CREDIT_CARD": _("credit card"),
    "GIROPAY": _("giropay"),
    "PAYDIRECT": _("paydirekt"),
    "PAYPAL": _("PayPal"),
    "SEPA": _("direct debit"),
    "DIRECTDEBIT": _("direct debit"),
    "INVOICE": _("invoice"),
    "SANDBOX": _("payment sandbox (test payment)"),
    "STAFF": _("received by the cash office (at the desk or by transfer)"),
}


def method_words(code: str) -> str:
    """A provider's payment method code in words (the code itself when unknown)."""
    return str(METHODS.get(code.upper(), code)) if code else ""


def method_label(payment: PaymentRequest) -> str:
    """How it was paid, in words: the provider's method, else the provider's name."""
    if payment.payment_method:
        return method_words(payment.payment_method)
    plugin = dict(providers.items()).get(payment.provider)
    # a provider removed since: its id is all there is
    return str(plugin.verbose_name) if plugin is not None else payment.provider


def receipt_context(payment: PaymentRequest) -> dict[str, Any]:
    return {
        "payment": payment,
        "authority": payment.authority,
        "office": services.cash_office(payment.authority),
        "items": list(payment.items.all()),
        "refunds": list(payment.refunds.order_by("created_at", "pk")),
        "paid_at": timezone.localtime(payment.paid_at) if payment.paid_at else None,
        "method": method_label(payment),
    }


def receipt_pdf(payment: PaymentRequest) -> bytes:
    return render_pdf("payments/receipt_pdf.html", receipt_context(payment))


def receipt_filename(payment: PaymentRequest) -> str:
    return f"Zahlungsbestaetigung-{payment.kassenzeichen.replace('/', '-')}.pdf"

"""The payment sandbox as a provider (ADR 0047): rathaus talks to it over HTTP exactly as it
would to a real XBezahldienste-shaped service, and checks its signed notifications.

The sandbox runs as its own process (``rathaus payment-sandbox``) at
``RATHAUS_PAYMENT_SANDBOX_URL``; calls carry ``RATHAUS_PAYMENT_SANDBOX_API_KEY``. Any
connection error, timeout or 5xx answer is :class:`ProviderUnavailable`: nothing was changed.
"""

from __future__ import annotations

import datetime as dt
import hmac
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rathaus.payments.providers.base import (
    MalformedNotification,
    Notice,
    NotificationRejected,
    PaymentInformation,
    ProviderUnavailable,
    RefundResult,
    Started,
    TransactionStatus,
    XPaymentRequest,
)
from rathaus.payments.sandbox import signing, wire

TIMEOUT_SECONDS = 10


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def information(data: Any) -> PaymentInformation:
    """A ``paymentInformation`` object read strictly; ValueError when malformed."""
    if not isinstance(data, dict):
        raise ValueError("paymentInformation must be an object")
    transaction_id = data.get("transactionId")
    if not isinstance(transaction_id, str) or not transaction_id or len(transaction_id) > 100:
        raise ValueError("transactionId is missing")
    try:
        status = TransactionStatus(str(data.get("status")))
    except ValueError:
        raise ValueError(f"unknown status {data.get('status')!r}") from None
    currency = data.get("currency")
    if not isinstance(currency, str) or len(currency) != 3:
        raise ValueError("currency is missing")
    amount = wire.cents(data.get("grosAmount"))
    request_id = data.get("requestId", "")
    method = data.get("paymentMethod", "")
    stamp = data.get("transactionTimestamp")
    moment = None
    if isinstance(stamp, str) and stamp:
        try:
            moment = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise ValueError("transactionTimestamp is not a date and time") from None
    return PaymentInformation(
        transaction_id=transaction_id,
        status=status,
        gross_amount_cents=amount,
        currency=currency,
        request_id=request_id if isinstance(request_id, str) else "",
        transaction_url=str(data.get("transactionUrl", ""))[:500],
        payment_method=method if isinstance(method, str) else "",
        transaction_timestamp=moment,
    )


def payment_request(request: XPaymentRequest) -> dict[str, Any]:
    """The request in XBezahldienste's JSON field names (amounts in euros)."""
    return {
        "requestId": request.request_id,
        "requestTimestamp": request.request_timestamp.isoformat(timespec="seconds"),
        "currency": request.currency,
        "grosAmount": wire.euros(request.gross_amount_cents),
        "purpose": request.purpose,
        "description": request.description,
        "redirectUrl": request.redirect_url,
        "notifyUrl": request.notify_url,
        "items": [
            {
                "id": item.id,
                "reference": item.reference,
                "description": item.description,
                "quantity": item.quantity,
                "singleAmount": wire.euros(item.single_amount_cents),
                "grosAmount": wire.euros(item.gross_amount_cents),
                "feeBasis": item.fee_basis,
            }
            for item in request.items
        ],
        "requestor": {
            "id": request.requestor.id,
            "name": request.requestor.name,
            "cashOffice": request.requestor.cash_office,
        },
    }


class Sandbox:
    verbose_name = _("payment sandbox (tests and demo)")
    online = True

    @property
    def payment_origins(self) -> tuple[str, ...]:
        """Where the payer's browser is sent to pay: the pay page's form may lead there
        (its Content-Security-Policy ``form-action``)."""
        base = urllib.parse.urlsplit(settings.RATHAUS_PAYMENT_SANDBOX_URL or "")
        return (f"{base.scheme}://{base.netloc}",) if base.scheme and base.netloc else ()

    def _call(self, method: str, path: str, data: Any = None) -> Any:
        base = settings.RATHAUS_PAYMENT_SANDBOX_URL
        if not base:
            raise ProviderUnavailable("RATHAUS_PAYMENT_SANDBOX_URL is not set")
        body = None if data is None else wire.dumps(data)
        request = urllib.request.Request(  # noqa: S310 (the configured http(s) address)
            f"{base}{path}",
            data=body,
            method=method,
            headers={
                "Authorization": f"Bearer {settings.RATHAUS_PAYMENT_SANDBOX_API_KEY}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                answer = response.read(1_000_000)
        except urllib.error.HTTPError as exc:
            raise ProviderUnavailable(f"{method} {path}: the sandbox answered {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise ProviderUnavailable(f"{method} {path}: {exc}") from None
        try:
            return wire.loads(answer)
        except ValueError:
            raise ProviderUnavailable(f"{method} {path}: the answer is not JSON") from None

    def start(self, request: XPaymentRequest) -> Started:
        answer = self._call("POST", "/api/paymentrequests", payment_request(request))
        try:
            info = answer["paymentInformation"]
            return Started(
                transaction_id=str(info["transactionId"]),
                redirect_url=str(info["transactionRedirectUrl"]),
            )
        except (KeyError, TypeError):
            raise ProviderUnavailable("the sandbox's answer has no transaction") from None

    def query(self, transaction_id: str) -> PaymentInformation:
        answer = self._call("GET", f"/api/transactions/{transaction_id}")
        try:
            return information(answer.get("paymentInformation"))
        except (AttributeError, ValueError) as exc:
            raise ProviderUnavailable(f"the sandbox's answer is malformed: {exc}") from None

    def refund(self, transaction_id: str, amount_cents: int, reference: str) -> RefundResult:
        answer = self._call(
            "POST",
            f"/api/transactions/{transaction_id}/refunds",
            {"grosAmount": wire.euros(amount_cents), "reference": reference},
        )
        refund_id = answer.get("refundId", "") if isinstance(answer, dict) else ""
        return RefundResult(refund_id=str(refund_id), done=answer.get("status") == "DONE")

    def verify(self, body: bytes, headers: Mapping[str, str]) -> list[Notice]:
        """Key id known, timestamp within RATHAUS_PAYMENT_WEBHOOK_WINDOW, HMAC of
        ``timestamp.body``, then the JSON's form; NotificationRejected says which failed."""
        given = _lower(headers)
        key_id = given.get(signing.KEY_ID_HEADER.lower(), "")
        stamp = given.get(signing.TIMESTAMP_HEADER.lower(), "")
        sent = given.get(signing.SIGNATURE_HEADER.lower(), "")
        if not key_id or not stamp or not sent:
            raise NotificationRejected("signature headers missing")
        secret = settings.RATHAUS_PAYMENT_WEBHOOK_KEYS.get(key_id)
        if secret is None:
            raise NotificationRejected(f"unknown key id {key_id[:60]!r}")
        if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
            raise NotificationRejected("timestamp is not a number of seconds")
        age = time.time() - int(stamp)
        if abs(age) > settings.RATHAUS_PAYMENT_WEBHOOK_WINDOW:
            raise NotificationRejected(f"timestamp outside the window ({int(age)} s): replay?")
        expected = signing.signature(secret, stamp, body)
        if not hmac.compare_digest(expected.encode(), sent.strip().lower().encode()):
            raise NotificationRejected("signature does not match")
        try:
            data = wire.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise MalformedNotification("body is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("eventId"), str):
            raise MalformedNotification("eventId is missing")
        event_id = data["eventId"]
        if not event_id or len(event_id) > 100:
            raise MalformedNotification("eventId is empty or too long")
        try:
            payment = information(data.get("paymentInformation"))
        except ValueError as exc:
            raise MalformedNotification(f"paymentInformation: {exc}") from None
        return [Notice(event_id=event_id, payment=payment, key_id=key_id)]

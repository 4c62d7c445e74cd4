"""The sandbox's transactions, in memory (a sandbox: they are gone when the process stops)."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from rathaus.payments.sandbox import wire


class Refused(Exception):
    """A call the sandbox refuses; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Transaction:
    id: str
    request_id: str
    amount_cents: int
    currency: str
    purpose: str
    description: str
    redirect_url: str
    notify_url: str
    items: list[dict[str, Any]]
    requestor: dict[str, Any]
    status: str = "INITIAL"
    payment_method: str = ""
    timestamp: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    refunded_cents: int = 0

    def information(self, base_url: str) -> dict[str, Any]:
        """The transaction's paymentInformation (XBezahldienste)."""
        return {
            "transactionId": self.id,
            "transactionUrl": f"{base_url}/api/transactions/{self.id}",
            "transactionRedirectUrl": f"{base_url}/pay/{self.id}",
            "transactionTimestamp": self.timestamp.isoformat(timespec="seconds"),
            "requestId": self.request_id,
            "status": self.status,
            "grosAmount": wire.euros(self.amount_cents),
            "currency": self.currency,
            "paymentMethod": self.payment_method,
        }


def _text(data: dict[str, Any], name: str, limit: int, required: bool = True) -> str:
    value = data.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise Refused(400, f"{name} must be a non-empty string")
    return value[:limit]


def _url(data: dict[str, Any], name: str, required: bool) -> str:
    value = _text(data, name, 500, required)
    if value and not value.startswith(("http://", "https://")):
        raise Refused(400, f"{name} must be an http(s) address")
    return value


class Store:
    """All transactions, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transactions: dict[str, Transaction] = {}
        # a refund asked again under the same reference is answered as the first time
        self.refunds: dict[str, dict[str, Any]] = {}

    def create(self, data: Any) -> Transaction:
        """A new transaction for a payment request (XBezahldienste fields)."""
        if not isinstance(data, dict):
            raise Refused(400, "the payment request must be a JSON object")
        if data.get("currency") != "EUR":
            raise Refused(400, "currency must be EUR")
        try:
            amount = wire.cents(data.get("grosAmount"))
        except ValueError as exc:
            raise Refused(400, f"grosAmount: {exc}") from None
        if amount <= 0:
            raise Refused(400, "grosAmount must be more than 0")
        items = data.get("items", [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise Refused(400, "items must be a list of objects")
        requestor = data.get("requestor", {})
        transaction = Transaction(
            id=f"SBX-{secrets.token_hex(10)}",
            request_id=_text(data, "requestId", 100),
            amount_cents=amount,
            currency="EUR",
            purpose=_text(data, "purpose", 140),
            description=_text(data, "description", 500, required=False),
            redirect_url=_url(data, "redirectUrl", required=True),
            notify_url=_url(data, "notifyUrl", required=False),
            items=items[:50],
            requestor=requestor if isinstance(requestor, dict) else {},
        )
        with self.lock:
            self.transactions[transaction.id] = transaction
        return transaction

    def get(self, transaction_id: str) -> Transaction:
        with self.lock:
            found = self.transactions.get(transaction_id)
        if found is None:
            raise Refused(404, "no such transaction")
        return found

    def decide(self, transaction_id: str, status: str) -> Transaction | None:
        """The payer's choice on the page; None when the transaction was decided before."""
        with self.lock:
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                raise Refused(404, "no such transaction")
            if transaction.status != "INITIAL":
                return None
            transaction.status = status
            transaction.payment_method = "SANDBOX" if status == "PAYED" else ""
            transaction.timestamp = dt.datetime.now(dt.UTC)
            return transaction

    def refund(self, transaction_id: str, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise Refused(400, "the refund must be a JSON object")
        try:
            amount = wire.cents(data.get("grosAmount"))
        except ValueError as exc:
            raise Refused(400, f"grosAmount: {exc}") from None
        reference = data.get("reference")
        key = f"{transaction_id}:{reference}" if isinstance(reference, str) and reference else ""
        with self.lock:
            if key and key in self.refunds:
                return self.refunds[key]
            transaction = self.transactions.get(transaction_id)
            if transaction is None:
                raise Refused(404, "no such transaction")
            if transaction.status != "PAYED":
                raise Refused(409, "only a paid transaction can be refunded")
            if amount <= 0 or amount > transaction.amount_cents - transaction.refunded_cents:
                raise Refused(409, "the amount is more than is left to refund")
            transaction.refunded_cents += amount
            answer = {
                "refundId": f"SBR-{secrets.token_hex(8)}",
                "transactionId": transaction_id,
                "grosAmount": wire.euros(amount),
                "status": "DONE",
            }
            if key:
                self.refunds[key] = answer
        return answer

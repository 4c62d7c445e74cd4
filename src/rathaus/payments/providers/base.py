"""The interface of a payment provider and the data it exchanges with rathaus.

The data follows the field model of the XÖV standard XBezahldienste (a payment request with its
``requestId``, ``requestTimestamp``, ``currency``, gross amount, ``purpose``, ``description``,
``redirectUrl``, ``items`` and ``requestor``; a transaction with its payment information and
status), so that ePayBL- and pmPayment-style services fit behind it (docs/payments.md).
Amounts are integer cents here; an adapter converts to the decimal euros of the wire format.

A provider is registered in :data:`providers` under an id; an authority's cash office names the
one that collects its online payments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from rathaus.core.plugins import Registry, StrOrPromise


class TransactionStatus(StrEnum):
    """XBezahldienste's statuses of a transaction."""

    INITIAL = "INITIAL"  # started, not paid yet
    PAYED = "PAYED"  # the spelling of the standard
    FAILED = "FAILED"
    CANCELED = "CANCELED"  # the payer broke off
    TIMEOUT = "TIMEOUT"


@dataclass(frozen=True)
class Item:
    """A line of the payment request."""

    id: str
    description: str
    quantity: int
    single_amount_cents: int
    gross_amount_cents: int
    reference: str = ""  # the fee code (Gebührenposition)
    fee_basis: str = ""


@dataclass(frozen=True)
class Requestor:
    """Who asks for the money: the authority and its cash office."""

    id: str
    name: str
    cash_office: str = ""


@dataclass(frozen=True)
class XPaymentRequest:
    request_id: str  # PaymentRequest.id
    request_timestamp: dt.datetime
    currency: str
    gross_amount_cents: int
    purpose: str  # carries the Kassenzeichen first
    description: str
    redirect_url: str  # where the payer's browser comes back to
    items: tuple[Item, ...]
    requestor: Requestor
    kassenzeichen: str
    notify_url: str = ""  # where the provider sends its notifications


@dataclass(frozen=True)
class PaymentInformation:
    """A transaction as the provider reports it (notification or status query)."""

    transaction_id: str
    status: TransactionStatus
    gross_amount_cents: int
    currency: str = "EUR"
    request_id: str = ""
    transaction_url: str = ""
    payment_method: str = ""
    transaction_timestamp: dt.datetime | None = None


@dataclass(frozen=True)
class Notice:
    """A verified notification: the provider's id for it and the transaction it reports."""

    event_id: str
    payment: PaymentInformation
    key_id: str = ""


@dataclass(frozen=True)
class Started:
    """What starting a payment gave: the transaction and, for online payment, the page the
    payer is sent to (empty for payment on site or by invoice)."""

    transaction_id: str
    redirect_url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    done: bool  # False: the provider accepted it and will report later


class ProviderUnavailable(Exception):
    """The provider cannot be reached or answered with an error; nothing was changed, trying
    again later is safe. The message is for the log, not for the payer."""


class NotificationRejected(Exception):
    """A notification that is not accepted: bad signature, unknown key, old timestamp,
    malformed body. The message says why (kept with the notification)."""


class MalformedNotification(NotificationRejected):
    """A notification signed correctly whose body cannot be read (the webhook answers 400, not
    401)."""


class Provider(Protocol):
    @property
    def verbose_name(self) -> StrOrPromise: ...

    @property
    def online(self) -> bool:
        """True: the payer pays on the provider's page; False: the Kassenzeichen is printed and
        staff record the money when it arrives (pay on site, by invoice)."""
        ...

    def start(self, request: XPaymentRequest) -> Started:
        """Open a transaction for the request; ProviderUnavailable if the provider is down."""
        ...

    def query(self, transaction_id: str) -> PaymentInformation:
        """The transaction's status now (active status query); ProviderUnavailable."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str]) -> list[Notice]:
        """Check a notification's signature and timestamp and read it; NotificationRejected."""
        ...

    def refund(self, transaction_id: str, amount_cents: int, reference: str) -> RefundResult:
        """Pay money of a transaction back; ProviderUnavailable."""
        ...


providers: Registry[Provider] = Registry("payment provider", setting="RATHAUS_PAYMENT_PROVIDER")

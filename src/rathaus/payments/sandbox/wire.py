"""The JSON of the sandbox's API in XBezahldienste's field names: amounts in euros with at most
two decimals (``grosAmount``), read exactly as decimals and kept as integer cents."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

STATUSES = ("INITIAL", "PAYED", "FAILED", "CANCELED", "TIMEOUT")


def euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def cents(value: Any) -> int:
    """Integer cents of a JSON amount in euros; ValueError unless a number with at most two
    decimals."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError("the amount must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError("the amount must be a number") from None
    try:
        if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
            raise ValueError("the amount must have at most two decimals")
    except InvalidOperation:  # too many digits to quantize (1e30)
        raise ValueError("the amount is out of range") from None
    return int(amount * 100)


def dumps(data: Any) -> bytes:
    """JSON bytes; decimals are written as numbers."""

    def number(value: Any) -> Any:
        if isinstance(value, Decimal):
            return float(value)
        raise TypeError(f"not JSON: {type(value).__name__}")

    return json.dumps(data, default=number, ensure_ascii=False, separators=(",", ":")).encode()


def loads(body: bytes) -> Any:
    """Parsed JSON with exact decimals; ValueError if it is not JSON."""
    return json.loads(body, parse_float=Decimal)

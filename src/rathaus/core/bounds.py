"""Bounds for every value that comes from outside (ADR 0022).

A value is checked where it enters — the API's schemas, the pages' forms, the URL converters —
so that nothing unbounded reaches the database or date arithmetic, where it would fail with a
500 instead of a 4xx: a number beyond 64 bits (SQLite: OverflowError), a NUL character
(PostgreSQL refuses it in text), a year 9999 plus one day (OverflowError), a string longer than
its column (PostgreSQL: DataError).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

MAX_ID = 2**63 - 1  # the largest value of a 64-bit (BigAutoField) column
ID_DIGITS = 18  # every number of at most 18 digits is below MAX_ID
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)  # far from date.max, so adding days or months cannot overflow


def parse_id(raw: str | None) -> int | None:
    """A database id from a query or form value, or None if it cannot be one."""
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > ID_DIGITS:
        return None
    value = int(raw)
    return value if value >= 1 else None


def bounded_day(raw: str | None) -> dt.date | None:
    """A day (YYYY-MM-DD) from a query or form value within FIRST_DAY … LAST_DAY, else None."""
    try:
        day = dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def contains_nul(value: object, depth: int = 0) -> bool:
    """True if a NUL character is anywhere in a JSON value (keys included)."""
    if depth > 50:
        return True  # deeper than any form: refused like a NUL
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(
            contains_nul(k, depth + 1) or contains_nul(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(contains_nul(item, depth + 1) for item in value)
    return False


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}")


def _iso(pattern: re.Pattern[str], example: str) -> Any:
    """Only ISO 8601 text, as the schema's ``format`` says: pydantic would also read a number
    (``0``) as a Unix time."""

    def check(value: object) -> object:
        if isinstance(value, dt.date):
            return value
        if not isinstance(value, str) or not pattern.match(value):
            raise ValueError(f"must be written as ISO 8601, e.g. {example}")
        return value

    return BeforeValidator(check)


# Types for ninja schemas and path parameters.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Day = Annotated[dt.date, _iso(_ISO_DAY, "2026-03-31"), Field(ge=FIRST_DAY, le=LAST_DAY)]
Slug = Annotated[str, StringConstraints(max_length=100, pattern=r"^[-a-zA-Z0-9_]+$")]
Key = Annotated[str, StringConstraints(max_length=100), AfterValidator(_no_nul)]
# Any other string: give its length with Field(max_length=…) where it is declared.
Text = Annotated[str, AfterValidator(_no_nul)]


def _json_without_nul(value: dict[str, Any]) -> dict[str, Any]:
    if contains_nul(value):
        raise ValueError("must not contain NUL characters or be nested too deeply")
    return value


# Free-form JSON objects (a form's answers): PostgreSQL cannot store a NUL in jsonb text.
JsonObject = Annotated[dict[str, Any], AfterValidator(_json_without_nul)]


def _bounded_moment(value: dt.datetime) -> dt.datetime:
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY.year} and {LAST_DAY.year}")
    return value


Moment = Annotated[
    dt.datetime, _iso(_ISO_MOMENT, "2026-03-31T09:30:00+02:00"), AfterValidator(_bounded_moment)
]

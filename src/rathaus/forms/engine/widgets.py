"""The field types (widgets) a layout may use, the JSON types they store, and the string
formats the schema validation checks."""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError as SchemaValidationError
from jsonschema.protocols import Validator
from stdnum import iban as stdnum_iban

WIDGETS = frozenset(
    {
        "text",
        "textarea",
        "email",
        "phone",
        "iban",
        "number",
        "date",
        "radio",
        "select",
        "checkboxes",
        "yesno",
        "address",
        "file",
    }
)
# The JSON types each widget stores; a definition that mixes them up is refused.
WIDGET_TYPES: dict[str, set[str]] = {
    "text": {"string"},
    "textarea": {"string"},
    "email": {"string"},
    "phone": {"string"},
    "iban": {"string"},
    "number": {"number", "integer"},
    "date": {"string"},
    "radio": {"string", "integer", "number", "boolean"},
    "select": {"string", "integer", "number"},
    "checkboxes": {"array"},
    "yesno": {"boolean"},
    "address": {"object"},
    "file": {"array"},
}
ADDRESS_PARTS = ("street", "postal_code", "place")
PREFILL_SOURCES = frozenset(
    {"first_name", "last_name", "date_of_birth", "email", "phone", "address"}
)
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_PHONE = re.compile(r"^\+?[0-9 ()/\-]{3,30}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CLOCK_TIME = re.compile(r"([01]?[0-9]|2[0-3]):[0-5][0-9]")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("email")
def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@FORMAT_CHECKER.checks("date")
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _ISO_DATE.match(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@FORMAT_CHECKER.checks("iban")
def _is_iban(value: object) -> bool:
    return not isinstance(value, str) or bool(stdnum_iban.is_valid(value))


@FORMAT_CHECKER.checks("phone")
def _is_phone(value: object) -> bool:
    if not isinstance(value, str):
        return True
    return bool(_PHONE.match(value)) and sum(ch.isdigit() for ch in value) >= 3


@FORMAT_CHECKER.checks("upload")
def _is_upload(value: object) -> bool:
    return not isinstance(value, str) or bool(UPLOAD_ID.match(value))


@FORMAT_CHECKER.checks("postal-code-de")
def _is_postal_code(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"\d{5}", value))


@FORMAT_CHECKER.checks("amount")
def _is_amount(value: object) -> bool:
    """A sum of money: at most two decimal places (FIM `num_currency`, ADR 0034)."""
    if isinstance(value, bool) or not isinstance(value, float):
        return True
    exponent = decimal.Decimal(repr(value)).as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


@FORMAT_CHECKER.checks("clock-time")
def _is_clock_time(value: object) -> bool:
    """A time of day as hours and minutes, 14:30 (FIM `time`, ADR 0034)."""
    return not isinstance(value, str) or bool(_CLOCK_TIME.fullmatch(value))


def _date_bound(earliest: bool) -> Callable[[Any, Any, Any, Any], Iterator[Any]]:
    """`formatMinimum`/`formatMaximum` for `"format": "date"`: the earliest or latest date
    (YYYY-MM-DD) allowed, as in JSON Schema's format-assertion drafts (ADR 0034)."""

    def check(validator: Any, limit: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not isinstance(instance, str) or not isinstance(limit, str):
            return
        if schema.get("format") != "date" or not _is_date(instance) or not _is_date(limit):
            return
        if (instance < limit) if earliest else (instance > limit):
            relation = "before" if earliest else "after"
            yield SchemaValidationError(f"{instance!r} is {relation} {limit}")

    return check


# The validator of form data: JSON Schema 2020-12 and the date bounds.
FormValidator: type[Validator] = validators.extend(
    Draft202012Validator,
    {"formatMinimum": _date_bound(earliest=True), "formatMaximum": _date_bound(earliest=False)},
)

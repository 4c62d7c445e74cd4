"""Path converters that bound what a URL may carry (ADR 0022).

Django's ``int`` converter takes any number of digits; a number beyond 64 bits then reaches the
database and fails there (SQLite: OverflowError, a 500). ``<id:pk>`` takes at most 18 digits, so
every value fits a 64-bit integer column, and a longer one simply does not match: 404.
"""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import get_converters

ID_DIGITS = 18  # 10**18 - 1 < 2**63 - 1


class IdConverter:
    regex = f"[0-9]{{1,{ID_DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


def register() -> None:
    """Called from ``CoreConfig.ready``, before any URL module is imported (once per process)."""
    if not isinstance(get_converters().get("id"), IdConverter):
        register_converter(IdConverter, "id")

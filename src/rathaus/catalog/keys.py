"""The LeiKa Leistungsschlüssel: 14 digits starting with 99."""

from __future__ import annotations

import re

_LEIKA = re.compile(r"99\d{12}")
URN_PREFIX = "urn:de:fim:leika:leistung:"


class InvalidLeikaKey(ValueError):
    pass


def validate_leika_key(value: str) -> str:
    key = value.strip()
    if key.startswith(URN_PREFIX):
        key = key[len(URN_PREFIX) :]
    if not _LEIKA.fullmatch(key):
        raise InvalidLeikaKey(
            f"{value!r} is not a LeiKa key: 14 digits starting with 99 are expected"
        )
    return key


def is_leika_key(value: str) -> bool:
    return bool(_LEIKA.fullmatch(value))

"""Reading one OParl property the way it was clearly meant (docs/oparl-import.md).

Real servers send a date as ``04.01.2013``, a time without its zone, a keyword as a single string
where a list belongs, a number as text. What is clearly meant is normalised; what cannot be read
is left out and noted (:class:`Unreadable`), never guessed.
"""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class Unreadable(ValueError):
    """The property's value cannot be read as what it should be; the message says why."""


def text(value: Any, max_length: int | None = None) -> tuple[str, bool]:
    """(text, shortened): a string, a number as text, a list of strings joined."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        raise Unreadable("a truth value where a text was expected")
    if isinstance(value, int | float):
        value = str(value)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = ", ".join(item.strip() for item in value if item.strip())
    elif not isinstance(value, str):
        raise Unreadable(f"a {type(value).__name__} where a text was expected")
    value = value.strip()
    if max_length is not None and len(value) > max_length:
        return value[:max_length].rstrip(), True
    return value, False


def text_list(value: Any) -> list[str]:
    """A list of strings; a single string becomes a list of one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(item, str | int | float) for item in value):
        return [str(item).strip() for item in value if str(item).strip()]
    raise Unreadable("not a list of texts")


def url(value: Any, max_length: int) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not value.strip().startswith(("http://", "https://")):
        raise Unreadable("not an http(s) address")
    address: str = value.strip()
    if len(address) > max_length:
        raise Unreadable(f"an address longer than {max_length} characters")
    return address


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "ja", "yes"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "nein", "no"}:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise Unreadable("not a truth value")


def integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Unreadable("not a whole number")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise Unreadable("not a whole number of at least 0")


def date(value: Any) -> datetime.date | None:
    """An ISO date, a German ``TT.MM.JJJJ``, or the date of a date-time."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Unreadable("not a date")
    value = value.strip()
    german = _GERMAN_DATE.match(value)
    try:
        if german:
            day, month, year = (int(part) for part in german.groups())
            return datetime.date(year, month, day)
        if len(value) > 10:
            return date_time(value).astimezone(BERLIN).date()  # type: ignore[union-attr]
        return datetime.date.fromisoformat(value)
    except (ValueError, Unreadable):
        raise Unreadable(f"{value[:40]!r} is not a date") from None


def date_time(value: Any) -> datetime.datetime | None:
    """An ISO date-time; without a zone it is taken as German time, a bare date as midnight."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Unreadable("not a date and time")
    value = value.strip()
    try:
        if len(value) <= 10:
            day = date(value) or datetime.date.min
            return datetime.datetime.combine(day, datetime.time(), tzinfo=BERLIN)
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, Unreadable):
        raise Unreadable(f"{value[:40]!r} is not a date and time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)


def reference(value: Any) -> tuple[str, dict[str, Any] | None]:
    """(id, embedded object or None) of a property that names one object: its URL or the
    object itself; a list of exactly one is taken as that one."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str) and value.strip().startswith(("http://", "https://")):
        return value.strip(), None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"].strip(), value
    raise Unreadable("not the address of an object nor an object")


def references(value: Any) -> list[tuple[str, dict[str, Any] | None]]:
    """A list of references; a single reference is taken as a list of one."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        found.append(reference(item))
    return found


def too_deep(value: Any, limit: int) -> bool:
    """True when lists and objects are nested in ``value`` more than ``limit`` deep (checked
    without recursion, so any depth can be asked about)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False

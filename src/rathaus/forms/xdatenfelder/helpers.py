"""Small helpers of the conversion: names, ids, numbers, dates and text."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from xml.etree.ElementTree import Element

from rathaus.forms.xdatenfelder.constants import (
    _ISO_DATE,
    _TRANSLITERATION,
    JSON,
    SLUG_WORDS_MAX,
)
from rathaus.forms.xdatenfelder.document import (
    XDatenfelderError,
    _Child,
    _Field,
    _Group,
)


def _set_bounds(schema: JSON, child: _Child, *, always_max: bool = False) -> None:
    if child.min > 0:
        schema["minItems"] = child.min
    if child.max is not None and (always_max or child.max > 1):
        schema["maxItems"] = child.max


def _is_static(item: _Field) -> bool:
    return item.feldart in ("label", "locked") or item.datentyp == "obj"


def _is_empty(element: Element) -> bool:
    return len(element) == 0 and not (element.text or "").strip() and not element.attrib


def _number(raw: str, key: str, ident: str) -> int | float:
    text = raw.strip()
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise XDatenfelderError(f"invalid {key} '{raw}' in field {ident}: expected a number")
    return int(value) if value.is_integer() and re.fullmatch(r"[+-]?\d+(\.0*)?", text) else value


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_ISO_DATE.match(text))


def _date_bounds(item: _Field, schema: JSON) -> list[str]:
    """A date field's minValue/maxValue as `formatMinimum`/`formatMaximum` (ADR 0034); the
    warnings for bounds that are no date (YYYY-MM-DD) or contradict each other."""
    ident = f"field {item.id} „{item.label}“: praezisierung"
    warnings = []
    for key, keyword in (("minValue", "formatMinimum"), ("maxValue", "formatMaximum")):
        raw = item.constraints.get(key)
        if raw is None:
            continue
        if _is_iso_date(raw):
            schema[keyword] = raw
        else:
            warnings.append(f"{ident} {key} '{raw}' is not a date (YYYY-MM-DD) and is ignored")
    if schema.get("formatMinimum", "") > schema.get("formatMaximum", "9999-12-31"):
        warnings.append(f"{ident} minValue is after maxValue; both are ignored")
        del schema["formatMinimum"], schema["formatMaximum"]
    return warnings


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _slug_words(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "_", _ascii(text).lower()).strip("_")
    if len(words) <= SLUG_WORDS_MAX:
        return words
    cut = words[:SLUG_WORDS_MAX]
    return cut.rsplit("_", 1)[0] if "_" in cut else cut


def _property_name(ident: str, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", _ascii(ident).lower()).strip("_") or "element"
    if not base[0].isalpha():
        base = f"x{base}"
    words = _slug_words(name)
    return f"{base}_{words}" if words else base


def _unique_name(element: _Field | _Group, taken: set[str]) -> str:
    return _unique_id(_property_name(element.id, element.name), taken)


def _step_id(base: str, taken: set[str]) -> str:
    """A step id the engine accepts: at most 41 characters, unique in the form."""
    return _unique_id(base[:36].rstrip("_-") or "schritt", taken)


def _unique_id(base: str, taken: set[str]) -> str:
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}_{number}"
    taken.add(candidate)
    return candidate


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    """Lines joined, paragraphs (blank lines) kept: the form shows them as paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "\n\n".join(p for p in (_one_line(part) for part in paragraphs) if p)


def _shorten(text: str, limit: int = 80) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unique(items: list[str]) -> list[str]:
    return [item for item in dict.fromkeys(items) if item]

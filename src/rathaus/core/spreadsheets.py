"""CSV for spreadsheet programs: cells that are not run as formulas, files German Excel opens."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = frozenset({"=", "+", "-", "@", "\t", "\r"})


_PLAIN_NUMBER = re.compile(r"^-?[0-9]+(,[0-9]+)?\Z")


def formula_safe(text: str) -> str:
    """Text that spreadsheet programs do not run as a formula (CSV injection): a cell that
    starts like a formula gets a leading apostrophe and is shown as text."""
    if _PLAIN_NUMBER.match(text):  # "-5,50" is an amount, not a formula
        return text
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_response(rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A ``;``-separated UTF-8 CSV with a byte order mark (so Excel reads the umlauts); every
    text cell is made formula-safe, numbers are written as they are."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in rows:
        writer.writerow([formula_safe(cell) if isinstance(cell, str) else cell for cell in row])
    return response

"""Postal codes: which places and which Kreis a German postal code covers."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from rathaus.core.models import PostalPlace

POSTAL_CODES = Path(__file__).parent / "data" / "postal_codes.csv"
_POSTAL_CODE = re.compile(r"\d{5}")
COLUMNS = ("postal_code", "place", "kreis_ags", "kreis", "state")


class InvalidPostalCode(ValueError):
    pass


def validate_postal_code(value: str) -> str:
    code = value.strip()
    if not _POSTAL_CODE.fullmatch(code):
        raise InvalidPostalCode(f"{value!r} is not a German postal code (five digits)")
    return code


@dataclass
class LoadReport:
    created: int
    unchanged: int


def load_postal_codes(path: Path = POSTAL_CODES) -> LoadReport:
    """Load the postal code table; idempotent, rows are matched by code, place and Kreis."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"{path}: expected the columns {', '.join(COLUMNS)}")
    existing = set(PostalPlace.objects.values_list("postal_code", "place", "kreis_ags"))
    new = []
    for row in reader:
        key = (row["postal_code"], row["place"], row["kreis_ags"])
        if key in existing:
            continue
        existing.add(key)
        new.append(PostalPlace(**{column: row[column] for column in COLUMNS}))
    with transaction.atomic():
        PostalPlace.objects.bulk_create(new, batch_size=1000)
    return LoadReport(created=len(new), unchanged=len(existing) - len(new))


def kreis_keys(postal_code: str) -> list[str]:
    """The Kreis AGS (5 digits) a postal code lies in; empty if the code is unknown."""
    return sorted(
        set(PostalPlace.objects.filter(postal_code=postal_code).values_list("kreis_ags", flat=True))
    )

"""Is an address in an authority's area? Postal code and place against the authority's
localities, the street against the town's street directory where one is shipped.

Street directories are package data, one CSV per authority slug in ``core/data/streets/`` (see
the README there). The check is per locality: a locality without listed streets is checked by
postal code and place only.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from rathaus.core.grammar import of_name
from rathaus.core.models import Authority

STREETS = Path(__file__).parent / "data" / "streets"
_ABBREVIATED = re.compile(r"str\.?(?=\s|$)")
_HOUSE_NUMBER = re.compile(r"[\s,]+\d+\s*[a-zA-Z]?(\s*[-/+]\s*\d*\s*[a-zA-Z]?)*\s*$")


def normalise(text: str) -> str:
    """Lower case, 'Str.' and 'Strasse' as 'straße', hyphens as spaces."""
    value = " ".join(text.casefold().replace("-", " ").replace("strasse", "straße").split())
    return _ABBREVIATED.sub("straße", value)


def street_name(street_line: str) -> str:
    """The street without its house number: 'Breiteweg 12a' -> 'Breiteweg'."""
    return _HOUSE_NUMBER.sub("", street_line).strip()


@cache
def _directory(slug: str) -> dict[str, frozenset[str]]:
    path = STREETS / f"{slug}.csv"
    if not path.is_file():
        return {}
    found: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")):
        found.setdefault(normalise(row["locality"]), set()).add(normalise(row["street"]))
    return {locality: frozenset(streets) for locality, streets in found.items()}


def streets_of(authority: Authority, locality: str) -> frozenset[str]:
    """The normalised street names listed for a locality; empty if none are listed."""
    return _directory(authority.slug).get(normalise(locality), frozenset())


def _place_matches(place: str, locality: str) -> bool:
    """'Ebendorf', 'Barleben OT Ebendorf' and 'Barleben Ebendorf' all name Ebendorf."""
    given = normalise(place)
    wanted = normalise(locality)
    if given == wanted:
        return True
    words = given.replace(" ot ", " ").replace(" ortsteil ", " ").split()
    return bool(words) and words[-1] == wanted and len(words) <= 3


def address_problem(
    authority: Authority, *, street: str, postal_code: str, place: str
) -> str | None:
    """A German message if the address is not in the authority's area, else None.

    An authority without localities has no known area; nothing is refused then.
    """
    localities = list(authority.localities.all())
    if not localities:
        return None
    outside = _(
        "This address is not in the area %(of_name)s. Please give the address where you are "
        "registered there."
    ) % {"of_name": of_name(authority.name, authority.kind)}
    matching = [
        locality
        for locality in localities
        if locality.postal_code == postal_code.strip() and _place_matches(place, locality.name)
    ]
    if not matching:
        return outside
    name = normalise(street_name(street))
    for locality in matching:
        listed = streets_of(authority, locality.name)
        if not listed or name in listed:
            return None
    return _(
        "We do not know the street “%(street)s” in %(place)s. Please check how it is written."
    ) % {"street": street_name(street), "place": matching[0].name}

"""The licences a dataset of the catalogue may carry: the open licence list of DCAT-AP.de
(``data/licences.json``, copied from the vocabulary; see the README beside it).

The URI is what is stored and exported; the German name and the licence's web page are what
people read on the pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

LICENCES_FILE = Path(__file__).resolve().parent / "data" / "licences.json"


@dataclass(frozen=True)
class Licence:
    uri: str
    label: str
    homepage: str


@cache
def licences() -> dict[str, Licence]:
    """Every licence of the list by URI, in the order of their names."""
    rows = json.loads(LICENCES_FILE.read_text(encoding="utf-8"))
    return {row["uri"]: Licence(row["uri"], row["label"], row["homepage"]) for row in rows}


# the open licences most data is published under, offered first (GovData's advice)
COMMON = (
    "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
    "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
    "http://dcat-ap.de/def/licenses/cc-by/4.0",
    "http://dcat-ap.de/def/licenses/cc-zero",
    "http://dcat-ap.de/def/licenses/cc-by-sa/4.0",
)


def choices() -> list[tuple[str, str]]:
    return [(licence.uri, licence.label) for licence in licences().values()]


def grouped_choices() -> list[Any]:
    """The choices for a select: the common open licences first, then the others in a group
    "Other licences" (Django renders a nested list as an ``<optgroup>``)."""
    known = licences()
    common = [(uri, known[uri].label) for uri in COMMON if uri in known]
    rest = [(uri, licence.label) for uri, licence in known.items() if uri not in COMMON]
    return [*common, (_("Other licences"), rest)]


def known(uri: str) -> bool:
    return uri in licences()


def describe(uri: str) -> Licence | None:
    """The licence behind ``uri``: from the list, or only the URI for one not in the list (a
    harvested dataset may carry one); None without a licence."""
    if not uri:
        return None
    return licences().get(uri) or Licence(uri, uri, uri if uri.startswith("http") else "")

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


def choices() -> list[tuple[str, str]]:
    return [(licence.uri, licence.label) for licence in licences().values()]


def known(uri: str) -> bool:
    return uri in licences()


def describe(uri: str) -> Licence | None:
    """The licence behind ``uri``: from the list, or only the URI for one not in the list (a
    harvested dataset may carry one); None without a licence."""
    if not uri:
        return None
    return licences().get(uri) or Licence(uri, uri, uri if uri.startswith("http") else "")

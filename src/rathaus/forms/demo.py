"""The forms part of the Barleben demo: the form packages shipped in forms/data/."""

from __future__ import annotations

from pathlib import Path

from rathaus.core.demo import Tally
from rathaus.forms import packages

DATA = Path(__file__).parent / "data"


def load(tally: Tally) -> None:
    for path in sorted(DATA.glob("*/*.json")):
        _version, outcome = packages.install(packages.read(path))
        tally[f"FormVersion: {outcome}"] += 1

"""The accessibility statement, generated from ``data/accessibility.toml`` (ADR 0024).

The data file lists the pages the browser tests check with axe-core and the known gaps; it is
the only source of the statement, and a test checks that each listed page is opened by the
browser test it names. The state of compliance follows from it: fully compliant only without
any gap, including the gaps of the authority (no text in Leichte Sprache, no video in sign
language).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "accessibility.toml"

FULLY = "fully"
PARTIALLY = "partially"


@dataclass(frozen=True)
class Covered:
    page: str
    path: str
    test: str


@dataclass(frozen=True)
class Gap:
    title: str
    text: str


@dataclass(frozen=True)
class Statement:
    checked_on: dt.date
    method: str
    covered: tuple[Covered, ...]
    gaps: tuple[Gap, ...]

    @property
    def status(self) -> str:
        return PARTIALLY if self.gaps else FULLY


@cache
def _data() -> dict[str, Any]:
    with open(DATA_FILE, "rb") as fh:
        return tomllib.load(fh)


def project_state() -> Statement:
    """What the project's tests cover and the gaps it knows, for every authority."""
    data = _data()
    return Statement(
        checked_on=data["checked_on"],
        method=data["method"],
        covered=tuple(Covered(**item) for item in data.get("covered", ())),
        gaps=tuple(Gap(**item) for item in data.get("gap", ())),
    )


def statement(texts: Any) -> Statement:
    """The statement for one authority: the project's state plus the authority's own gaps."""
    state = project_state()
    own: list[Gap] = []
    if not texts.easy_language.strip():
        own.append(Gap(_("Leichte Sprache"), _("There is no explanation in Leichte Sprache yet.")))
    if texts.sign_language_video_id is None:
        own.append(
            Gap(_("German Sign Language"), _("There is no video in German Sign Language yet."))
        )
    elif texts.sign_language_captions_id is None:
        own.append(Gap(_("Captions"), _("The video in German Sign Language has no captions.")))
    return Statement(state.checked_on, state.method, state.covered, state.gaps + tuple(own))

"""Official German municipality keys: Amtlicher Gemeindeschlüssel (AGS) and Regionalschlüssel (ARS).

AGS (8 digits): Land (2) · Regierungsbezirk (1) · Kreis (2) · Gemeinde (3).
ARS (12 digits): Land (2) · Regierungsbezirk (1) · Kreis (2) · Gemeindeverband (4) · Gemeinde (3).
A Kreis is keyed by the first 5 digits, a Land by the first 2.

For an Einheitsgemeinde (a municipality that belongs to no Verbandsgemeinde) the Gemeindeverband
part is a ``0`` followed by the three-digit municipality number, so Barleben's AGS 15083040 gives
the ARS 15083 0040 040.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+")


def validate_ags(value: str) -> str:
    """Return ``value`` if it is an AGS of a Land (2), Kreis (5) or Gemeinde (8 digits)."""
    if not _DIGITS.fullmatch(value) or len(value) not in {2, 5, 8}:
        raise ValueError("AGS must have 2 (Land), 5 (Kreis) or 8 (Gemeinde) digits")
    return value


def validate_ars(value: str) -> str:
    if not _DIGITS.fullmatch(value) or len(value) != 12:
        raise ValueError("ARS must have 12 digits")
    return value


def ars_for_einheitsgemeinde(ags: str) -> str:
    """The 12-digit ARS of an Einheitsgemeinde from its 8-digit AGS."""
    validate_ags(ags)
    if len(ags) != 8:
        raise ValueError("an Einheitsgemeinde has an 8-digit AGS")
    kreis, gemeinde = ags[:5], ags[5:]
    return f"{kreis}0{gemeinde}{gemeinde}"


def ars_for_area(ags: str) -> str:
    """The ARS of a Land or Kreis: its AGS padded with zeros to 12 digits."""
    validate_ags(ags)
    if len(ags) == 8:
        raise ValueError(
            "use ars_for_einheitsgemeinde (or the Verbandsgemeinde's key) for a Gemeinde"
        )
    return ags.ljust(12, "0")


def ags_of_ars(ars: str) -> str:
    """The 8-digit AGS contained in a Gemeinde-level ARS."""
    validate_ars(ars)
    return ars[:5] + ars[9:]


# The first two digits of an AGS or ARS (the Land key) and the Land's ISO 3166-2:DE code.
STATE_OF_LAND_KEY = {
    "01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP",
    "08": "BW", "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN",
    "15": "ST", "16": "TH",
}  # fmt: skip


def state_of_ars(ars: str) -> str:
    """The ISO code of the Land a regional key (ARS or AGS) belongs to, or "" if none."""
    return STATE_OF_LAND_KEY.get(ars[:2], "")

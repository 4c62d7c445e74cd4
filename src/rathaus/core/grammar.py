"""German grammar for the names of authorities.

Pages say "Leistungen der Gemeinde Barleben" but "Leistungen des Landkreises Börde": the article
and the ending follow the noun at the start of the name, or, for a bare name such as
"Barleben", the kind of authority.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext

# Leading noun → its genitive with article. Feminine nouns keep their form ("der Gemeinde");
# masculine and neuter ones take "des" and an -(e)s ending.
_GENITIVE_OF_NOUN = {
    "Gemeinde": "der Gemeinde",
    "Einheitsgemeinde": "der Einheitsgemeinde",
    "Verbandsgemeinde": "der Verbandsgemeinde",
    "Samtgemeinde": "der Samtgemeinde",
    "Verwaltungsgemeinschaft": "der Verwaltungsgemeinschaft",
    "Stadt": "der Stadt",
    "Hansestadt": "der Hansestadt",
    "Landeshauptstadt": "der Landeshauptstadt",
    "Lutherstadt": "der Lutherstadt",
    "Region": "der Region",
    "Landkreis": "des Landkreises",
    "Kreis": "des Kreises",
    "Markt": "des Marktes",
    "Flecken": "des Fleckens",
    "Amt": "des Amtes",
    "Land": "des Landes",
    "Freistaat": "des Freistaates",
    "Bezirksamt": "des Bezirksamtes",
}

# For a name without such a noun ("Barleben", "Sachsen-Anhalt"): the noun of its kind.
_NOUN_OF_KIND = {
    "gemeinde": "Gemeinde",
    "verbandsgemeinde": "Verbandsgemeinde",
    "landkreis": "Landkreis",
    "land": "Land",
}


def german_genitive(name: str, kind: str) -> str:
    """The name with article in the genitive: 'des Landkreises Börde', 'der Gemeinde Barleben'."""
    first, _, rest = name.strip().partition(" ")
    if first in _GENITIVE_OF_NOUN and rest:
        return f"{_GENITIVE_OF_NOUN[first]} {rest}"
    noun = _NOUN_OF_KIND.get(kind)
    if noun is None:
        return f"von {name}"
    return f"{_GENITIVE_OF_NOUN[noun]} {name}"


def of_name(name: str, kind: str) -> str:
    """'of NAME' in the active language, for texts such as 'Services %(of_name)s'."""
    if (get_language() or "de").split("-")[0] == "de":
        return german_genitive(name, kind)
    return gettext("of %(name)s") % {"name": name}

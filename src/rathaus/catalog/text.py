"""German-aware text normalisation for the catalogue search.

Both the indexed text and the query pass through :func:`terms`: lower case, umlauts and ß written
out (ä → ae, ß → ss), other accents dropped, split into words, and a light suffix stemming so
that "anmelden" and "Anmeldung" meet at "anmeld". The search then matches every query term as a
prefix, so "hund" finds "Hundesteuer" and "Hundehaltung".
"""

from __future__ import annotations

import re
import unicodedata

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_WORD = re.compile(r"[a-z0-9]+")
# Longest first; a stem keeps at least four letters.
_SUFFIXES = ("ungen", "ung", "en", "er", "es", "e", "n", "s")
_STOPWORDS = frozenset(
    [
        "der",
        "die",
        "das",
        "den",
        "dem",
        "des",
        "ein",
        "eine",
        "einer",
        "eines",
        "einem",
        "einen",
        "und",
        "oder",
        "fuer",
        "von",
        "vom",
        "zu",
        "zum",
        "zur",
        "im",
        "in",
        "an",
        "am",
        "auf",
        "aus",
        "bei",
        "mit",
        "nach",
        "ueber",
        "unter",
        "ich",
        "mein",
        "meine",
        "meinen",
        "wie",
        "was",
        "wo",
        "wer",
        "ist",
    ]
)
MIN_STEM = 4


def fold(text: str) -> str:
    """Lower case with umlauts written out and other diacritics removed."""
    lowered = text.lower().translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def terms(text: str, *, drop_stopwords: bool = False) -> list[str]:
    words = _WORD.findall(fold(text))
    if drop_stopwords:
        words = [word for word in words if word not in _STOPWORDS]
    return [stem(word) for word in words]


def index_text(*parts: str) -> str:
    """The normalised form stored for the full-text index."""
    return " ".join(term for part in parts for term in terms(part))

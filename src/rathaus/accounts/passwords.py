"""Passwords made mostly of the words of this portal: the town's or authority's name, "rathaus"
(ASVS 5.0 V6.1.2 and V6.2.11; the list is documented in docs/security.md).

A password is refused when what is left after taking out those words is shorter than the
minimum length: "Barleben-2026!" is refused, a long sentence that names the town is not.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The portal's own words; the names of the authorities (and their short names) come on top.
CONTEXT_WORDS = (
    "rathaus", "verwaltung", "gemeinde", "stadt", "landkreis", "kreis", "amt", "behoerde",
    "behörde", "bürgerbüro", "buergerbuero", "bürgeramt", "buergeramt", "einwohnermeldeamt",
    "portal", "bundid",
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]{3,}")


def context_words() -> set[str]:
    """The portal's words and every word of three letters or more of the authorities' names."""
    from rathaus.core.models import Authority

    words = set(CONTEXT_WORDS)
    for name, slug in Authority.objects.values_list("name", "slug"):
        words.update(word.casefold() for word in _WORD.findall(f"{name} {slug}"))
    return words


class ContextWordsValidator:
    def __init__(self, min_remaining: int = 12) -> None:
        self.min_remaining = min_remaining

    def validate(self, password: str, user: Any = None) -> None:
        rest = password.casefold()
        # Longest first, so that "bürgerbüro" goes as one word before "amt" or "kreis".
        for word in sorted(context_words(), key=len, reverse=True):
            rest = rest.replace(word, "")
        if len(rest) < self.min_remaining:
            raise ValidationError(
                _(
                    "This password consists mostly of words such as the name of the town or "
                    "of this portal. Please choose another one."
                ),
                code="password_context_words",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must not consist mostly of the name of the town, the authority or "
            "this portal."
        )

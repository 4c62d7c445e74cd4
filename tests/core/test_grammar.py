"""Authority names in the German genitive: 'des Landkreises Börde', 'der Gemeinde Barleben'."""

from __future__ import annotations

import pytest
from django.utils import translation

from rathaus.core.grammar import german_genitive
from rathaus.core.models import Authority


@pytest.mark.parametrize(
    ("name", "kind", "genitive"),
    [
        ("Gemeinde Barleben", "gemeinde", "der Gemeinde Barleben"),
        ("Barleben", "gemeinde", "der Gemeinde Barleben"),
        ("Landkreis Börde", "landkreis", "des Landkreises Börde"),
        ("Börde", "landkreis", "des Landkreises Börde"),
        ("Verbandsgemeinde Elbe-Heide", "verbandsgemeinde", "der Verbandsgemeinde Elbe-Heide"),
        ("Stadt Wolmirstedt", "gemeinde", "der Stadt Wolmirstedt"),
        ("Hansestadt Stendal", "gemeinde", "der Hansestadt Stendal"),
        ("Land Sachsen-Anhalt", "land", "des Landes Sachsen-Anhalt"),
        ("Sachsen-Anhalt", "land", "des Landes Sachsen-Anhalt"),
        ("Freistaat Sachsen", "land", "des Freistaates Sachsen"),
        ("Landkreis", "landkreis", "des Landkreises Landkreis"),  # a noun alone is a name
    ],
)
def test_the_article_and_ending_follow_the_leading_noun_or_the_kind(name, kind, genitive):
    assert german_genitive(name, kind) == genitive


def test_an_authority_says_of_its_name_in_the_active_language():
    authority = Authority(name="Landkreis Börde", kind="landkreis")
    with translation.override("de"):
        assert authority.of_name == "des Landkreises Börde"
    with translation.override("en"):
        assert authority.of_name == "of Landkreis Börde"

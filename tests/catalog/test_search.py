"""German-aware catalogue search, the same on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

import pytest

from rathaus.catalog import search, services
from rathaus.catalog.importer import import_catalog
from rathaus.catalog.models import LifeSituation, OzgService, Service, Topic
from rathaus.catalog.text import fold, terms
from tests.support import DATA

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

FULL = DATA / "ozg-katalog" / "leistungen.csv"


@pytest.fixture(scope="module")
def catalogue(django_db_setup, django_db_blocker):
    """The full catalogue, imported once for this module and removed afterwards."""
    with django_db_blocker.unblock():
        import_catalog(FULL.read_bytes())
        synonyms = Service.objects.filter(synonyms="").values_list("pk", flat=True)
        assert synonyms.exists()
        yield
        Service.objects.all().delete()
        OzgService.objects.all().delete()
        LifeSituation.objects.all().delete()
        Topic.objects.all().delete()


@pytest.fixture(autouse=True)
def _db(db):
    """Each test runs in a transaction that is rolled back; the module's catalogue stays."""


def names(query: str, n: int = 5) -> list[str]:
    hits = search.search(query)[:n]
    by_id = Service.objects.in_bulk([hit.service_id for hit in hits])
    return [by_id[hit.service_id].name for hit in hits]


def test_folding_and_stemming():
    assert fold("Straßenfest Übergröße") == "strassenfest uebergroesse"
    assert terms("Anmeldung anmelden") == ["anmeld", "anmeld"]
    assert terms("Hund") == ["hund"]


def test_geburtsurkunde(catalogue):
    assert names("Geburtsurkunde")[:2] == ["Geburtsurkunde", "Geburtsurkunde Ausstellung"]


def test_prefix_and_stem_match(catalogue):
    assert names("Hund anmelden")[0] == "Hundehaltung Anmeldung"
    assert "Gewerbe Anmeldung" in names("Gewerbe anmelden", 3)


@pytest.mark.parametrize("query", ["Strassenfest", "Straßenfest", "STRASSENFEST"])
def test_umlauts_and_sharp_s_are_equivalent(catalogue, query):
    service = Service.objects.get(leika_key="99059001104000")  # Eheschließung Anmeldung
    services.set_synonyms(service, ["Straßenfest"])
    assert service.name in names(query)


def test_synonyms_are_searched(catalogue):
    service = Service.objects.get(leika_key="99008001000000")  # Personalausweis
    services.set_synonyms(service, ["Perso", "Ausweis verloren"])
    assert names("Ausweis verloren")[0] == "Personalausweis"


@pytest.mark.parametrize(
    ("query", "word"),
    [('"Geburtsurkunde', "Geburtsurkunde"), ("Geburtsurk*", "Geburtsurkunde"),
     ("NEAR Geburtsurkunde", "Geburtsurkunde"), ("-Geburtsurkunde", "Geburtsurkunde"),
     ('NEAR("Geburtsurkunde" "x")', "Geburtsurkunde"), ("Geburtsurkunde OR AND", "Geburtsurkunde"),
     ("'; DROP TABLE catalog_service; --", None)],
)  # fmt: skip
def test_search_syntax_is_just_text(catalogue, query, word):
    found = names(query)
    if word:
        assert found[0] == word
    assert Service.objects.count() > 5000


@pytest.mark.parametrize("query", ["", " ", "a", "-", "*"])
def test_too_short_queries_are_refused(catalogue, query):
    with pytest.raises(search.QueryTooShort):
        search.search(query)


def test_any_word_matches_when_all_words_find_nothing(catalogue):
    assert names("Geburtsurkunde Quarkspeise")[0] == "Geburtsurkunde"


@pytest.fixture
def with_shipped_synonyms(catalogue):
    from rathaus.catalog.demo import _load_synonyms
    from rathaus.core.demo import Tally

    _load_synonyms(Tally())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Geburtsurkunde", "Geburtsurkunde"),
        ("Personalausweis verloren", "Personalausweis Ausstellung neu wegen Verlust"),
        ("Perso verloren", "Personalausweis Ausstellung neu wegen Verlust"),
        ("Hund anmelden", "Hundehaltung Anmeldung"),
        ("Strassenfest", "Sondernutzung von Straßen Erlaubnis"),
        ("heiraten", "Eheschließung"),
        ("Demo anmelden", "Versammlung"),
        ("Umzug", "Wohnsitz"),
        ("Gewerbe anmelden", "Gewerbe Anmeldung"),
        ("Fuehrerschein", "Führerschein"),
    ],
)
def test_everyday_words_find_the_service_a_person_means(with_shipped_synonyms, query, expected):
    """The service (or, for a general word, a service of that kind) is among the first three."""
    top = names(query, 3)
    assert expected in top or any(name.startswith(expected) for name in top), top

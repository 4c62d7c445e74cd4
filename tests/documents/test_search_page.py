"""The staff search page of the e-file: a GET form, hits linked to their files, no errors."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.documents.models import Version
from tests.factories import PASSWORD, DocumentFactory, FileFactory, OrgUnitFactory, VersionFactory
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.database, pytest.mark.django_db]


@pytest.fixture
def unit():
    return OrgUnitFactory()


@pytest.fixture
def client(unit) -> Client:
    clerk_of(unit, "sachbearbeitung")
    return log_in(Client(), "sachbearbeitung", PASSWORD)


def filed(text: str, unit, **fields):
    document = DocumentFactory(file=FileFactory(org_unit=unit), **fields)
    VersionFactory(document=document, text=text, text_status=Version.TextStatus.DONE)
    return document


def test_the_page_shows_hits_in_context_linked_to_their_file(client, unit):
    document = filed("Bitte prüfen Sie den Lärmschutz an der Schule.", unit, title="Beschwerde")

    html = client.get("/verwaltung/akten/suche/", {"q": "Lärmschutz"}).content.decode()

    assert f'href="/verwaltung/akten/{document.file_id}/"' in html
    assert document.file.number in html
    assert "Beschwerde" in html
    assert "(Version 1)" in html
    assert "<mark>Lärmschutz</mark>" in html


def test_the_empty_page_has_the_form_and_no_hits(client):
    html = client.get("/verwaltung/akten/suche/").content.decode()

    assert '<form method="get" role="search"' in html
    assert "Akten durchsuchen" in html
    assert "Treffer" not in html


def test_another_units_documents_are_not_shown(client):
    filed("Vertraulich: Disziplinarverfahren", OrgUnitFactory(), title="Geheim")

    html = client.get("/verwaltung/akten/suche/", {"q": "Disziplinarverfahren"}).content.decode()

    assert "Geheim" not in html
    assert "Keine Dokumente in Ihren Akten gefunden." in html


@pytest.mark.parametrize("query", ['"', "AND", "*", "NEAR(", "<script>", "a" * 1000])
def test_odd_queries_are_answered(client, query):
    response = client.get("/verwaltung/akten/suche/", {"q": query, "seite": "x"})

    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_hits_are_paged(client, unit):
    for number in range(25):
        filed(f"Rundschreiben {number}", unit)

    first = client.get("/verwaltung/akten/suche/", {"q": "rundschreiben"}).content.decode()
    second = client.get("/verwaltung/akten/suche/", {"q": "rundschreiben", "seite": "2"})

    assert first.count('class="search-hit"') == 20
    assert "?q=rundschreiben&amp;seite=2" in first
    assert second.content.decode().count('class="search-hit"') == 5
    assert 'start="21"' in second.content.decode()


def test_the_page_needs_a_staff_login():
    response = Client().get("/verwaltung/akten/suche/", {"q": "x"})

    assert response.status_code == 302

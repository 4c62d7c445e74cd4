"""Citizen pages of the catalogue."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def test_browse_lists_the_local_offer_and_topics(
    client, barleben_catalogue, django_assert_max_num_queries, settings
):
    settings.RATHAUS_PAGE_CACHE_SECONDS = 0  # the rendering's own queries (page cache: its tests)
    with django_assert_max_num_queries(5):
        response = client.get("/leistungen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Leistungen der Gemeinde Barleben" in html
    assert "Geburtsurkunde Ausstellung" in html
    assert "Familie &amp; Kind" in html


def test_topic_and_life_situation_pages(client, barleben_catalogue):
    browse = client.get("/leistungen/").content.decode()
    assert 'href="/leistungen/thema/familie-kind/"' in browse
    topic = client.get("/leistungen/thema/familie-kind/")
    assert topic.status_code == 200
    situation_links = [
        part.split('"')[0]
        for part in topic.content.decode().split('href="/leistungen/thema/familie-kind/')[1:]
    ]
    situation = client.get(f"/leistungen/thema/familie-kind/{situation_links[0]}")
    assert situation.status_code == 200


def test_search_page_finds_and_marks_local_services(client, barleben_catalogue):
    response = client.get("/leistungen/suche", {"q": "Geburtsurkunde"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Geburtsurkunde Ausstellung" in html
    assert "von Gemeinde Barleben angeboten" in html


@pytest.mark.parametrize(
    ("query", "message"), [("", "Bitte geben Sie ein"), ("a", "mindestens zwei")]
)
def test_search_page_explains_too_short_queries(client, barleben_catalogue, query, message):
    response = client.get("/leistungen/suche", {"q": query})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_search_page_nothing_found(client, barleben_catalogue):
    response = client.get("/leistungen/suche", {"q": "Quarkspeise"})
    assert "Keine Leistung gefunden" in response.content.decode()


def test_service_page_shows_what_a_citizen_needs(
    client, barleben_catalogue, django_assert_max_num_queries, settings
):
    settings.RATHAUS_PAGE_CACHE_SECONDS = 0  # the rendering's own queries (page cache: its tests)
    with django_assert_max_num_queries(9):  # 8 + the responsibility rules of its offer
        response = client.get("/leistungen/99027002012000/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Geburtsurkunde Ausstellung" in html
    assert "12,00 € je Urkunde" in html
    assert "Personalausweis oder Reisepass" in html
    assert "Standesamt" in html


def test_service_page_finder(client, barleben_catalogue):
    html = client.get("/leistungen/99089016000000/", {"plz": "39179"}).content.decode()
    assert "Landkreis Börde" in html
    assert "Versammlungsbehörde" in html
    bad = client.get("/leistungen/99089016000000/", {"plz": "123"})
    assert bad.status_code == 400
    assert 'aria-invalid="true"' in bad.content.decode()


def test_unknown_or_malformed_service_keys_are_404(client, barleben_catalogue):
    assert client.get("/leistungen/99999999999999/").status_code == 404
    assert client.get("/leistungen/abc/").status_code == 404


def test_services_entry_in_the_navigation(client, barleben_catalogue):
    html = client.get("/").content.decode()
    assert 'href="/leistungen/"' in html

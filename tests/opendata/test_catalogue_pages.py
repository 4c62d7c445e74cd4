"""The public pages of the open data catalogue (/daten/katalog/): the list with search, filters
and paging, the page of one dataset, and the check before publishing."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.opendata import catalogue_publish
from rathaus.opendata.catalogue_models import Dataset
from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

LIST = "/daten/katalog/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def titles(html: str, *candidates: str) -> set[str]:
    return {title for title in candidates if f">{title}</a></h2>" in html}


def test_the_list_shows_the_published_datasets_of_the_portal_only(town):
    ground = DatasetFactory(authority=town, title="Grundwasserstände")
    DistributionFactory(dataset=ground, format="CSV")
    DistributionFactory(dataset=ground, format="JSON", media_type="application/json")
    DatasetFactory(authority=town, title="Entwurf Haushalt", status=Dataset.Status.DRAFT)
    DatasetFactory(title="Fremder Datensatz")  # of another authority

    html = Client().get(LIST).content.decode()

    assert titles(html, "Grundwasserstände", "Entwurf Haushalt", "Fremder Datensatz") == {
        "Grundwasserstände"
    }
    assert "1 Datensatz" in html
    assert "Datenlizenz Deutschland Namensnennung 2.0" in html  # the licence in words
    assert ">Tabelle (CSV)</span>" in html  # the format in words
    assert ">Daten (JSON)</span>" in html
    assert f"Zuletzt geändert: {ground.modified.day}." in html
    assert 'href="/daten/katalog/grundwasser' not in html  # the slug, not the title, is the path
    assert f'href="/daten/katalog/{ground.slug}/"' in html


@pytest.mark.database  # the keyword filter differs between the databases (JSON containment)
def test_search_and_filters_narrow_the_list(town):
    ground = DatasetFactory(authority=town, title="Grundwasserstände", themes=["ENVI"],
                            keywords=["Umwelt", "Wasser"])  # fmt: skip
    DistributionFactory(dataset=ground, format="CSV")
    budget = DatasetFactory(authority=town, title="Haushaltsplan 2026", themes=["GOVE", "ECON"],
                            keywords=["Finanzen"], description="Einnahmen und Ausgaben.")  # fmt: skip
    DistributionFactory(dataset=budget, format="XLSX")
    roads = DatasetFactory(authority=town, title="Baustellen", themes=["TRAN"], keywords=[],
                           publisher_name="Landkreis Börde", description="Straßensperrungen")  # fmt: skip
    DistributionFactory(dataset=roads, format="GEOJSON")
    client = Client()
    every = ("Grundwasserstände", "Haushaltsplan 2026", "Baustellen")

    def found(**query: str) -> set[str]:
        response = client.get(LIST, query)
        assert response.status_code == 200
        return titles(response.content.decode(), *every)

    assert found() == set(every)
    assert found(q="haushalt") == {"Haushaltsplan 2026"}  # title, any case
    assert found(q="ausgaben einnahmen") == {"Haushaltsplan 2026"}  # every word, description
    assert found(q="wasser umwelt") == {"Grundwasserstände"}  # keywords too
    assert found(q="haushalt wasser") == set()
    assert found(thema="ECON") == {"Haushaltsplan 2026"}
    assert found(thema="NONSENSE") == set(every)  # an unknown theme filters nothing
    assert found(format="GEOJSON") == {"Baustellen"}
    assert found(schlagwort="Wasser") == {"Grundwasserstände"}
    assert found(schlagwort="Wass") == set()  # a keyword, not a part of one
    assert found(herausgeber="Landkreis Börde") == {"Baustellen"}
    assert found(herausgeber="eigene") == {"Grundwasserstände", "Haushaltsplan 2026"}
    assert found(q="plan", thema="GOVE", format="XLSX") == {"Haushaltsplan 2026"}

    html = client.get(LIST, {"q": "Schwimmbad"}).content.decode()
    assert "Kein Datensatz passt." in html
    assert "Alle Datensätze anzeigen" in html
    # the filters offer what there is: the formats and the other publisher
    html = client.get(LIST).content.decode()
    assert '<option value="GEOJSON">Kartendaten (GeoJSON)</option>' in html
    # only the categories in use, with how many datasets use each
    assert '<option value="ENVI">Umwelt (1)</option>' in html
    assert '<option value="TRAN">Verkehr (1)</option>' in html
    assert 'value="AGRI"' not in html
    assert "Offene Daten der Gemeinde Barleben" in html
    assert '<option value="Landkreis Börde">Landkreis Börde</option>' in html


def test_the_list_is_paged_and_survives_odd_page_numbers(town):
    for number in range(23):
        DatasetFactory(authority=town, title=f"Messreihe {number:02d}")
    client = Client()

    first = client.get(LIST, {"sortierung": "titel"}).content.decode()
    assert "Seite 1 von 2" in first
    assert "Messreihe 19" in first
    assert "Messreihe 20" not in first
    assert "sortierung=titel&amp;seite=2" in first
    second = client.get(LIST, {"sortierung": "titel", "seite": "2"}).content.decode()
    assert "Messreihe 22" in second
    assert "Messreihe 00" not in second
    for odd in ("abc", "0", "-3", "99999999999999999999"):
        assert client.get(LIST, {"seite": odd}).status_code == 200, odd


def test_the_dataset_page_shows_everything_a_data_user_needs(town):
    dataset = DatasetFactory(
        authority=town, slug="grundwasser", title="Grundwasserstände",
        description="Tägliche Stände.", contact_name="Bauamt", contact_email="bau@example.org",
        temporal_start=datetime.date(2020, 1, 1), temporal_end=datetime.date(2025, 12, 31),
        licence="http://dcat-ap.de/def/licenses/cc-by/4.0", themes=["ENVI"],
        landing_page="https://www.barleben.de/umwelt/grundwasser",
    )  # fmt: skip
    DistributionFactory(
        dataset=dataset, title="Tageswerte", download_url="https://daten.example.org/gw.csv",
        byte_size=2_500_000, format="CSV", position=1,
    )  # fmt: skip
    DistributionFactory(
        dataset=dataset, title="Schnittstelle", access_url="https://daten.example.org/api",
        download_url="", format="JSON", position=0,
        link_status="broken",
    )  # fmt: skip

    html = Client().get("/daten/katalog/grundwasser/").content.decode()

    assert "<h1" in html
    assert "Grundwasserstände</h1>" in html
    assert "Tägliche Stände." in html
    assert ('<a class="kern-link" href="http://creativecommons.org/licenses/by/4.0/" '
            'rel="license">Creative Commons Namensnennung 4.0 International (CC BY 4.0)</a>'
            ) in html  # fmt: skip
    assert "Täglich" in html  # the update frequency
    assert "1. Januar 2020 bis 31. Dezember 2025" in html
    assert "Gebiet der Gemeinde Barleben" in html
    assert "Tabelle (CSV)" in html  # the format in words
    assert ">Tageswerte herunterladen</span>" in html
    assert ">Schnittstelle öffnen</span>" in html
    assert ">Webseite auf barleben.de</a>" in html
    assert "Umwelt" in html  # the theme in words
    assert 'href="https://daten.example.org/gw.csv"' in html
    assert "2,4\xa0MB" in html
    assert html.index("Schnittstelle") < html.index("Tageswerte")  # by position
    assert "bei der letzten Prüfung nicht erreichbar" in html
    assert 'href="mailto:bau@example.org"' in html
    for suffix in ("ttl", "rdf", "jsonld"):
        assert f'href="/daten/katalog/grundwasser.{suffix}"' in html


def test_files_on_our_own_portal_are_linked_by_path(town):
    dataset = DatasetFactory(authority=town, slug="luft")
    DistributionFactory(
        dataset=dataset, title="PM10", access_url="http://testserver/daten/luft/7.csv",
        download_url="http://testserver/daten/luft/7.csv?zeitraum=woche", format="CSV",
    )  # fmt: skip
    DistributionFactory(
        dataset=dataset, title="Fremd", access_url="https://daten.example.org/x.csv",
        download_url="https://daten.example.org/x.csv", format="CSV",
    )  # fmt: skip
    html = Client().get("/daten/katalog/luft/").content.decode()
    assert 'href="/daten/luft/7.csv?zeitraum=woche"' in html
    assert 'href="/daten/luft/7.csv"' in html  # the access page
    assert "http://testserver/daten/luft/" not in html
    assert 'href="https://daten.example.org/x.csv"' in html
    # the stored address stays absolute (for the RDF export)
    assert dataset.distributions.get(title="PM10").access_url.startswith("http://testserver/")


def test_only_published_datasets_of_the_portal_have_a_page(town):
    DatasetFactory(authority=town, slug="entwurf", status=Dataset.Status.DRAFT)
    DatasetFactory(slug="fremd")
    client = Client()
    assert client.get("/daten/katalog/entwurf/").status_code == 404
    assert client.get("/daten/katalog/fremd/").status_code == 404
    assert client.get("/daten/katalog/gibt-es-nicht/").status_code == 404


def test_the_dashboards_link_to_the_catalogue(town):
    assert 'href="/daten/katalog/"' in Client().get("/daten/").content.decode()


# --- the check before publishing -------------------------------------------------------------


def test_a_complete_dataset_lacks_nothing(town):
    dataset = DatasetFactory(authority=town, status=Dataset.Status.DRAFT)
    DistributionFactory(dataset=dataset)
    assert catalogue_publish.missing(dataset) == []


def test_missing_names_each_thing_that_is_missing(town):
    dataset = DatasetFactory(
        authority=town, status=Dataset.Status.DRAFT, description="", licence="", themes=[],
        contact_email="", contact_url="",
        temporal_start=datetime.date(2025, 1, 1), temporal_end=datetime.date(2024, 1, 1),
    )  # fmt: skip
    assert catalogue_publish.missing(dataset) == [
        "Die Beschreibung fehlt.",
        "Die Lizenz fehlt.",
        "Mindestens eine Kategorie (Thema) fehlt.",
        "Eine Kontaktmöglichkeit (E-Mail-Adresse oder Webseite) fehlt.",
        "Der abgedeckte Zeitraum endet, bevor er beginnt.",
        "Mindestens eine Datei oder ein Zugang (Schnittstelle) fehlt.",
    ]
    dataset.licence = "https://example.org/meine-lizenz"
    DistributionFactory(dataset=dataset, title="Tabelle", format="", media_type="")
    lacking = catalogue_publish.missing(dataset)
    assert "Die Lizenz steht nicht in der Lizenzliste von DCAT-AP.de." in lacking
    assert "Bei „Tabelle“ fehlt das Format." in lacking


def test_publishing_sets_issued_once_and_modified_each_time(town):
    dataset = DatasetFactory(authority=town, status=Dataset.Status.DRAFT, issued=None,
                             modified=None, themes=[])  # fmt: skip
    DistributionFactory(dataset=dataset)
    with pytest.raises(catalogue_publish.NotReady) as refused:
        catalogue_publish.publish(dataset)
    assert refused.value.items == ["Mindestens eine Kategorie (Thema) fehlt."]
    dataset.refresh_from_db()
    assert (dataset.status, dataset.issued) == (Dataset.Status.DRAFT, None)

    dataset.themes = ["ENVI"]
    dataset.save()
    catalogue_publish.publish(dataset)
    dataset.refresh_from_db()
    first_issued, first_modified = dataset.issued, dataset.modified
    assert dataset.status == Dataset.Status.PUBLISHED
    assert first_issued == first_modified

    catalogue_publish.withdraw(dataset)
    dataset.refresh_from_db()
    assert dataset.status == Dataset.Status.DRAFT
    assert dataset.issued == first_issued
    later = timezone.now() + datetime.timedelta(minutes=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(catalogue_publish.timezone, "now", lambda: later)
        catalogue_publish.publish(dataset)
    dataset.refresh_from_db()
    assert (dataset.issued, dataset.modified) == (first_issued, later)

"""The catalogue exported as DCAT-AP.de and imported by another installation keeps every
dataset and distribution; the dataset page answers RDF to clients that ask for it."""

from __future__ import annotations

import datetime

import pytest
from rdflib import Graph

from rathaus.opendata import dcat_import
from rathaus.opendata.catalogue_models import Frequency
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    """The authority that answers http://testserver (the default one)."""
    return AuthorityFactory(
        slug="barleben", name="Gemeinde Barleben", ags="15083040", email="info@example.org"
    )


def full_dataset(town, slug: str, title: str) -> Dataset:
    dataset = DatasetFactory(
        authority=town,
        slug=slug,
        title=title,
        description=f"{title}: Beschreibung mit Umlauten äöü.",
        keywords=["Bäume", "Umwelt"],
        themes=["ENVI", "REGI"],
        contact_name="Bauamt",
        contact_email="bauamt@example.org",
        contact_url="https://www.example.org/bauamt",
        temporal_start=datetime.date(2020, 1, 1),
        temporal_end=datetime.date(2025, 12, 31),
        accrual_periodicity=Frequency.MONTHLY,
        landing_page=f"https://www.example.org/{slug}",
    )
    DistributionFactory(
        dataset=dataset,
        title="Tabelle",
        description="Eine Zeile je Baum.",
        access_url=f"https://daten.example.org/{slug}.csv",
        download_url=f"https://daten.example.org/{slug}.csv",
        media_type="text/csv",
        format="CSV",
        byte_size=123456,
        checksum_algorithm="sha256",
        checksum="ab" * 32,
        position=0,
    )
    DistributionFactory(
        dataset=dataset,
        title="Karte",
        access_url=f"https://daten.example.org/{slug}.geojson",
        download_url="",
        media_type="application/geo+json",
        format="GEOJSON",
        position=1,
    )
    return dataset


DATASET_FIELDS = (
    "title", "description", "keywords", "themes", "contact_name", "contact_email",
    "contact_url", "licence", "temporal_start", "temporal_end", "accrual_periodicity",
    "landing_page",
)  # fmt: skip
DISTRIBUTION_FIELDS = (
    "title", "description", "access_url", "download_url", "media_type", "format", "byte_size",
    "checksum_algorithm", "checksum",
)  # fmt: skip


def fields(dataset: Dataset) -> dict:
    values = {name: getattr(dataset, name) for name in DATASET_FIELDS}
    values["keywords"] = sorted(values["keywords"])
    values["themes"] = sorted(values["themes"])
    values["distributions"] = sorted(
        tuple(getattr(distribution, name) for name in DISTRIBUTION_FIELDS)
        for distribution in dataset.distributions.all()
    )
    return values


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_export_then_import_keeps_every_dataset_and_distribution(client, town, tmp_path, fmt):
    exported = [
        full_dataset(town, "baumkataster", "Baumkataster"),
        full_dataset(town, "spielplaetze", "Spielplätze"),
        full_dataset(town, "parkplaetze", "Parkplätze"),
    ]
    answer = client.get(f"/daten/katalog/catalog.{fmt}")
    assert answer.status_code == 200
    path = tmp_path / f"catalog.{fmt}"
    path.write_bytes(answer.content)

    landkreis = AuthorityFactory(slug="landkreis-anderswo", name="Landkreis Anderswo")
    report = dcat_import.read_graph(dcat_import.load(str(path)), landkreis, str(path))

    assert (len(report.created), report.skipped) == (3, [])
    imported = {dataset.title: dataset for dataset in Dataset.objects.filter(authority=landkreis)}
    assert sorted(imported) == sorted(dataset.title for dataset in exported)
    for original in exported:
        copy = imported[original.title]
        assert fields(copy) == fields(original)
        assert copy.publisher_name == "Gemeinde Barleben"
        assert copy.original_uri == f"http://testserver/daten/katalog/{original.slug}/#dataset"


def test_the_dataset_page_answers_turtle_to_who_asks_for_it_and_html_to_browsers(client, town):
    full_dataset(town, "baumkataster", "Baumkataster")

    turtle = client.get("/daten/katalog/baumkataster/", HTTP_ACCEPT="text/turtle")
    assert turtle["Content-Type"].startswith("text/turtle")
    assert "Accept" in turtle["Vary"]
    graph = Graph().parse(data=turtle.content, format="turtle")
    titles = {str(title) for title in graph.objects(None, dcat_import.DCTERMS.title)}
    assert "Baumkataster" in titles

    page = client.get(
        "/daten/katalog/baumkataster/",
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]
    assert "<h1" in page.content.decode()

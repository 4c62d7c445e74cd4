"""The RDF export validates against the DCAT-AP.de 2.0 and 3.0 SHACL shapes, offline.

The demo catalogue (whatever datasets the Barleben demo loads) plus datasets made here that use
every optional property once — temporal coverage, checksum, size, own licence per distribution,
a harvested dataset of the Landkreis — must give 0 violations with each version's shapes, and
removing what the shapes require must give a violation (so the check can fail).

pyshacl is slow: the shapes are parsed once per module and the catalogue is small.
"""

from __future__ import annotations

import datetime

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from rathaus.opendata.dcat import rdf
from rathaus.opendata.dcat.validation import shapes, validate, vocabularies
from rathaus.opendata.models import Dataset
from tests.factories import DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

VERSIONS = ("2.0", "3.0")


@pytest.fixture(scope="module", autouse=True)
def loaded_shapes():
    """Parse the shapes and vocabularies once for the module (they are cached)."""
    for version in VERSIONS:
        shapes(version)
    vocabularies()


def make_catalogue(authority):
    """Realistic datasets of the authority, every optional property used at least once."""
    full = DatasetFactory(
        authority=authority,
        slug="baumkataster",
        title="Baumkataster der Gemeinde",
        description="Alle Straßenbäume mit Art, Pflanzjahr und Standort.",
        keywords=["Bäume", "Umwelt", "Kataster"],
        themes=["ENVI", "REGI"],
        contact_name="Bauamt, Sachgebiet Grünflächen",
        contact_email="gruen@example.org",
        contact_url="https://www.example.org/kontakt",
        temporal_start=datetime.date(2020, 1, 1),
        temporal_end=datetime.date(2026, 12, 31),
        accrual_periodicity="ANNUAL",
        landing_page="https://www.example.org/baeume",
        issued=datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC),
    )
    DistributionFactory(
        dataset=full,
        title="Baumkataster als CSV",
        description="Eine Zeile je Baum.",
        media_type="text/csv; charset=utf-8",
        format="CSV",
        byte_size=48213,
        checksum_algorithm="SHA-256",
        checksum="9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
        licence="http://dcat-ap.de/def/licenses/cc-by/4.0",
        modified=datetime.datetime(2026, 11, 2, 8, 0, tzinfo=datetime.UTC),
        position=0,
    )
    DistributionFactory(
        dataset=full,
        title="Baumkataster als GeoJSON",
        media_type="application/geo+json",
        format="GEOJSON",
        byte_size=0,
        checksum_algorithm="md5",
        checksum="d41d8cd98f00b204e9800998ecf8427e",
        position=1,
    )
    only_start = DatasetFactory(
        authority=authority,
        slug="baustellen",
        title="Baustellen und Verkehrseinschränkungen",
        themes=["TRAN"],
        accrual_periodicity="DAILY",
        temporal_start=datetime.date(2025, 6, 1),
        contact_email="",
    )
    DistributionFactory(
        dataset=only_start, title="ICS", media_type="text/calendar", format="ICS", download_url=""
    )
    DatasetFactory(authority=authority, slug="ohne-verteilung", themes=[], keywords=[])
    harvested = DatasetFactory(
        authority=authority,
        slug="kreisstrassen",
        title="Kreisstraßen im Landkreis Börde",
        publisher_name="Landkreis Börde",
        publisher_uri="https://www.landkreis-boerde.de/#org",
        contact_name="Straßenbauamt",
        contact_email="strassen@example.org",
        political_geocoding="http://dcat-ap.de/def/politicalGeocoding/districtKey/15083",
        harvested_from="https://www.landkreis-boerde.de/opendata/catalog.ttl",
        original_uri="https://www.landkreis-boerde.de/opendata/kreisstrassen",
        themes=["TRAN"],
    )
    DistributionFactory(dataset=harvested, format="JSON", media_type="application/json")
    DatasetFactory(authority=authority, slug="entwurf", status=Dataset.Status.DRAFT)


def whole_catalogue(authority, profile: str) -> Graph:
    graph = Graph()
    page = 1
    while True:
        part, paging = rdf.catalogue_page(authority, page, 100, profile)
        graph += part
        if page >= paging.last:
            return graph
        page += 1


@pytest.fixture
def catalogue(barleben):
    make_catalogue(barleben)
    return barleben


@pytest.mark.parametrize("version", VERSIONS)
def test_the_demo_catalogue_has_no_violations(catalogue, version):
    graph = whole_catalogue(catalogue, version)

    report = validate(graph, version)

    assert report.violations == []
    published = Dataset.objects.filter(authority=catalogue, status="published").count()
    assert published >= 4
    assert len(set(graph.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")))) == (
        published
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_dataset_without_a_title_or_publisher_is_a_violation(catalogue, version):
    graph = whole_catalogue(catalogue, version)
    dataset = URIRef(rdf.Context.of(catalogue, version).base + "baumkataster/#dataset")
    graph.remove((dataset, DCTERMS.title, None))
    graph.remove((dataset, DCTERMS.publisher, None))

    report = validate(graph, version)

    paths = {(v.focus, v.path) for v in report.violations}
    assert (str(dataset), str(DCTERMS.title)) in paths
    # 3.0 leaves the publisher to GovData's conventions; 2.0 requires it (K36).
    if version == "2.0":
        assert (str(dataset), str(DCTERMS.publisher)) in paths


@pytest.mark.parametrize("version", VERSIONS)
def test_a_distribution_with_a_wrong_format_or_licence_is_a_violation(catalogue, version):
    graph = whole_catalogue(catalogue, version)
    dataset = Dataset.objects.get(authority=catalogue, slug="baumkataster")
    distribution = dataset.distributions.get(position=0)
    node = rdf.Context.of(catalogue, version).distribution_uri(dataset, distribution)
    graph.set((node, DCTERMS.format, URIRef("https://example.org/format/CSV")))
    if version == "2.0":  # 2.0 requires a licence of the DCAT-AP.de list (K31)
        graph.set((node, DCTERMS.license, URIRef("https://example.org/meine-lizenz")))
    else:  # 3.0 requires a licence (and only recommends the list)
        graph.remove((node, DCTERMS.license, None))

    report = validate(graph, version)

    focuses = {v.focus for v in report.violations}
    assert "https://example.org/format/CSV" in focuses  # the format is checked on its IRI
    assert str(node) in focuses


def test_check_dcat_prints_the_report_and_fails_on_a_violation(catalogue, capsys):
    from django.core.management import CommandError, call_command

    call_command("check_dcat", "--authority", "barleben", "--shapes", "3.0")

    out = capsys.readouterr().out
    assert "Gemeinde Barleben: " in out
    assert "DCAT-AP.de 3.0: 0 violations" in out

    # A distribution whose format is not in the EU file type list: GovData refuses it.
    Dataset.objects.get(authority=catalogue, slug="baustellen").distributions.update(
        format="KALENDER"
    )
    with pytest.raises(CommandError, match="2 violations"):
        call_command("check_dcat", "--authority", "barleben", "--shapes", "2.0")
    out = capsys.readouterr().out
    assert "Violation: http://publications.europa.eu/resource/authority/file-type/KALENDER" in out
    assert "DCAT-AP.de 2.0: 2 violations" in out


def test_check_dcat_names_an_unknown_authority():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="no authority with the short name 'nirgendwo'"):
        call_command("check_dcat", "--authority", "nirgendwo")

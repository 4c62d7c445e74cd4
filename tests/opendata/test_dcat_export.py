"""The catalogue as DCAT-AP.de RDF: files, paging, stable addresses, content negotiation."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import RequestFactory
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from rathaus.opendata.dcat import negotiation, rdf
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory, DatasetFactory, DistributionFactory

pytestmark = pytest.mark.django_db

BASE = "http://testserver/daten/katalog/"
HYDRA = rdf.HYDRA
DCATDE = rdf.DCATDE
SPDX = rdf.SPDX
VCARD = rdf.VCARD


@pytest.fixture
def town():
    """The authority that answers http://testserver (the default one)."""
    return AuthorityFactory(
        slug="barleben", name="Gemeinde Barleben", ags="15083040", email="info@example.org"
    )


def parse(response, fmt="turtle") -> Graph:
    return Graph().parse(data=response.content, format=fmt)


def test_the_catalogue_lists_only_published_datasets_of_the_authority(client, town):
    shown = DatasetFactory(authority=town, slug="baumkataster", title="Baumkataster")
    DatasetFactory(authority=town, slug="entwurf", status=Dataset.Status.DRAFT)
    DatasetFactory(slug="fremd")  # another authority's catalogue

    response = client.get("/daten/katalog/catalog.ttl")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    graph = parse(response)
    catalogue = URIRef(BASE + "#catalog")
    assert (catalogue, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(catalogue, DCAT.dataset)) == {URIRef(BASE + "baumkataster/#dataset")}
    assert graph.value(URIRef(BASE + "baumkataster/#dataset"), DCTERMS.title) == Literal(
        shown.title, lang="de"
    )
    publisher = graph.value(catalogue, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Gemeinde Barleben", lang="de")
    assert graph.value(catalogue, DCTERMS.title) == Literal(
        "Offene Daten: Gemeinde Barleben", lang="de"
    )


def test_a_dataset_carries_what_govdata_needs(client, town):
    dataset = DatasetFactory(
        authority=town,
        slug="baumkataster",
        themes=["ENVI"],
        accrual_periodicity="ANNUAL",
        temporal_start=datetime.date(2020, 1, 1),
        temporal_end=datetime.date(2025, 12, 31),
        contact_email="gruen@example.org",
    )
    distribution = DistributionFactory(
        dataset=dataset,
        byte_size=1234,
        checksum_algorithm="SHA-256",
        checksum="AB" * 32,
        media_type="text/csv",
        format="CSV",
    )

    graph = parse(client.get("/daten/katalog/baumkataster.ttl"))

    subject = URIRef(BASE + "baumkataster/#dataset")
    assert graph.value(subject, DCATDE.politicalGeocodingURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/15083040"
    )
    assert graph.value(subject, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/municipality"
    )
    assert graph.value(subject, DCATDE.contributorID) == URIRef(
        "http://dcat-ap.de/def/contributors/landSachsenAnhalt"
    )
    assert graph.value(subject, DCAT.theme) == URIRef(
        "http://publications.europa.eu/resource/authority/data-theme/ENVI"
    )
    assert graph.value(subject, DCTERMS.accrualPeriodicity) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    )
    period = graph.value(subject, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2020-01-01", datatype=XSD.date)
    contact = graph.value(subject, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Organization) in graph
    assert graph.value(contact, VCARD.hasEmail) == URIRef("mailto:gruen@example.org")
    node = URIRef(f"{BASE}baumkataster/#distribution-{distribution.identifier}")
    assert graph.value(subject, DCAT.distribution) == node
    assert graph.value(node, DCTERMS.license) == URIRef(dataset.licence)
    assert graph.value(node, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv"
    )
    assert graph.value(node, DCAT.byteSize) == Literal("1234", datatype=XSD.nonNegativeInteger)
    checksum = graph.value(node, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
    assert graph.value(checksum, SPDX.checksumValue) == Literal("ab" * 32, datatype=XSD.hexBinary)


def test_profile_2_0_writes_what_the_2_0_shapes_require(client, town):
    dataset = DatasetFactory(authority=town, slug="baumkataster")
    DistributionFactory(dataset=dataset, byte_size=10, checksum_algorithm="md5", checksum="0" * 32)

    graph = parse(client.get("/daten/katalog/baumkataster.ttl?profile=2.0"))

    node = graph.value(URIRef(BASE + "baumkataster/#dataset"), DCAT.distribution)
    size = graph.value(node, DCAT.byteSize)
    assert (size.datatype, size.toPython()) == (XSD.decimal, 10)
    checksum = graph.value(node, SPDX.checksum)
    assert graph.value(checksum, SPDX.algorithm) == URIRef(
        "http://dcat-ap.de/def/hashAlgorithms/md/5"
    )
    assert client.get("/daten/katalog/baumkataster.ttl?profile=9").status_code == 400


def test_a_harvested_dataset_keeps_its_publisher_and_area(client, town):
    DatasetFactory(
        authority=town,
        slug="kreisstrassen",
        publisher_name="Landkreis Börde",
        publisher_uri="https://www.landkreis-boerde.de/#org",
        political_geocoding="http://dcat-ap.de/def/politicalGeocoding/districtKey/15083",
        original_uri="https://www.landkreis-boerde.de/opendata/kreisstrassen",
    )

    graph = parse(client.get("/daten/katalog/kreisstrassen.ttl"))

    subject = URIRef(BASE + "kreisstrassen/#dataset")
    publisher = URIRef("https://www.landkreis-boerde.de/#org")
    assert graph.value(subject, DCTERMS.publisher) == publisher
    assert graph.value(publisher, FOAF.name) == Literal("Landkreis Börde", lang="de")
    assert graph.value(subject, DCATDE.politicalGeocodingLevelURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/Level/administrativeDistrict"
    )
    assert graph.value(subject, DCTERMS.identifier) == Literal(
        "https://www.landkreis-boerde.de/opendata/kreisstrassen"
    )


@pytest.mark.parametrize(
    ("fmt", "media_type", "parser"),
    [("ttl", "text/turtle", "turtle"), ("rdf", "application/rdf+xml", "xml"),
     ("jsonld", "application/ld+json", "json-ld")],
)  # fmt: skip
def test_every_format_carries_the_same_triples(client, town, fmt, media_type, parser):
    DistributionFactory(dataset=DatasetFactory(authority=town, slug="baumkataster"))

    response = client.get(f"/daten/katalog/catalog.{fmt}")
    single = client.get(f"/daten/katalog/baumkataster.{fmt}")

    assert response["Content-Type"] == f"{media_type}; charset=utf-8"
    assert single["Content-Type"] == f"{media_type}; charset=utf-8"
    turtle = parse(client.get("/daten/katalog/catalog.ttl"))
    assert len(parse(response, parser)) == len(turtle)
    if fmt == "jsonld":
        assert "@context" in json.loads(response.content)


def test_unknown_and_draft_datasets_are_not_found(client, town):
    DatasetFactory(authority=town, slug="entwurf", status=Dataset.Status.DRAFT)

    assert client.get("/daten/katalog/entwurf.ttl").status_code == 404
    assert client.get("/daten/katalog/gibt-es-nicht.rdf").status_code == 404


def walk(client, url):
    """Follow hydra:next from the first page; the datasets of each page and the views."""
    pages, seen = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        graph = parse(response)
        view = next(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
        pages.append((view, graph))
        seen.extend(graph.objects(URIRef(BASE + "#catalog"), DCAT.dataset))
        following = graph.value(view, HYDRA.next)
        url = str(following).replace("http://testserver", "") if following else None
    return pages, seen


def test_pages_follow_each_other_with_hydra_links(client, town, settings):
    settings.RATHAUS_DCAT_PAGE_SIZE = 2
    for number in range(5):
        DatasetFactory(authority=town, slug=f"datensatz-{number}")

    pages, seen = walk(client, "/daten/katalog/catalog.ttl")

    assert len(pages) == 3
    assert len(seen) == 5 == len(set(seen))
    view, graph = pages[1]
    assert view == URIRef(BASE + "catalog.ttl?page=2")
    assert graph.value(view, HYDRA.totalItems).toPython() == 5
    assert graph.value(view, HYDRA.itemsPerPage).toPython() == 2
    assert graph.value(view, HYDRA.first) == URIRef(BASE + "catalog.ttl?page=1")
    assert graph.value(view, HYDRA.previous) == URIRef(BASE + "catalog.ttl?page=1")
    assert graph.value(view, HYDRA.last) == URIRef(BASE + "catalog.ttl?page=3")
    assert (pages[2][0], HYDRA.next, None) not in pages[2][1]


def test_the_profile_stays_in_the_page_links(client, town, settings):
    settings.RATHAUS_DCAT_PAGE_SIZE = 1
    DatasetFactory.create_batch(2, authority=town)

    graph = parse(client.get("/daten/katalog/catalog.rdf?profile=2.0"), "xml")

    view = next(graph.subjects(RDF.type, HYDRA.PartialCollectionView))
    assert graph.value(view, HYDRA.next) == URIRef(BASE + "catalog.rdf?page=2&profile=2.0")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "٣", "9" * 40, ""])
def test_a_bad_page_number_is_a_clear_400(client, town, page):
    response = client.get(f"/daten/katalog/catalog.ttl?page={page}")

    assert response.status_code == 400
    assert "text/plain" in response["Content-Type"]
    assert response.content.strip()


def test_a_page_after_the_last_is_a_404_and_an_empty_catalogue_has_one_page(client, town):
    empty = client.get("/daten/katalog/catalog.ttl")
    assert empty.status_code == 200
    assert not list(parse(empty).objects(None, DCAT.dataset))

    response = client.get("/daten/katalog/catalog.ttl?page=999999999")

    assert response.status_code == 404
    assert b"999999999" in response.content


# Content negotiation for the HTML dataset page (the integrator wires these in).


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "ttl"),
        ("application/rdf+xml", "rdf"),
        ("application/ld+json", "jsonld"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None),
        ("*/*", None),
        ("", None),
        ("text/html;q=0.5, text/turtle", "ttl"),
        ("text/turtle;q=0.5, text/html", None),
        ("text/turtle, text/html", None),
        ("application/ld+json;q=0.9, text/turtle;q=0.8", "jsonld"),
        ("text/turtle;q=0", None),
        ("text/turtle;q=abc", None),
    ],
)
def test_rdf_format_reads_the_accept_header(accept, expected):
    request = RequestFactory().get("/daten/katalog/x/", HTTP_ACCEPT=accept)

    assert negotiation.rdf_format(request) == expected


def test_dataset_rdf_response_answers_in_the_chosen_format(town):
    dataset = DatasetFactory(authority=town, slug="baumkataster")
    request = RequestFactory().get("/daten/katalog/baumkataster/", HTTP_ACCEPT="text/turtle")

    response = negotiation.dataset_rdf_response(dataset, negotiation.rdf_format(request), request)

    assert response.status_code == 200
    assert response["Vary"] == "Accept"
    graph = Graph().parse(data=response.content, format="turtle")
    assert (URIRef(BASE + "baumkataster/#dataset"), RDF.type, DCAT.Dataset) in graph


def test_dataset_rdf_response_hides_a_draft(town):
    from django.http import Http404

    dataset = DatasetFactory(authority=town, status=Dataset.Status.DRAFT)
    request = RequestFactory().get("/")

    with pytest.raises(Http404):
        negotiation.dataset_rdf_response(dataset, "ttl", request)


def test_imported_text_that_is_no_address_does_not_break_the_rdf(client, town):
    DatasetFactory(
        authority=town,
        slug="importiert",
        publisher_name="Landkreis Börde",
        publisher_uri="Landkreis Börde, Amt 12",
        political_geocoding="Börde",
    )

    graph = parse(client.get("/daten/katalog/importiert.ttl"))

    subject = URIRef(BASE + "importiert/#dataset")
    publisher = graph.value(subject, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("Landkreis Börde", lang="de")
    assert graph.value(subject, DCATDE.politicalGeocodingURI) == URIRef(
        "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/15083040"
    )


@pytest.mark.parametrize("fmt", ["ttl", "rdf", "jsonld"])
def test_odd_addresses_and_codes_never_break_a_catalogue_page(client, town, fmt):
    """Values that forms or harvested catalogues let through but no RDF syntax can write as
    they are: they are percent-encoded or left out, and the page still answers."""
    dataset = DatasetFactory(
        authority=town, slug="seltsam", contact_email="a{b}@example.de",
        contact_url="https://example.de/kontakt seite", landing_page="https://example.de/a>b",
    )  # fmt: skip
    DistributionFactory(
        dataset=dataset, access_url="https://example.de/a>b|c", download_url="https://x.de/{y}",
        media_type="text/csv file", format="CSV FILE", licence="Datenlizenz Deutschland",
        checksum_algorithm="sha256", checksum="kein hex",
    )  # fmt: skip

    answer = client.get(f"/daten/katalog/catalog.{fmt}")

    assert answer.status_code == 200
    graph = parse(answer, {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}[fmt])
    urls = {str(url) for url in graph.objects(None, DCAT.accessURL)}
    assert "https://example.de/a%3Eb%7Cc" in urls
    assert not list(graph.objects(None, DCTERMS.format))
    assert not list(graph.objects(None, SPDX.checksum))

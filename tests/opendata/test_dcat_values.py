"""Formats, media types and addresses the RDF export could not write: refused in the staff
forms with a German message, left out by the import with the reason in its report."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace

from rathaus.opendata import dcat_import
from rathaus.opendata.catalogue_forms import DatasetForm, DistributionForm
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/file-type/"
DATASET = URIRef("https://kreis.example.org/d/1")


def distribution_form(**values: str) -> DistributionForm:
    data = {"title": "Daten", "access_url": "https://example.org/daten.csv", **values}
    return DistributionForm(data=data)


@pytest.mark.parametrize(
    ("typed", "stored"), [("csv", "CSV"), (" GeoJSON ", "GEOJSON"), ("xlsx", "XLSX")]
)
def test_a_file_type_code_is_stored_in_capitals(typed, stored):
    form = distribution_form(format=typed, media_type="TEXT/CSV")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["format"], form.cleaned_data["media_type"]) == (stored, "text/csv")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("format", "CSV> .", "EU-Dateitypliste"),
        ("format", "ESRI Shapefile", "EU-Dateitypliste"),
        ("media_type", "csv", "Typ/Untertyp"),
        ("media_type", "text/csv>", "Typ/Untertyp"),
        ("access_url", 'https://example.org/a"b', "Leerzeichen"),
        ("download_url", "https://example.org/a{b}", "Leerzeichen"),
    ],
)
def test_a_distribution_value_the_export_cannot_write_is_refused(field, value, message):
    form = distribution_form(**{field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("landing_page", "https://example.org/a|b", "Leerzeichen"),
        ("contact_url", "https://example.org/a^b", "Leerzeichen"),
        ("publisher_uri", "https://example.org/a b", "Leerzeichen"),
        ("contact_email", "a?b@example.org", "E-Mail-Adresse"),
    ],
)
def test_a_dataset_address_the_export_cannot_write_is_refused(field, value, message):
    data = {"title": "Badestellen", "licence": "http://dcat-ap.de/def/licenses/dl-by-de/2.0",
            "accrual_periodicity": "UNKNOWN", field: value}  # fmt: skip
    form = DatasetForm(data=data, authority=AuthorityFactory())
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_the_import_leaves_out_values_the_export_could_not_write():
    graph = Graph()
    graph.add((DATASET, RDF.type, DCAT.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal("Badestellen")))
    graph.add((DATASET, DCAT.landingPage, URIRef("https://kreis.example.org/a b")))
    contact = URIRef("https://kreis.example.org/kontakt")
    graph.add((DATASET, DCAT.contactPoint, contact))
    graph.add((contact, VCARD.hasEmail, URIRef("mailto:a?cc=b@example.org")))
    good, bad = (
        URIRef("https://kreis.example.org/d/1/gut"),
        URIRef("https://kreis.example.org/d/1/x"),
    )
    for node, access, fmt, media in (
        (good, "https://kreis.example.org/gut.csv", "csv", "text/csv"),
        (bad, "https://kreis.example.org/{x}.csv", "CSV>", "text csv"),
    ):
        graph.add((DATASET, DCAT.distribution, node))
        graph.add((node, DCAT.accessURL, URIRef(access)))
        graph.add((node, DCTERMS.format, Literal(fmt)))
        graph.add((node, DCAT.mediaType, Literal(media)))

    report = dcat_import.read_graph(graph, AuthorityFactory(), "kreis")

    dataset = Dataset.objects.get()
    assert (dataset.landing_page, dataset.contact_email) == ("", "")
    assert [(d.access_url, d.format, d.media_type) for d in dataset.distributions.all()] == [
        ("https://kreis.example.org/gut.csv", "CSV", "text/csv")
    ]
    notes = " | ".join(note for _uri, note in report.notes)
    for reason in ("landing_page", "contact e-mail", "format 'CSV>'", "media type 'text csv'",
                   "access address", "has no address"):  # fmt: skip
        assert reason in notes

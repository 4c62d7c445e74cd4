"""``rathaus import-dcat``: a DCAT-AP.de catalogue as another portal exports it, mapped field by
field into datasets of another publisher; re-import, vanished datasets and bad files."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from rathaus.opendata import dcat_import
from rathaus.opendata.models import Dataset, Distribution
from tests.factories import AuthorityFactory, DatasetFactory

pytestmark = pytest.mark.django_db

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
BASE = "https://kreis.example.org/daten/katalog/"
DL_BY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
DL_ZERO = "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
CC_BY = "http://dcat-ap.de/def/licenses/cc-by/4.0"
UTC = datetime.UTC
DATASET_FIELDS = (
    "title", "description", "keywords", "themes", "publisher_name", "publisher_uri",
    "contact_name", "contact_email", "contact_url", "licence", "temporal_start", "temporal_end",
    "political_geocoding", "accrual_periodicity", "landing_page", "status", "harvested_from",
    "slug", "source",
)  # fmt: skip
DISTRIBUTION_FIELDS = (
    "title", "description", "access_url", "download_url", "media_type", "format", "byte_size",
    "checksum_algorithm", "checksum", "licence", "position",
)  # fmt: skip


def _dataset(graph: Graph, catalogue: URIRef, slug: str, title: str | None = None) -> URIRef:
    node = URIRef(f"{BASE}{slug}#dataset")
    graph.add((catalogue, DCAT.dataset, node))
    graph.add((node, RDF.type, DCAT.Dataset))
    if title is not None:
        graph.add((node, DCTERMS.title, Literal(title, lang="de")))
    return node


def _distribution(graph: Graph, dataset: URIRef, name: str, **values: object) -> URIRef:
    node = URIRef(f"{dataset.split('#')[0]}/{name}#distribution")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, URIRef(f"https://kreis.example.org/dateien/{name}")))
    graph.add((node, DCTERMS.title, Literal(values.get("title", name), lang="de")))
    graph.add((node, DCTERMS.license, URIRef(str(values.get("licence", DL_BY)))))
    return node


def catalogue_graph() -> Graph:
    """A DCAT-AP.de catalogue as an export of another portal looks: catalogue → datasets →
    distributions, with every property the catalogue keeps."""
    graph = Graph()
    catalogue = URIRef(BASE)
    publisher = URIRef("https://kreis.example.org/#publisher")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Offene Daten des Landkreises", lang="de")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal("Landkreis Börde")))

    full = _dataset(graph, catalogue, "badestellen", "Badestellen im Landkreis")
    graph.add(
        (full, DCTERMS.description, Literal("Lage und Wasserqualität der Badestellen.", lang="de"))
    )
    for keyword in ("Baden", "Wasserqualität"):
        graph.add((full, DCAT.keyword, Literal(keyword, lang="de")))
    for theme in ("ENVI", "HEAL"):
        graph.add(
            (
                full,
                DCAT.theme,
                URIRef(f"http://publications.europa.eu/resource/authority/data-theme/{theme}"),
            )
        )
    graph.add((full, DCTERMS.publisher, publisher))
    contact = BNode()
    graph.add((full, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal("Umweltamt")))
    graph.add((contact, VCARD.hasEmail, URIRef("mailto:umwelt@kreis.example.org")))
    graph.add((contact, VCARD.hasURL, URIRef("https://kreis.example.org/umweltamt")))
    graph.add((full, DCTERMS.license, URIRef(DL_BY)))
    period = BNode()
    graph.add((full, DCTERMS.temporal, period))
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((period, DCAT.startDate, Literal("2020-05-01", datatype=XSD.date)))
    graph.add((period, DCAT.endDate, Literal("2026-09-30", datatype=XSD.date)))
    graph.add((full, DCATDE.politicalGeocodingURI,
               URIRef("http://dcat-ap.de/def/politicalGeocoding/districtKey/15083")))  # fmt: skip
    graph.add((full, DCTERMS.accrualPeriodicity,
               URIRef("http://publications.europa.eu/resource/authority/frequency/ANNUAL")))  # fmt: skip
    graph.add((full, DCAT.landingPage, URIRef("https://kreis.example.org/badestellen")))
    graph.add((full, DCTERMS.issued, Literal("2021-03-01T09:30:00+01:00", datatype=XSD.dateTime)))
    graph.add((full, DCTERMS.modified, Literal("2026-06-15T12:00:00Z", datatype=XSD.dateTime)))
    csv = _distribution(graph, full, "badestellen.csv", title="Badestellen als CSV")
    graph.add((csv, DCTERMS.description, Literal("Eine Zeile je Badestelle.", lang="de")))
    graph.add(
        (csv, DCAT.downloadURL, URIRef("https://kreis.example.org/dateien/badestellen.csv?v=2"))
    )
    graph.add(
        (csv, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/csv"))
    )
    graph.add(
        (
            csv,
            DCTERMS.format,
            URIRef("http://publications.europa.eu/resource/authority/file-type/CSV"),
        )
    )
    graph.add((csv, DCAT.byteSize, Literal("48213", datatype=XSD.nonNegativeInteger)))
    checksum = BNode()
    graph.add((csv, SPDX.checksum, checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add(
        (
            checksum,
            SPDX.checksumValue,
            Literal(
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                datatype=XSD.hexBinary,
            ),
        )
    )
    graph.add((csv, DCTERMS.modified, Literal("2026-06-15T11:00:00+02:00", datatype=XSD.dateTime)))
    geojson = _distribution(
        graph, full, "badestellen.geojson", title="Badestellen als GeoJSON", licence=CC_BY
    )
    graph.add(
        (
            geojson,
            DCAT.mediaType,
            URIRef("https://www.iana.org/assignments/media-types/application/geo+json"),
        )
    )
    graph.add(
        (
            geojson,
            DCTERMS.format,
            URIRef("http://publications.europa.eu/resource/authority/file-type/GEOJSON"),
        )
    )

    plain = _dataset(graph, catalogue, "haushalt", "Haushaltsplan 2026")
    graph.add((plain, DCTERMS.publisher, publisher))
    _distribution(graph, plain, "haushalt.pdf", licence=DL_ZERO)
    return graph


def _write(tmp_path, graph: Graph, name: str = "katalog.ttl", fmt: str = "turtle"):
    path = tmp_path / name
    path.write_bytes(graph.serialize(format=fmt, encoding="utf-8"))
    return path


def test_every_field_of_every_dataset_and_distribution_is_kept():
    authority = AuthorityFactory()

    report = dcat_import.read_graph(
        catalogue_graph(), authority, "https://kreis.example.org/daten/katalog/"
    )

    assert (len(report.created), report.skipped, report.notes) == (2, [], [])
    full = Dataset.objects.get(authority=authority, original_uri=f"{BASE}badestellen#dataset")
    assert {name: getattr(full, name) for name in DATASET_FIELDS} == {
        "title": "Badestellen im Landkreis",
        "description": "Lage und Wasserqualität der Badestellen.",
        "keywords": ["Baden", "Wasserqualität"],
        "themes": ["ENVI", "HEAL"],
        "publisher_name": "Landkreis Börde",
        "publisher_uri": "https://kreis.example.org/#publisher",
        "contact_name": "Umweltamt",
        "contact_email": "umwelt@kreis.example.org",
        "contact_url": "https://kreis.example.org/umweltamt",
        "licence": DL_BY,
        "temporal_start": datetime.date(2020, 5, 1),
        "temporal_end": datetime.date(2026, 9, 30),
        "political_geocoding": "http://dcat-ap.de/def/politicalGeocoding/districtKey/15083",
        "accrual_periodicity": "ANNUAL",
        "landing_page": "https://kreis.example.org/badestellen",
        "status": Dataset.Status.PUBLISHED,
        "harvested_from": "https://kreis.example.org/daten/katalog/",
        "slug": "badestellen-im-landkreis",
        "source": "",
    }
    assert full.issued == datetime.datetime(2021, 3, 1, 8, 30, tzinfo=UTC)
    assert full.modified == datetime.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
    csv, geojson = full.distributions.order_by("position")
    assert {name: getattr(csv, name) for name in DISTRIBUTION_FIELDS} == {
        "title": "Badestellen als CSV",
        "description": "Eine Zeile je Badestelle.",
        "access_url": "https://kreis.example.org/dateien/badestellen.csv",
        "download_url": "https://kreis.example.org/dateien/badestellen.csv?v=2",
        "media_type": "text/csv",
        "format": "CSV",
        "byte_size": 48213,
        "checksum_algorithm": "sha256",
        "checksum": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "licence": "",  # the dataset's
        "position": 0,
    }
    assert csv.modified == datetime.datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    assert (geojson.title, geojson.media_type, geojson.format, geojson.licence) == (
        "Badestellen als GeoJSON", "application/geo+json", "GEOJSON", CC_BY,
    )  # fmt: skip
    plain = Dataset.objects.get(authority=authority, original_uri=f"{BASE}haushalt#dataset")
    # Without a licence of its own the dataset takes the one all its distributions share.
    assert (plain.title, plain.licence, plain.description, plain.keywords) == (
        "Haushaltsplan 2026", DL_ZERO, "", [],
    )  # fmt: skip
    assert plain.distributions.get().licence == ""


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("katalog.ttl", "turtle"), ("katalog.rdf", "xml"), ("katalog.jsonld", "json-ld"),
     ("katalog-ohne-endung", "xml"), ("katalog-json", "json-ld"), ("katalog-turtle", "turtle")],
)  # fmt: skip
def test_turtle_rdf_xml_and_json_ld_by_extension_or_content(tmp_path, name, fmt):
    authority = AuthorityFactory()
    path = _write(tmp_path, catalogue_graph(), name, fmt)

    graph = dcat_import.load(str(path))
    report = dcat_import.read_graph(graph, authority, str(path))

    assert len(report.created) == 2
    assert Distribution.objects.filter(dataset__authority=authority).count() == 3


def test_the_same_catalogue_again_changes_nothing_and_duplicates_nothing():
    authority = AuthorityFactory()
    dcat_import.read_graph(catalogue_graph(), authority, "kreis")
    first = {
        d.original_uri: (d.pk, d.updated_at) for d in Dataset.objects.filter(authority=authority)
    }

    report = dcat_import.read_graph(catalogue_graph(), authority, "kreis")

    assert (report.created, report.updated, len(report.unchanged)) == ([], [], 2)
    assert {
        d.original_uri: (d.pk, d.updated_at) for d in Dataset.objects.filter(authority=authority)
    } == first


def test_a_changed_catalogue_updates_in_place_and_removes_vanished_distributions():
    authority = AuthorityFactory()
    dcat_import.read_graph(catalogue_graph(), authority, "kreis")
    full = Dataset.objects.get(original_uri=f"{BASE}badestellen#dataset")
    kept = full.distributions.get(format="CSV")
    kept.link_status = Distribution.LinkStatus.OK
    kept.save()
    graph = catalogue_graph()
    node = URIRef(f"{BASE}badestellen#dataset")
    graph.set((node, DCTERMS.title, Literal("Badestellen und Wasserqualität", lang="de")))
    graph.remove(
        (node, DCAT.distribution, URIRef(f"{BASE}badestellen/badestellen.geojson#distribution"))
    )

    report = dcat_import.read_graph(graph, authority, "kreis")

    assert report.updated == [f"{BASE}badestellen#dataset"]
    full.refresh_from_db()
    assert full.title == "Badestellen und Wasserqualität"
    assert full.slug == "badestellen-im-landkreis"  # the address stays
    # The distribution that stayed keeps its row (and the result of its link check).
    assert list(full.distributions.values_list("pk", "link_status")) == [(kept.pk, "ok")]


def test_datasets_that_vanished_from_the_source_are_reported_and_deleted_only_with_prune():
    authority = AuthorityFactory()
    own = DatasetFactory(authority=authority)
    other_source = DatasetFactory(
        authority=authority, harvested_from="anderswo", original_uri="urn:x"
    )
    dcat_import.read_graph(catalogue_graph(), authority, "kreis")
    graph = catalogue_graph()
    graph.remove((URIRef(f"{BASE}haushalt#dataset"), None, None))

    report = dcat_import.read_graph(graph, authority, "kreis")

    assert report.vanished == [(f"{BASE}haushalt#dataset", "Haushaltsplan 2026")]
    assert Dataset.objects.filter(original_uri=f"{BASE}haushalt#dataset").exists()

    report = dcat_import.read_graph(graph, authority, "kreis", prune=True)

    assert report.removed == [(f"{BASE}haushalt#dataset", "Haushaltsplan 2026")]
    assert set(Dataset.objects.filter(authority=authority)) == {
        own, other_source, Dataset.objects.get(original_uri=f"{BASE}badestellen#dataset"),
    }  # fmt: skip


def test_a_withdrawn_dataset_is_updated_but_not_published_again():
    authority = AuthorityFactory()
    dcat_import.read_graph(catalogue_graph(), authority, "kreis")
    Dataset.objects.filter(original_uri=f"{BASE}haushalt#dataset").update(
        status=Dataset.Status.DRAFT
    )

    dcat_import.read_graph(catalogue_graph(), authority, "kreis")

    assert (
        Dataset.objects.get(original_uri=f"{BASE}haushalt#dataset").status == Dataset.Status.DRAFT
    )


def test_a_dataset_without_title_is_skipped_with_the_reason_and_the_rest_imported():
    authority = AuthorityFactory()
    graph = catalogue_graph()
    untitled = _dataset(graph, URIRef(BASE), "ohne-titel")
    _distribution(graph, untitled, "x.csv")
    bad_mail = _dataset(graph, URIRef(BASE), "post", "Poststellen")
    contact = BNode()
    graph.add((bad_mail, DCAT.contactPoint, contact))
    graph.add((contact, VCARD.hasEmail, Literal("poststelle(at)kreis.example.org")))
    nameless = _dataset(graph, URIRef(BASE), "ohne-adresse", "Ohne Adresse")
    graph.add((nameless, DCAT.distribution, BNode()))

    report = dcat_import.read_graph(graph, authority, "kreis")

    assert report.skipped == [(f"{BASE}ohne-titel#dataset", "the dataset has no title (dct:title)")]
    assert len(report.created) == 4
    assert report.notes[0][0] == f"{BASE}ohne-adresse#dataset"
    assert report.notes[1] == (
        f"{BASE}post#dataset",
        "contact e-mail 'poststelle(at)kreis.example.org' left out: not valid",
    )
    assert Dataset.objects.get(original_uri=f"{BASE}post#dataset").contact_email == ""


def test_a_dataset_with_a_value_too_long_is_skipped_with_the_field_named():
    authority = AuthorityFactory()
    graph = catalogue_graph()
    node = _dataset(graph, URIRef(BASE), "lang", "x" * 301)

    report = dcat_import.read_graph(graph, authority, "kreis")

    ((uri, reason),) = report.skipped
    assert uri == str(node)
    assert reason.startswith("title:")
    assert len(report.created) == 2


def test_without_its_own_licence_a_dataset_takes_that_of_most_of_its_distributions():
    authority = AuthorityFactory()
    graph = Graph()
    node = _dataset(graph, URIRef(BASE), "karten", "Karten")
    for name, licence in (("a.pdf", CC_BY), ("b.pdf", DL_BY), ("c.pdf", DL_BY)):
        _distribution(graph, node, name, licence=licence)

    dcat_import.read_graph(graph, authority, "kreis")

    dataset = Dataset.objects.get(authority=authority)
    assert dataset.licence == DL_BY
    # Each distribution keeps its licence: the dataset's (empty) or its own.
    assert list(dataset.distributions.values_list("title", "licence")) == [
        ("a.pdf", CC_BY), ("b.pdf", ""), ("c.pdf", ""),
    ]  # fmt: skip


def test_slugs_stay_unique_within_the_catalogue():
    authority = AuthorityFactory()
    DatasetFactory(authority=authority, slug="haushaltsplan-2026")

    dcat_import.read_graph(catalogue_graph(), authority, "kreis")

    assert (
        Dataset.objects.get(original_uri=f"{BASE}haushalt#dataset").slug == "haushaltsplan-2026-2"
    )


def test_a_failure_while_writing_leaves_nothing_imported(monkeypatch):
    authority = AuthorityFactory()
    created = Distribution.objects.create
    calls = []

    def failing_create(**values):
        calls.append(values)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return created(**values)

    monkeypatch.setattr(Distribution.objects, "create", failing_create)
    with pytest.raises(RuntimeError):
        dcat_import.read_graph(catalogue_graph(), authority, "kreis")

    assert not Dataset.objects.filter(authority=authority).exists()
    assert not Distribution.objects.filter(dataset__authority=authority).exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"Name;Wert\nA;1\n", "daten.csv", "cannot be read as Turtle"),
        (b"<html><body>Hallo</body></html>", "katalog.rdf", "web page (HTML)"),
        (b"@prefix ex: <http://example.org/> . ex:a ex:b ex:c .", "a.ttl", "not a DCAT catalogue"),
        (b"<http://k/> a <http://www.w3.org/ns/dcat#Catalog> .", "a.ttl", "contains no datasets"),
        (b'{"@context": "https://example.org/context.jsonld", "@id": "x"}', "a.jsonld", "remote @context"),
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r/>', "a.rdf", "entity declarations"),
        (b"<rdf:RDF broken", "a.rdf", "cannot be read as RDF/XML"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_dcat_catalogue_gives_a_clear_error_and_imports_nothing(
    tmp_path, content, name, message
):
    authority = AuthorityFactory()
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError, match="nothing was imported") as error:
        call_command("import_dcat", str(path), "--authority", authority.slug)

    assert message in str(error.value)
    assert not Dataset.objects.filter(authority=authority).exists()


def test_a_file_larger_than_the_limit_is_refused(tmp_path, settings):
    settings.RATHAUS_DCAT_IMPORT_MAX_BYTES = 1000
    path = _write(tmp_path, catalogue_graph())

    with pytest.raises(dcat_import.DcatImportError, match="larger than 1000 bytes"):
        dcat_import.load(str(path))


def test_the_command_prints_progress_skipped_datasets_and_a_summary(tmp_path, capsys, monkeypatch):
    authority = AuthorityFactory()
    graph = catalogue_graph()
    _dataset(graph, URIRef(BASE), "ohne-titel")
    path = _write(tmp_path, graph)
    monkeypatch.chdir(tmp_path)

    call_command("import_dcat", "katalog.ttl", "--authority", authority.slug)

    out, err = capsys.readouterr()
    assert "3 datasets found" in out
    assert "3 datasets: 2 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert f"skipped {BASE}ohne-titel#dataset: the dataset has no title" in err
    # A file is known by its full path, so a re-import from elsewhere finds what vanished.
    assert {d.harvested_from for d in Dataset.objects.filter(authority=authority)} == {
        str(path.resolve())
    }

    graph.remove((URIRef(f"{BASE}haushalt#dataset"), None, None))
    _write(tmp_path, graph)
    call_command("import_dcat", str(path), "--authority", authority.slug, "--prune")

    out, _err = capsys.readouterr()
    assert "deleted, no longer in the source: Haushaltsplan 2026" in out
    assert "1 unchanged, 1 skipped; 0 no longer in the source, 1 deleted" in out


def test_the_command_names_an_unknown_authority_or_file(tmp_path):
    with pytest.raises(CommandError, match="no authority with the slug 'nirgendwo'"):
        call_command("import_dcat", "x.ttl", "--authority", "nirgendwo")
    authority = AuthorityFactory()
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_dcat", str(tmp_path / "fehlt.ttl"), "--authority", authority.slug)

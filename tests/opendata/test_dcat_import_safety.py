"""The import cannot be turned against the machine or other catalogues: JSON-LD contexts are
never fetched (``@import``, addresses, files), catalogues have a total size and statement limit,
deeply nested JSON is refused, and one catalogue cannot take over or delete another's datasets."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from rathaus.opendata import dcat_import, dcat_source
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory, DatasetFactory

pytestmark = pytest.mark.django_db

A = "https://a.example.org/katalog.ttl"
B = "https://b.example.org/katalog.ttl"


def jsonld(context: object) -> bytes:
    return json.dumps(
        {
            "@context": context,
            "@id": "https://kreis.example.org/d/1",
            "@type": "http://www.w3.org/ns/dcat#Dataset",
            "http://purl.org/dc/terms/title": "Badestellen",
        }
    ).encode()


@pytest.fixture
def local_catalogue(http_server, settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    context = {"@context": {"title": "http://purl.org/dc/terms/title"}}
    http_server.add("/ctx.jsonld", body=json.dumps(context).encode(),
                    headers={"Content-Type": "application/ld+json"})  # fmt: skip
    return http_server


@pytest.mark.parametrize(
    "context",
    [
        {"@version": 1.1, "@import": "{server}/ctx.jsonld"},
        [{"@vocab": "http://purl.org/dc/terms/"}, "{server}/ctx.jsonld"],
        {"title": {"@id": "http://purl.org/dc/terms/title", "@context": "{server}/ctx.jsonld"}},
    ],
)
def test_a_json_ld_context_that_points_elsewhere_is_refused_and_not_fetched(
    local_catalogue, context
):
    text = json.dumps(context).replace("{server}", local_catalogue.base)
    with pytest.raises(dcat_import.DcatImportError, match="inline"):
        dcat_source.parse(jsonld(json.loads(text)), "json-ld")
    assert local_catalogue.requests == []


@pytest.mark.parametrize("where", ["{server}/ctx.jsonld", "file:///etc/hostname", "/etc/hostname"])
def test_the_parser_cannot_fetch_anything_even_past_the_check(local_catalogue, monkeypatch, where):
    monkeypatch.setattr(dcat_source, "_refuse_remote_contexts", lambda data: None)
    address = where.replace("{server}", local_catalogue.base)
    for context in ({"@version": 1.1, "@import": address}, address):
        with pytest.raises(dcat_import.DcatImportError, match="another document"):
            dcat_source.parse(jsonld(context), "json-ld")
    assert local_catalogue.requests == []


def test_the_guard_acts_only_while_parsing(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("ok")
    assert path.read_text() == "ok"


def test_deeply_nested_json_is_refused_with_a_clear_error():
    nested = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    with pytest.raises(dcat_import.DcatImportError, match="nested"):
        dcat_source.parse(nested, "json-ld")
    with pytest.raises(dcat_import.DcatImportError, match="nested"):
        dcat_source.parse(b'{"a": ' * 150 + b"1" + b"}" * 150, "json-ld")


def page(base: str, number: int, last: int, size: int = 0) -> bytes:
    graph = Graph()
    for index in range(3):
        node = URIRef(f"{base}/d/{number}-{index}")
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.title, Literal(f"Datensatz {number}-{index}" + " " * size)))
    if number < last:
        view = URIRef(f"{base}/catalog.ttl?page={number}")
        graph.add((view, URIRef("http://www.w3.org/ns/hydra/core#next"),
                   URIRef(f"{base}/catalog.ttl?page={number + 1}")))  # fmt: skip
    return graph.serialize(format="turtle", encoding="utf-8")


def test_all_pages_together_are_limited_in_bytes(local_catalogue, settings):
    base = local_catalogue.base
    local_catalogue.add("/catalog.ttl", body=page(base, 1, 3, size=400))
    for number in (2, 3):
        local_catalogue.add(f"/catalog.ttl?page={number}", body=page(base, number, 3, size=400))
    settings.RATHAUS_DCAT_IMPORT_MAX_TOTAL_BYTES = 3000  # each page ~1,600 bytes

    with pytest.raises(dcat_import.DcatImportError, match="together are larger than 3000 bytes"):
        dcat_import.load(local_catalogue.url("/catalog.ttl"))

    settings.RATHAUS_DCAT_IMPORT_MAX_TOTAL_BYTES = 10_000
    assert (
        len(list(dcat_import.datasets_of(dcat_import.load(local_catalogue.url("/catalog.ttl")))))
        == 9
    )


def test_a_catalogue_with_too_many_statements_is_refused(local_catalogue, settings, tmp_path):
    base = local_catalogue.base
    local_catalogue.add("/catalog.ttl", body=page(base, 1, 2))
    local_catalogue.add("/catalog.ttl?page=2", body=page(base, 2, 2))
    settings.RATHAUS_DCAT_IMPORT_MAX_TRIPLES = 10  # 7 a page

    with pytest.raises(dcat_import.DcatImportError, match="more than 10 RDF statements"):
        dcat_import.load(local_catalogue.url("/catalog.ttl"))
    path = tmp_path / "k.ttl"
    path.write_bytes(page(base, 1, 1) + page(base, 2, 2))
    with pytest.raises(dcat_import.DcatImportError, match="more than 10 RDF statements"):
        dcat_import.load(str(path))


def catalogue(*uris: str) -> Graph:
    graph = Graph()
    for uri in uris:
        graph.add((URIRef(uri), RDF.type, DCAT.Dataset))
        graph.add((URIRef(uri), DCTERMS.title, Literal(f"Titel von {uri}")))
    return graph


def test_another_catalogue_cannot_take_over_or_prune_a_catalogues_datasets():
    authority = AuthorityFactory()
    dcat_import.read_graph(catalogue("urn:a:1", "urn:a:2"), authority, A)

    report = dcat_import.read_graph(catalogue("urn:a:1", "urn:b:1"), authority, B, prune=True)

    assert report.created == ["urn:b:1"]
    assert report.updated == []
    assert report.removed == []
    assert report.skipped == [("urn:a:1", f"the dataset belongs to another catalogue ({A})")]
    harvested = dict(Dataset.objects.values_list("original_uri", "harvested_from"))
    assert harvested == {"urn:a:1": A, "urn:a:2": A, "urn:b:1": B}
    assert Dataset.objects.get(original_uri="urn:a:1").title == "Titel von urn:a:1"


def test_a_catalogue_cannot_overwrite_datasets_made_by_hand_or_by_the_platform():
    authority = AuthorityFactory()
    by_hand = DatasetFactory(authority=authority, original_uri="urn:hand", title="Von Hand")
    platform = DatasetFactory(
        authority=authority, original_uri="urn:platform", source="x.y", title="Plattform"
    )

    report = dcat_import.read_graph(catalogue("urn:hand", "urn:platform"), authority, B)

    assert sorted(report.skipped) == [
        ("urn:hand", "the dataset belongs to this catalogue and was not harvested"),
        ("urn:platform", "the dataset belongs to this catalogue and was not harvested"),
    ]
    by_hand.refresh_from_db()
    platform.refresh_from_db()
    assert (by_hand.title, by_hand.harvested_from) == ("Von Hand", "")
    assert (platform.title, platform.harvested_from) == ("Plattform", "")

"""``rathaus import-dcat URL``: paged catalogues (hydra:next) from a local HTTP server, with the
page limit, the byte limit, the timeout and only http(s)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from rathaus.opendata import dcat_import, safe_http
from rathaus.opendata.models import Dataset
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

HYDRA = "http://www.w3.org/ns/hydra/core#"


@pytest.fixture(autouse=True)
def _local_network(settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.RATHAUS_DCAT_IMPORT_TIMEOUT = 2


def page(base: str, number: int, titles: list[str], last: int, fmt: str = "turtle") -> bytes:
    """One page of a catalogue paged as CKAN's DCAT extension does."""
    graph = Graph()
    catalogue = URIRef(f"{base}/catalog.ttl")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    for title in titles:
        node = URIRef(f"{base}/dataset/{title}")
        graph.add((catalogue, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.title, Literal(title)))
    view = URIRef(f"{base}/catalog.ttl?page={number}")
    graph.add((view, RDF.type, URIRef(HYDRA + "PagedCollection")))
    if number < last:
        # relative, as some servers write it
        graph.add((view, URIRef(HYDRA + "next"), URIRef(f"catalog.ttl?page={number + 1}")))
    return graph.serialize(format=fmt, encoding="utf-8")


def test_every_page_is_followed_and_imported_in_one_go(http_server):
    authority = AuthorityFactory()
    base = http_server.base
    turtle = {"Content-Type": "text/turtle; charset=utf-8"}
    http_server.add("/catalog.ttl", body=page(base, 1, ["a", "b"], 3), headers=turtle)
    http_server.add("/catalog.ttl?page=2", body=page(base, 2, ["c"], 3, fmt="xml"),
                    headers={"Content-Type": "application/rdf+xml"})  # fmt: skip
    http_server.add("/catalog.ttl?page=3", body=page(base, 3, ["d"], 3, fmt="json-ld"),
                    headers={"Content-Type": "application/ld+json"})  # fmt: skip
    seen = []

    graph = dcat_import.load(http_server.url("/catalog.ttl"), progress=seen.append)
    report = dcat_import.read_graph(graph, authority, http_server.url("/catalog.ttl"))

    assert seen == [http_server.url(f"/catalog.ttl{s}") for s in ("", "?page=2", "?page=3")]
    assert len(report.created) == 4
    assert sorted(Dataset.objects.filter(authority=authority).values_list("title", flat=True)) == [
        "a", "b", "c", "d",
    ]  # fmt: skip


def test_more_pages_than_allowed_stop_the_import(http_server, settings):
    settings.RATHAUS_DCAT_IMPORT_MAX_PAGES = 2
    for number in (1, 2, 3):
        path = "/catalog.ttl" + (f"?page={number}" if number > 1 else "")
        http_server.add(path, body=page(http_server.base, number, [f"d{number}"], 3))

    with pytest.raises(dcat_import.DcatImportError, match="more than 2 pages"):
        dcat_import.load(http_server.url("/catalog.ttl"))


def test_a_page_that_links_to_itself_is_read_once(http_server):
    body = page(http_server.base, 1, ["a"], 2).replace(b"catalog.ttl?page=2", b"catalog.ttl")
    http_server.add("/catalog.ttl", body=body)

    graph = dcat_import.load(http_server.url("/catalog.ttl"))

    assert len(dcat_import.datasets_of(graph)) == 1
    assert len(http_server.requests) == 1


def test_an_answer_larger_than_the_limit_is_refused(http_server, settings):
    settings.RATHAUS_DCAT_IMPORT_MAX_BYTES = 300
    http_server.add("/catalog.ttl", body=page(http_server.base, 1, ["a" * 400], 1))

    with pytest.raises(dcat_import.DcatImportError, match="larger than 300 bytes"):
        dcat_import.load(http_server.url("/catalog.ttl"))


def test_a_server_that_does_not_answer_in_time_stops_the_import(http_server, settings):
    settings.RATHAUS_DCAT_IMPORT_TIMEOUT = 1
    http_server.add("/catalog.ttl", body=page(http_server.base, 1, ["a"], 1), delay=3)

    with pytest.raises(dcat_import.DcatImportError, match="No answer in time"):
        dcat_import.load(http_server.url("/catalog.ttl"))


def test_an_error_page_stops_the_import(http_server):
    with pytest.raises(dcat_import.DcatImportError, match="the server answered 404"):
        dcat_import.load(http_server.url("/fehlt.ttl"))


def test_a_second_page_that_fails_imports_nothing(http_server):
    authority = AuthorityFactory()
    http_server.add("/catalog.ttl", body=page(http_server.base, 1, ["a"], 2))
    http_server.add("/catalog.ttl?page=2", status=500)

    with pytest.raises(CommandError, match="answered 500 — nothing was imported"):
        call_command("import_dcat", http_server.url("/catalog.ttl"), "--authority", authority.slug)

    assert not Dataset.objects.filter(authority=authority).exists()


def test_a_next_page_with_another_scheme_is_not_followed(http_server):
    body = page(http_server.base, 1, ["a"], 2).replace(b"catalog.ttl?page=2", b"file:///etc/passwd")
    http_server.add("/catalog.ttl", body=body)

    with pytest.raises(dcat_import.DcatImportError, match="Only http and https"):
        dcat_import.load(http_server.url("/catalog.ttl"))


def test_private_addresses_are_refused_unless_allowed(http_server, settings):
    settings.RATHAUS_FETCH_ALLOWED_NETWORKS = []
    http_server.add("/catalog.ttl", body=page(http_server.base, 1, ["a"], 1))

    with pytest.raises(dcat_import.DcatImportError, match="private or local network"):
        dcat_import.load(http_server.url("/catalog.ttl"))

    assert http_server.requests == []
    for address in ("10.1.2.3", "169.254.169.254", "::1", "192.168.0.1", "::ffff:127.0.0.1"):
        with pytest.raises(safe_http.FetchError):
            safe_http.check_address(address)
    safe_http.check_address("93.184.216.34")

"""SHACL validation of the RDF export against the DCAT-AP.de shapes, offline (ADR 0062).

The shapes of DCAT-AP.de 2.0 and 3.0 (3.0 extends SEMIC DCAT-AP 3.0.0) and the vocabularies
they need ship in ``data/dcat-ap-de/`` (sources and licences in its README). The shapes'
``*imports*`` files are left out: they point to the internet. The vocabularies go into pyshacl's
``ont_graph`` with RDFS inference, so that ``foaf:Organization`` counts as a ``foaf:Agent`` and a
theme's ``skos:inScheme`` is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF, SKOS

from rathaus.core.models import Authority
from rathaus.opendata.dcat.rdf import geocoding_of

DATA = Path(__file__).resolve().parent / "data" / "dcat-ap-de"
SH = Namespace("http://www.w3.org/ns/shacl#")
VERSIONS = ("2.0", "3.0")


@cache
def shapes(version: str) -> Graph:
    if version not in VERSIONS:
        raise ValueError(f"unknown DCAT-AP.de version {version!r}")
    graph = Graph()
    for path in sorted((DATA / f"v{version}").glob("*.ttl")):
        if "imports" not in path.name:
            graph.parse(path, format="turtle")
    return graph


# Ontologies (classes and properties): pyshacl copies them into the data graph as ont_graph.
ONTOLOGIES = ("foaf_0_1.rdf", "vcard.ttl", "org.ttl")


def _parse(graph: Graph, path: Path) -> None:
    graph.parse(path, format="xml" if path.suffix == ".rdf" else "turtle")


@cache
def vocabularies() -> Graph:
    graph = Graph()
    for name in ONTOLOGIES:
        _parse(graph, DATA / "vocabularies" / name)
    return graph


@cache
def concepts() -> Graph:
    """The code lists (licences, data providers, EU tables): SKOS concepts, which pyshacl does
    not copy from an ont_graph, so they are added to the data graph that is checked."""
    graph = Graph()
    for path in sorted((DATA / "vocabularies").iterdir()):
        if path.suffix in (".rdf", ".ttl") and path.name not in ONTOLOGIES:
            _parse(graph, path)
    return graph


def areas() -> Graph:
    """The political geocoding concepts of the authorities of this installation.

    The key lists of DCAT-AP.de (every municipality of Germany) are not shipped; an authority's
    AGS is its official key, so its concept in the list is known without them.
    """
    graph = Graph()
    for authority in Authority.objects.all():
        uri = geocoding_of(authority)
        scheme = uri.rsplit("/", 1)[0]
        graph.add((URIRef(uri), SKOS.inScheme, URIRef(scheme)))
    return graph


@dataclass(frozen=True)
class Finding:
    severity: str  # Violation, Warning, Info
    focus: str
    path: str
    message: str


@dataclass(frozen=True)
class Report:
    version: str
    findings: list[Finding]

    def of(self, severity: str) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == severity]

    @property
    def violations(self) -> list[Finding]:
        return self.of("Violation")


def validate(data: Graph, version: str) -> Report:
    """Check ``data`` against the shapes of ``version``; every result becomes a Finding."""
    from pyshacl import validate as shacl_validate  # slow to import; only checks need it

    checked = Graph()
    checked += data
    # Only the concepts the data refers to: RDFS inference over whole code lists is slow.
    known = concepts() + areas()
    for value in set(data.objects()):
        if isinstance(value, URIRef):
            for triple in known.triples((value, None, None)):
                checked.add(triple)
    _conforms, results, _text = shacl_validate(
        checked,
        shacl_graph=shapes(version),
        ont_graph=vocabularies(),
        inference="rdfs",
        abort_on_first=False,
        allow_warnings=True,
        advanced=True,
    )
    findings = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = str(results.value(result, SH.resultSeverity) or SH.Violation)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        german = [m for m in messages if m] or [""]
        findings.append(
            Finding(
                severity=severity.rsplit("#", 1)[-1],
                focus=str(results.value(result, SH.focusNode) or ""),
                path=str(results.value(result, SH.resultPath) or ""),
                message=german[0],
            )
        )
    findings.sort(key=lambda f: (f.severity != "Violation", f.focus, f.path, f.message))
    return Report(version=version, findings=findings)

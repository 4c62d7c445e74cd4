"""Harvesting another DCAT-AP.de catalogue (``rathaus import-dcat``, docs/dcat-import.md).

:func:`load` (from :mod:`rathaus.opendata.dcat_source`) reads a file or an address (Turtle,
RDF/XML or JSON-LD; paged catalogues through ``hydra:next``) into one RDF graph,
:func:`read_graph` maps its ``dcat:Dataset`` resources into
published datasets of one authority's catalogue that keep their foreign publisher. The whole
import is one transaction: a file that is not DCAT, has no dataset or cannot be read imports
nothing. A dataset inside a good file that cannot be taken over (no title, no address) is
skipped and named with the reason in the report; the rest is imported.

Re-importing the same catalogue updates datasets by their URI in the source catalogue
(``original_uri``) that were harvested from the same source (``harvested_from``): a dataset with
that URI from another catalogue, made by hand or by the platform is skipped with the reason, so
one catalogue can neither take over nor prune another's. The import replaces the distributions
that changed and removes those that vanished. Datasets that vanished from the source are
reported, and only deleted with ``prune``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS

from rathaus.core.models import Authority
from rathaus.opendata import dcat_values
from rathaus.opendata.catalogue_models import (
    FREQUENCY_BASE,
    THEME_BASE,
    Dataset,
    Distribution,
    Frequency,
    Theme,
)
from rathaus.opendata.dcat_source import DcatImportError, check_dcat, load

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("http://schema.org/")
# DCAT-AP.de has used both namespaces for its own terms (1.0 and later).
DCATDE = (
    Namespace("http://dcat-ap.de/def/dcatde/"),
    Namespace("http://dcat-ap.de/def/dcatde/1_0/"),
)
SPDX_ALGORITHM = "http://spdx.org/rdf/terms#checksumAlgorithm_"
BERLIN = ZoneInfo("Europe/Berlin")

__all__ = ["DcatImportError", "Report", "check_dcat", "datasets_of", "load", "read_graph"]


@dataclass
class Report:
    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (URI, reason)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (URI, what was left out)
    vanished: list[tuple[str, str]] = field(default_factory=list)  # (URI, title)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (URI, title) with prune

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged) + len(self.skipped)


# Mapping ---------------------------------------------------------------------------------------


def _text(graph: Graph, subject: Any, *predicates: URIRef) -> str:
    """The literal of the first predicate that has one, German before untagged before others."""
    for predicate in predicates:
        values = [
            value for value in graph.objects(subject, predicate) if isinstance(value, Literal)
        ]
        if values:
            values.sort(key=lambda v: ({"de": 0, None: 1}.get(v.language, 2), str(v)))
            return str(values[0]).strip()
    return ""


def _uri(graph: Graph, subject: Any, *predicates: URIRef) -> str:
    for predicate in predicates:
        values = sorted(str(value) for value in graph.objects(subject, predicate))
        if values:
            return values[0].strip()
    return ""


def _dcatde(name: str) -> list[URIRef]:
    return [namespace[name] for namespace in DCATDE]


def _datetime(graph: Graph, subject: Any, predicate: URIRef) -> datetime.datetime | None:
    value = graph.value(subject, predicate)
    if not isinstance(value, Literal):
        return None
    parsed = value.toPython()
    if isinstance(parsed, datetime.datetime):
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)
    if isinstance(parsed, datetime.date):
        return datetime.datetime.combine(parsed, datetime.time(), tzinfo=BERLIN)
    try:
        return _datetime_from_text(str(value))
    except ValueError:
        return None


def _datetime_from_text(text: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(text.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=BERLIN)


def _date(graph: Graph, subject: Any, *predicates: URIRef) -> datetime.date | None:
    for predicate in predicates:
        moment = _datetime(graph, subject, predicate)
        if moment is not None:
            return moment.date()
    return None


def _code(uri: str, base: str, allowed: Iterable[str]) -> str:
    if uri.startswith(base) and uri[len(base) :] in allowed:
        return uri[len(base) :]
    return ""


def _email(value: str) -> str:
    return value[len("mailto:") :] if value.lower().startswith("mailto:") else value


def _algorithm(uri: str) -> str:
    if uri.startswith(SPDX_ALGORITHM):
        return uri[len(SPDX_ALGORITHM) :].lower()
    if "/hashAlgorithms/" in uri:  # DCAT-AP.de: .../hashAlgorithms/md/5, .../sha/256
        return uri.split("/hashAlgorithms/", 1)[1].replace("/", "").lower()
    return uri.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()


def _dataset_fields(graph: Graph, node: Any, licences: list[str]) -> dict[str, Any]:
    publisher = graph.value(node, DCTERMS.publisher)
    contact = graph.value(node, DCAT.contactPoint)
    temporal = graph.value(node, DCTERMS.temporal)
    themes = sorted(
        code
        for theme in graph.objects(node, DCAT.theme)
        if (code := _code(str(theme), THEME_BASE, Theme.values))
    )
    own_licence = _uri(graph, node, DCTERMS.license)
    # DCAT-AP.de puts the licence on the distributions; the dataset takes the most frequent.
    counted = Counter(licence for licence in licences if licence)
    common = min(counted, key=lambda licence: (-counted[licence], licence), default="")
    return {
        "title": _text(graph, node, DCTERMS.title),
        "description": _text(graph, node, DCTERMS.description),
        "keywords": sorted(
            {str(k).strip() for k in graph.objects(node, DCAT.keyword) if str(k).strip()}
        ),
        "themes": themes,
        "publisher_name": _text(graph, publisher, FOAF.name, SKOS.prefLabel, RDFS.label)
        if publisher is not None
        else "",
        "publisher_uri": str(publisher) if isinstance(publisher, URIRef) else "",
        "contact_name": _text(graph, contact, VCARD.fn, VCARD["organization-name"])
        if contact is not None
        else "",
        "contact_email": _email(_uri(graph, contact, VCARD.hasEmail))
        if contact is not None
        else "",
        "contact_url": _uri(graph, contact, VCARD.hasURL) if contact is not None else "",
        "licence": own_licence or common,
        "temporal_start": _date(graph, temporal, DCAT.startDate, SCHEMA.startDate)
        if temporal is not None
        else None,
        "temporal_end": _date(graph, temporal, DCAT.endDate, SCHEMA.endDate)
        if temporal is not None
        else None,
        "political_geocoding": _uri(graph, node, *_dcatde("politicalGeocodingURI")),
        "accrual_periodicity": _code(
            _uri(graph, node, DCTERMS.accrualPeriodicity), FREQUENCY_BASE, Frequency.values
        )
        or Frequency.UNKNOWN,
        "landing_page": _uri(graph, node, DCAT.landingPage),
        "issued": _datetime(graph, node, DCTERMS.issued),
        "modified": _datetime(graph, node, DCTERMS.modified),
    }


def _distribution_fields(graph: Graph, node: Any, notes: list[str]) -> dict[str, Any]:
    """The fields of one distribution; values the catalogue cannot keep (a format that is no
    EU file type code, a media type that is not ``type/subtype``, an address that is no IRI)
    are left out and named in ``notes``."""
    checksum = graph.value(node, SPDX.checksum)
    media_text = _uri(graph, node, DCAT.mediaType)
    media = dcat_values.media_type(media_text) if media_text else ""
    if media is None:
        notes.append(f"media type {media_text!r} left out: not a media type (type/subtype)")
    file_type_text = _uri(graph, node, DCTERMS.format)
    fmt = dcat_values.file_type(file_type_text) if file_type_text else ""
    if fmt is None:
        notes.append(f"format {file_type_text!r} left out: not an EU file type code")
    addresses = {}
    for name, predicate in (("access", DCAT.accessURL), ("download", DCAT.downloadURL)):
        address = _uri(graph, node, predicate)
        if address and not dcat_values.writable_iri(address):
            notes.append(f"{name} address {address!r} left out: not a valid address (IRI)")
            address = ""
        addresses[name] = address
    access, download = addresses["access"], addresses["download"]
    size = graph.value(node, DCAT.byteSize)
    try:
        byte_size = int(float(str(size))) if size is not None else None
    except ValueError:
        byte_size = None
    return {
        "title": _text(graph, node, DCTERMS.title)
        or fmt
        or urlsplit(download or access).path.rsplit("/", 1)[-1]
        or "Download",
        "description": _text(graph, node, DCTERMS.description),
        "access_url": access or download,
        "download_url": download,
        "media_type": media or "",
        "format": fmt or "",
        "byte_size": byte_size,
        "checksum_algorithm": _algorithm(_uri(graph, checksum, SPDX.algorithm))
        if checksum is not None and _uri(graph, checksum, SPDX.algorithm)
        else "",
        "checksum": _text(graph, checksum, SPDX.checksumValue) if checksum is not None else "",
        "licence": _uri(graph, node, DCTERMS.license),
        "modified": _datetime(graph, node, DCTERMS.modified),
    }


def _messages(error: ValidationError) -> str:
    return "; ".join(
        f"{name}: {' '.join(str(m) for m in messages)}"
        for name, messages in error.message_dict.items()
    )


_IRI_FIELDS = ("landing_page", "contact_url", "publisher_uri", "political_geocoding", "licence")


@dataclass
class _Mapped:
    uri: str
    fields: dict[str, Any]
    distributions: list[dict[str, Any]]


def _map(graph: Graph, node: Any, report: Report) -> _Mapped | None:
    """The fields of one dataset and its distributions, or None (skipped, with the reason)."""
    uri = str(node) if isinstance(node, URIRef) else _text(graph, node, DCTERMS.identifier)
    if not uri:
        report.skipped.append((str(node), "the dataset has no URI and no dct:identifier"))
        return None
    distributions = []
    for item in sorted(graph.objects(node, DCAT.distribution), key=str):
        notes: list[str] = []
        values = _distribution_fields(graph, item, notes)
        report.notes.extend((uri, f"distribution {item}: {note}") for note in notes)
        if not values["access_url"]:
            report.notes.append((uri, f"distribution {item} left out: it has no address"))
            continue
        distributions.append(values)
    distributions.sort(key=lambda d: (d["title"], d["access_url"], d["download_url"]))
    fields = _dataset_fields(graph, node, [d["licence"] for d in distributions])
    for name in _IRI_FIELDS:
        if fields[name] and not dcat_values.writable_iri(fields[name]):
            report.notes.append((uri, f"{name} {fields[name]!r} left out: not a valid address"))
            fields[name] = ""
    if fields["contact_email"] and not dcat_values.writable_mailto(fields["contact_email"]):
        report.notes.append(
            (uri, f"contact e-mail {fields['contact_email']!r} left out: not valid")
        )
        fields["contact_email"] = ""
    if not fields["title"]:
        report.skipped.append((uri, "the dataset has no title (dct:title)"))
        return None
    for values in distributions:
        if values["licence"] == fields["licence"]:
            values["licence"] = ""
    probe = Dataset(**fields, slug="x", authority_id=1, original_uri=uri)
    try:
        probe.full_clean(
            exclude=["authority", "slug"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        if "contact_email" in error.message_dict and len(error.message_dict) == 1:
            report.notes.append(
                (uri, f"contact e-mail {fields['contact_email']!r} left out: not valid")
            )
            fields["contact_email"] = ""
        else:
            report.skipped.append((uri, _messages(error)))
            return None
    for values in distributions:
        try:
            Distribution(**values, dataset=probe).full_clean(
                exclude=["dataset"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            report.skipped.append((uri, f"distribution {values['access_url']}: {_messages(error)}"))
            return None
    return _Mapped(uri, fields, distributions)


def datasets_of(graph: Graph) -> list[Any]:
    """The dcat:Dataset resources of the graph, in a stable order."""
    return sorted(
        set(graph.subjects(RDF.type, DCAT.Dataset)), key=lambda n: (isinstance(n, BNode), str(n))
    )


# Writing ---------------------------------------------------------------------------------------

_COMPARED = [
    "title", "description", "access_url", "download_url", "media_type", "format", "byte_size",
    "checksum_algorithm", "checksum", "licence", "modified",
]  # fmt: skip


def _unique_slug(authority: Authority, title: str, taken: set[str]) -> str:
    base = slugify(title)[:90].strip("-") or "datensatz"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


def _sync_distributions(dataset: Dataset, wanted: list[dict[str, Any]]) -> bool:
    """Make the dataset's distributions match ``wanted`` (by address); True if anything changed."""
    existing = {(d.access_url, d.download_url): d for d in dataset.distributions.all()}
    changed = False
    for position, values in enumerate(wanted):
        key = (values["access_url"], values["download_url"])
        current = existing.pop(key, None)
        if current is None:
            Distribution.objects.create(dataset=dataset, position=position, **values)
            changed = True
            continue
        differs = [name for name in _COMPARED if getattr(current, name) != values[name]]
        if differs or current.position != position:
            for name in _COMPARED:
                setattr(current, name, values[name])
            current.position = position
            current.save()
            changed = True
    for vanished in existing.values():
        vanished.delete()
        changed = True
    return changed


def read_graph(
    graph: Graph,
    authority: Authority,
    source: str,
    *,
    prune: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Import the datasets of ``graph`` into the catalogue of ``authority`` (one transaction).

    ``source`` (the address or file name) is stored as ``harvested_from``; datasets harvested
    from it earlier that are no longer in the graph are reported, or deleted with ``prune``."""
    check_dcat(graph)
    report = Report(source=source)
    nodes = datasets_of(graph)
    mapped = []
    for node in nodes:
        item = _map(graph, node, report)
        if item is not None:
            mapped.append(item)
    with transaction.atomic():
        known = {
            d.original_uri: d
            for d in Dataset.objects.select_for_update()
            .filter(authority=authority)
            .exclude(original_uri="")
        }
        taken = set(Dataset.objects.filter(authority=authority).values_list("slug", flat=True))
        seen = set()
        for number, item in enumerate(mapped, start=1):
            if item.uri in seen:
                continue
            seen.add(item.uri)
            existing = known.get(item.uri)
            if existing is not None and existing.harvested_from != source:
                # Another catalogue's, or made here: a source cannot take it over (or prune it).
                report.skipped.append((item.uri, _not_ours(existing)))
                continue
            _write(authority, source, item, existing, taken, report)
            if progress:
                progress(number, len(mapped))
        for dataset in (
            Dataset.objects.filter(authority=authority, harvested_from=source)
            .exclude(original_uri__in=seen)
            .exclude(original_uri="")
        ):
            if prune:
                report.removed.append((dataset.original_uri, dataset.title))
                dataset.delete()
            else:
                report.vanished.append((dataset.original_uri, dataset.title))
    return report


def _not_ours(dataset: Dataset) -> str:
    if dataset.harvested_from:
        return f"the dataset belongs to another catalogue ({dataset.harvested_from})"
    return "the dataset belongs to this catalogue and was not harvested"


def _write(
    authority: Authority,
    source: str,
    item: _Mapped,
    dataset: Dataset | None,
    taken: set[str],
    report: Report,
) -> None:
    if dataset is None:
        dataset = Dataset.objects.create(
            authority=authority,
            slug=_unique_slug(authority, item.fields["title"], taken),
            status=Dataset.Status.PUBLISHED,
            harvested_from=source,
            original_uri=item.uri,
            **item.fields,
        )
        _sync_distributions(dataset, item.distributions)
        report.created.append(item.uri)
        return
    changed = [name for name, value in item.fields.items() if getattr(dataset, name) != value]
    # The status stays: a dataset that staff withdrew is not published again by a re-import.
    for name, value in item.fields.items():
        setattr(dataset, name, value)
    if changed:
        dataset.save()
    distributions_changed = _sync_distributions(dataset, item.distributions)
    if changed or distributions_changed:
        report.updated.append(item.uri)
    else:
        report.unchanged.append(item.uri)

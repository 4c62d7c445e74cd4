"""The open data catalogue as DCAT-AP.de RDF (ADR 0062).

Builds rdflib graphs: one page of an authority's catalogue (``catalogue_page``) or one dataset
(``dataset_graph``). Addresses are stable because GovData identifies datasets by them:

- the catalogue ``<portal>/daten/katalog/#catalog``,
- a dataset ``<portal>/daten/katalog/<slug>/#dataset`` (the fragment of its HTML page),
- a distribution ``<portal>/daten/katalog/<slug>/#distribution-<identifier>``,
- the publisher (the authority) ``<portal>/daten/katalog/#publisher``.

Two profiles: DCAT-AP.de 3.0 (default) and 2.0. They differ where the two sets of shapes
disagree: the datatype of ``dcat:byteSize`` (3.0 ``xsd:nonNegativeInteger``, 2.0
``xsd:decimal``) and the vocabulary of checksum algorithms (3.0 SPDX, 2.0 the deprecated
DCAT-AP.de list ``http://dcat-ap.de/def/hashAlgorithms/``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from rathaus.core.models import Authority
from rathaus.core.tenancy import portal_url
from rathaus.opendata.catalogue_models import FREQUENCY_BASE, THEME_BASE, Dataset, Distribution

DCATDE = Namespace("http://dcat-ap.de/def/dcatde/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")

PROFILES = ("3.0", "2.0")
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE_GERMAN = URIRef("http://publications.europa.eu/resource/authority/language/DEU")
MEDIA_TYPE_BASE = "https://www.iana.org/assignments/media-types/"
GEOCODING_BASE = "http://dcat-ap.de/def/politicalGeocoding/"
CONTRIBUTOR_BASE = "http://dcat-ap.de/def/contributors/"

# Geocoding vocabulary (the part of the URI after GEOCODING_BASE) → level of the area.
LEVELS = {
    "municipalityKey": "municipality",
    "regionalKey": "municipality",
    "municipalAssociationKey": "municipality",
    "districtKey": "administrativeDistrict",
    "governmentDistrictKey": "administrativeDistrict",
    "stateKey": "state",
}

# The data provider (GovData's "Datenbereitsteller") of each Land, for authorities whose data
# reaches GovData through their Land's portal (RATHAUS_DCAT_CONTRIBUTOR_ID overrides it).
LAND_CONTRIBUTORS = {
    "BW": "datenBW",
    "BY": "openDataBayern",
    "BE": "berlinOpenData",
    "BB": "openDataBrandenburg",
    "HB": "transparenzportalBremen",
    "HH": "transparenzportalHamburg",
    "HE": "hessen",
    "MV": "mecklenburgVorpommern",
    "NI": "landNiedersachsen",
    "NW": "openNRW",
    "RP": "openGovernmentDataPortalRheinlandPfalz",
    "SN": "freistaatSachsen",
    "ST": "landSachsenAnhalt",
    "SH": "schleswigHolstein",
}

# Checksum algorithms as we store them (lower case, without dashes) → (SPDX, DCAT-AP.de 2.0).
CHECKSUM_ALGORITHMS = {
    "md5": ("checksumAlgorithm_md5", "md/5"),
    "sha1": ("checksumAlgorithm_sha1", "sha/1"),
    "sha224": ("checksumAlgorithm_sha224", "sha/224"),
    "sha256": ("checksumAlgorithm_sha256", "sha/256"),
    "sha384": ("checksumAlgorithm_sha384", "sha/384"),
    "sha512": ("checksumAlgorithm_sha512", "sha/512"),
}


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("dcatde", DCATDE),
        ("foaf", FOAF),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("hydra", HYDRA),
        ("adms", ADMS),
        ("skos", SKOS),
        ("xsd", XSD),
    ):
        graph.bind(prefix, namespace, override=True)
    return graph


def geocoding_of(authority: Authority) -> str:
    """The DCAT-AP.de URI of the authority's area (a Gemeinde by its AGS, a Landkreis by its
    Kreis key)."""
    kind = authority.kind
    if kind == Authority.Kind.LANDKREIS:
        return f"{GEOCODING_BASE}districtKey/{authority.ags[:5]}"
    if kind == Authority.Kind.LAND:
        return f"{GEOCODING_BASE}stateKey/{authority.ags[:2]}"
    if kind == Authority.Kind.VERBANDSGEMEINDE:
        return f"{GEOCODING_BASE}municipalAssociationKey/{authority.ars[:9]}"
    return f"{GEOCODING_BASE}municipalityKey/{authority.ags}"


def level_of(geocoding: str) -> str | None:
    """The geocoding level URI of a geocoding URI, None for a URI outside the vocabularies."""
    if not geocoding.startswith(GEOCODING_BASE):
        return None
    vocabulary = geocoding[len(GEOCODING_BASE) :].split("/", 1)[0]
    level = LEVELS.get(vocabulary)
    return f"{GEOCODING_BASE}Level/{level}" if level else None


def contributor_of(authority: Authority) -> str:
    configured = str(settings.RATHAUS_DCAT_CONTRIBUTOR_ID).strip()
    if configured:
        return configured if "://" in configured else CONTRIBUTOR_BASE + configured
    # Saarland and Thuringia deliver no portal of their own: GovData's own ID stands in.
    return CONTRIBUTOR_BASE + LAND_CONTRIBUTORS.get(authority.state, "govData")


@dataclass
class Context:
    """What every dataset of one authority's catalogue shares; computed once per page."""

    authority: Authority
    base: str  # <portal>/daten/katalog/
    profile: str
    publisher: URIRef
    contributor: URIRef
    geocoding: str

    @classmethod
    def of(cls, authority: Authority, profile: str) -> Context:
        base = portal_url(authority, "/daten/katalog/")
        return cls(
            authority=authority,
            base=base,
            profile=profile,
            publisher=URIRef(base + "#publisher"),
            contributor=URIRef(contributor_of(authority)),
            geocoding=geocoding_of(authority),
        )

    def catalogue_uri(self) -> URIRef:
        return URIRef(self.base + "#catalog")

    def page_url(self, slug: str) -> str:
        return f"{self.base}{slug}/"

    def dataset_uri(self, dataset: Dataset) -> URIRef:
        return URIRef(self.page_url(dataset.slug) + "#dataset")

    def distribution_uri(self, dataset: Dataset, distribution: Distribution) -> URIRef:
        return URIRef(f"{self.page_url(dataset.slug)}#distribution-{distribution.identifier}")


def _is_iri(value: str) -> bool:
    """An absolute http(s) address without characters an IRI cannot hold (imported text)."""
    return value.startswith(("http://", "https://")) and not any(c in value for c in ' <>"{}|\\^`')


# characters an IRI may hold as they are; everything else (spaces, <>"{}|\\^` …) is
# percent-encoded, so that one odd address typed or harvested never breaks a catalogue page
_IRI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_FILE_TYPE = re.compile(r"[A-Z0-9][A-Z0-9_.-]*")


def _iri(value: str) -> URIRef | None:
    """An http(s) or mailto address as a URIRef that every RDF syntax can write, or None."""
    value = value.strip()
    if not value.startswith(("http://", "https://", "mailto:")):
        return None
    if any(ord(character) < 32 for character in value):
        return None
    return URIRef(quote(value, safe=_IRI_SAFE))


def _add_iri(graph: Graph, subject: URIRef | BNode, predicate: URIRef, value: str) -> None:
    iri = _iri(value)
    if iri is not None:
        graph.add((subject, predicate, iri))


def _text(graph: Graph, subject: URIRef | BNode, predicate: URIRef, value: str) -> None:
    if value:
        graph.add((subject, predicate, Literal(value, lang="de")))


def _moment(value: datetime | date) -> Literal:
    if isinstance(value, datetime):
        return Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


def add_agent(graph: Graph, node: URIRef | BNode, name: str) -> None:
    graph.add((node, RDF.type, FOAF.Organization))
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(name, lang="de")))


def add_publisher(graph: Graph, context: Context) -> None:
    add_agent(graph, context.publisher, context.authority.name)
    if context.authority.website:
        _add_iri(graph, context.publisher, FOAF.homepage, context.authority.website)


def _publisher_of(graph: Graph, dataset: Dataset, context: Context) -> URIRef | BNode:
    if not dataset.publisher_name and not dataset.publisher_uri:
        return context.publisher
    uri = dataset.publisher_uri
    node: URIRef | BNode = URIRef(uri) if _is_iri(uri) else BNode()
    add_agent(graph, node, dataset.publisher_name or dataset.publisher_uri)
    return node


def _contact_point(graph: Graph, dataset: Dataset, context: Context) -> BNode:
    """A vcard:Organization with a name and an e-mail address or web page (K01 of DCAT-AP.de)."""
    node = BNode()
    authority = context.authority
    foreign = bool(dataset.publisher_name or dataset.publisher_uri)
    name = dataset.contact_name or (dataset.publisher_name if foreign else "") or authority.name
    graph.add((node, RDF.type, VCARD.Organization))
    graph.add((node, VCARD.fn, Literal(name, lang="de")))
    email = dataset.contact_email or ("" if foreign else authority.email)
    if email:
        _add_iri(graph, node, VCARD.hasEmail, f"mailto:{email}")
    url = dataset.contact_url or ("" if email else context.page_url(dataset.slug))
    if url:
        _add_iri(graph, node, VCARD.hasURL, url)
    return node


def add_dataset(graph: Graph, dataset: Dataset, context: Context) -> URIRef:
    """Add the dataset and its distributions (already fetched: ``dataset.distributions``)."""
    subject = context.dataset_uri(dataset)
    graph.add((subject, RDF.type, DCAT.Dataset))
    _text(graph, subject, DCTERMS.title, dataset.title)
    # DCAT-AP requires a description; publishing asks for one, the title stands in for old rows.
    _text(graph, subject, DCTERMS.description, dataset.description or dataset.title)
    graph.add((subject, DCTERMS.identifier, Literal(dataset.original_uri or str(subject))))
    if dataset.original_uri:
        identifier = BNode()
        graph.add((subject, ADMS.identifier, identifier))
        graph.add((identifier, RDF.type, ADMS.Identifier))
        graph.add((identifier, SKOS.notation, Literal(dataset.original_uri)))
    for keyword in dataset.keywords or []:
        _text(graph, subject, DCAT.keyword, str(keyword))
    for theme in dataset.themes or []:
        graph.add((subject, DCAT.theme, URIRef(THEME_BASE + str(theme))))
    graph.add((subject, DCTERMS.publisher, _publisher_of(graph, dataset, context)))
    graph.add((subject, DCATDE.contributorID, context.contributor))
    geocoding = dataset.political_geocoding
    if not _is_iri(geocoding):  # empty (the authority's area) or not an address
        geocoding = context.geocoding
    graph.add((subject, DCATDE.politicalGeocodingURI, URIRef(geocoding)))
    level = level_of(geocoding)
    if level:
        graph.add((subject, DCATDE.politicalGeocodingLevelURI, URIRef(level)))
    graph.add((subject, DCAT.contactPoint, _contact_point(graph, dataset, context)))
    graph.add((subject, DCTERMS.language, LANGUAGE_GERMAN))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        graph.add((subject, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            graph.add((period, DCAT.startDate, _moment(dataset.temporal_start)))
        if dataset.temporal_end:
            graph.add((period, DCAT.endDate, _moment(dataset.temporal_end)))
    if dataset.accrual_periodicity:
        frequency = URIRef(FREQUENCY_BASE + dataset.accrual_periodicity)
        graph.add((subject, DCTERMS.accrualPeriodicity, frequency))
    landing = dataset.landing_page or context.page_url(dataset.slug)
    _add_iri(graph, subject, DCAT.landingPage, landing)
    if dataset.issued:
        graph.add((subject, DCTERMS.issued, _moment(dataset.issued)))
    if dataset.modified:
        graph.add((subject, DCTERMS.modified, _moment(dataset.modified)))
    for distribution in dataset.distributions.all():
        node = context.distribution_uri(dataset, distribution)
        graph.add((subject, DCAT.distribution, node))
        add_distribution(graph, node, distribution, dataset, context.profile)
    return subject


def add_distribution(
    graph: Graph, node: URIRef, distribution: Distribution, dataset: Dataset, profile: str
) -> None:
    graph.add((node, RDF.type, DCAT.Distribution))
    _text(graph, node, DCTERMS.title, distribution.title)
    _text(graph, node, DCTERMS.description, distribution.description)
    _add_iri(graph, node, DCAT.accessURL, distribution.access_url)
    if distribution.download_url:
        _add_iri(graph, node, DCAT.downloadURL, distribution.download_url)
    media_type = distribution.media_type.split(";", 1)[0].strip().lower()
    if _MEDIA_TYPE.fullmatch(media_type):
        graph.add((node, DCAT.mediaType, URIRef(MEDIA_TYPE_BASE + media_type)))
    file_type = distribution.format.strip().upper()
    if _FILE_TYPE.fullmatch(file_type):
        graph.add((node, DCTERMS.format, URIRef(FILE_TYPE_BASE + file_type)))
    licence = distribution.licence or dataset.licence
    if licence:
        _add_iri(graph, node, DCTERMS.license, licence)
    if distribution.byte_size is not None and distribution.byte_size >= 0:
        datatype = XSD.decimal if profile == "2.0" else XSD.nonNegativeInteger
        graph.add((node, DCAT.byteSize, Literal(str(distribution.byte_size), datatype=datatype)))
    algorithm = CHECKSUM_ALGORITHMS.get(
        distribution.checksum_algorithm.lower().replace("-", "").replace("_", "")
    )
    if algorithm and re.fullmatch(r"[0-9a-fA-F]+", distribution.checksum):
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        spdx_name, dcatde_path = algorithm
        algorithm_uri = (
            URIRef(f"http://dcat-ap.de/def/hashAlgorithms/{dcatde_path}")
            if profile == "2.0"
            else SPDX[spdx_name]
        )
        graph.add((checksum, SPDX.algorithm, algorithm_uri))
        value = Literal(distribution.checksum.lower(), datatype=XSD.hexBinary)
        graph.add((checksum, SPDX.checksumValue, value))
    if distribution.modified:
        graph.add((node, DCTERMS.modified, _moment(distribution.modified)))


def published(authority: Authority) -> QuerySet[Dataset]:
    return Dataset.objects.filter(authority=authority, status=Dataset.Status.PUBLISHED)


@dataclass(frozen=True)
class Paging:
    page: int
    page_size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def add_catalogue(graph: Graph, context: Context) -> URIRef:
    catalogue = context.catalogue_uri()
    authority = context.authority
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    with translation.override("de"):  # the literals are tagged @de, whatever the request
        title = _("Open data: %(name)s") % {"name": authority.name}
        description = _(
            "Open data %(of_name)s: datasets with description, licence and downloads."
        ) % {"of_name": authority.of_name}
    _text(graph, catalogue, DCTERMS.title, title)
    _text(graph, catalogue, DCTERMS.description, description)
    graph.add((catalogue, DCTERMS.publisher, context.publisher))
    add_publisher(graph, context)
    graph.add((catalogue, FOAF.homepage, URIRef(context.base)))
    graph.add((catalogue, DCTERMS.language, LANGUAGE_GERMAN))
    graph.add((catalogue, DCAT.themeTaxonomy, URIRef(THEME_BASE.rstrip("/"))))
    return catalogue


def catalogue_page(
    authority: Authority,
    page: int,
    page_size: int,
    profile: str,
    file_name: str = "catalog.ttl",
    paging: Paging | None = None,
    query: str = "",
) -> tuple[Graph, Paging]:
    """One page of the authority's published datasets, with a Hydra view of the paging.

    The page links point to ``file_name`` in the catalogue (``catalog.ttl`` …) with ``?page=N``
    and ``query`` (e.g. ``&profile=2.0``). The caller checks ``page`` against ``Paging.last``
    first (``paging_of``) and may pass the result on to save the count.
    """
    context = Context.of(authority, profile)
    paging = paging or paging_of(authority, page, page_size)
    graph = new_graph()
    catalogue = add_catalogue(graph, context)
    offset = (page - 1) * page_size
    datasets = (
        published(authority)
        .order_by("pk")
        .prefetch_related("distributions")[offset : offset + page_size]
    )
    for dataset in datasets:
        graph.add((catalogue, DCAT.dataset, add_dataset(graph, dataset, context)))
    add_paging(graph, paging, context.base + file_name, query)
    return graph, paging


def paging_of(authority: Authority, page: int, page_size: int) -> Paging:
    return Paging(page=page, page_size=page_size, total=published(authority).count())


def add_paging(graph: Graph, paging: Paging, file_url: str, query: str = "") -> None:
    """A hydra:PartialCollectionView as ckanext-dcat writes it, with IRIs for the links."""

    def at(number: int) -> URIRef:
        return URIRef(f"{file_url}?page={number}{query}")

    view = at(paging.page)
    graph.bind("hydra", HYDRA)
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, HYDRA.totalItems, Literal(paging.total, datatype=XSD.integer)))
    graph.add((view, HYDRA.itemsPerPage, Literal(paging.page_size, datatype=XSD.integer)))
    graph.add((view, HYDRA.first, at(1)))
    graph.add((view, HYDRA.last, at(paging.last)))
    if paging.page > 1:
        graph.add((view, HYDRA.previous, at(paging.page - 1)))
    if paging.page < paging.last:
        graph.add((view, HYDRA.next, at(paging.page + 1)))


def dataset_graph(dataset: Dataset, profile: str) -> Graph:
    """One dataset with its distributions and publisher, linked to its catalogue."""
    context = Context.of(dataset.authority, profile)
    graph = new_graph()
    if not (dataset.publisher_name or dataset.publisher_uri):
        add_publisher(graph, context)
    add_dataset(graph, dataset, context)
    return graph

"""Content negotiation for the catalogue's RDF (ADR 0062).

The HTML dataset page asks ``rdf_format(request)`` whether the client prefers RDF over HTML
(``Accept: text/turtle`` …) and, if so, answers with ``dataset_rdf_response``. The files
``/daten/katalog/<slug>.ttl|.rdf|.jsonld`` give the same RDF without negotiation.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from rdflib import Graph

from rathaus.opendata.catalogue_models import Dataset
from rathaus.opendata.dcat import rdf


@dataclass(frozen=True)
class Format:
    key: str  # the file extension: ttl, rdf, jsonld
    media_type: str
    rdflib: str  # rdflib's serializer name
    also: tuple[str, ...] = ()  # other media types that ask for it


FORMATS = {
    "ttl": Format("ttl", "text/turtle", "turtle", ("application/x-turtle",)),
    "rdf": Format("rdf", "application/rdf+xml", "xml", ("application/xml", "text/xml")),
    "jsonld": Format("jsonld", "application/ld+json", "json-ld"),
}
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _accepted(header: str) -> list[tuple[str, float, int]]:
    """Media ranges of an Accept header with their quality and position."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [field.strip() for field in part.split(";")]
        media_type = fields[0].lower()
        if not media_type:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _sep, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media_type, quality, position))
    return ranges


def rdf_format(request: HttpRequest) -> str | None:
    """The RDF format (``ttl``, ``rdf``, ``jsonld``) the client prefers to HTML, or None.

    Only explicit RDF media types count; ``*/*`` and ``text/*`` mean HTML, as browsers send
    them. On equal quality HTML wins, then the earlier media type in the header.
    """
    header = request.headers.get("Accept", "")
    if not header:
        return None
    ranges = _accepted(header)
    html = max((q for media_type, q, _p in ranges if media_type in HTML_TYPES), default=0.0)
    best: tuple[float, int, str] | None = None
    for media_type, quality, position in ranges:
        for fmt in FORMATS.values():
            asks = media_type == fmt.media_type or media_type in fmt.also
            if asks and quality > 0 and (best is None or (quality, -position) > best[:2]):
                best = (quality, -position, fmt.key)
    if best is None or best[0] <= html:
        return None
    return best[2]


class ProfileError(ValueError):
    pass


def profile_of(request: HttpRequest) -> tuple[str, bool]:
    """The DCAT-AP.de version asked for (``?profile=2.0``) or configured; True if asked for."""
    asked = request.GET.get("profile")
    if asked is None:
        return str(settings.RATHAUS_DCAT_PROFILE), False
    if asked not in rdf.PROFILES:
        raise ProfileError(
            _("The profile must be one of %(profiles)s.") % {"profiles": ", ".join(rdf.PROFILES)}
        )
    return asked, True


def bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message + "\n", content_type="text/plain; charset=utf-8")


def rdf_response(graph: Graph, fmt: str) -> HttpResponse:
    chosen = FORMATS[fmt]
    if chosen.key == "jsonld":
        namespaces = {prefix: str(uri) for prefix, uri in graph.namespaces() if prefix}
        body = graph.serialize(format="json-ld", context=namespaces, auto_compact=True)
    else:
        body = graph.serialize(format=chosen.rdflib)
    response = HttpResponse(body, content_type=f"{chosen.media_type}; charset=utf-8")
    response["Vary"] = "Accept"
    response["Access-Control-Allow-Origin"] = "*"  # open data: readable from any web app
    return response


def dataset_rdf_response(dataset: Dataset, fmt: str, request: HttpRequest) -> HttpResponse:
    """The published dataset as RDF in ``fmt`` (``ttl``, ``rdf``, ``jsonld``).

    A draft raises Http404 like a dataset that does not exist; a wrong ``?profile=`` is a 400.
    """
    if dataset.status != Dataset.Status.PUBLISHED:
        raise Http404
    if fmt not in FORMATS:
        raise ValueError(f"unknown RDF format {fmt!r}")
    try:
        profile, _asked = profile_of(request)
    except ProfileError as exc:
        return bad_request(str(exc))
    return rdf_response(rdf.dataset_graph(dataset, profile), fmt)

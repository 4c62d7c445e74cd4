"""Reading a DCAT catalogue from a file or an http(s) address into one RDF graph (the first
half of ``rathaus import-dcat``, :mod:`rathaus.opendata.dcat_import` maps it; docs/dcat-import.md).

Turtle, RDF/XML, JSON-LD and N-Triples are told apart by the media type, the extension, then the
content. Paged catalogues are followed through ``hydra:next``/``hydra:nextPage`` within the page,
byte and time limits of the settings, through :mod:`rathaus.opendata.safe_http`. Whatever cannot
be read raises :class:`DcatImportError` with a message that says why.

Parsing never reaches outside: a JSON-LD file must give its contexts inline (no address, no
``@import``), and while rdflib parses, an audit hook refuses every network request and every
file it would open (:func:`_no_outside_access`), whatever the parser tries.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import translation
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, RDF

from rathaus.opendata import safe_http

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"

_FORMATS = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/rdf+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/ld+json": "json-ld",
    "application/json": "json-ld",
    "application/n-triples": "nt",
}
_EXTENSIONS = {
    ".ttl": "turtle",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
}
_FORMAT_NAMES = {"turtle": "Turtle", "xml": "RDF/XML", "json-ld": "JSON-LD", "nt": "N-Triples"}
MAX_JSON_DEPTH = 100


class DcatImportError(Exception):
    """The source cannot be imported at all; the message says why. Nothing was imported."""


class _OutsideAccess(Exception):
    """The parser tried to fetch an address or open a file."""


# Set only while :func:`parse` runs rdflib (per thread and task): the audit hook acts then only.
_PARSING: contextvars.ContextVar[bool] = contextvars.ContextVar("dcat_parsing", default=False)
_NETWORK_EVENTS = frozenset(
    {"urllib.Request", "socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
     "http.client.connect", "ftplib.connect", "subprocess.Popen", "os.system"}
)  # fmt: skip
_CODE_SUFFIXES = (".py", ".pyc", ".so")  # Python loading a module it had not imported yet


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _PARSING.get():
        return
    if event in _NETWORK_EVENTS:
        raise _OutsideAccess(event)
    opened = args[0] if event == "open" and args else None
    # A file descriptor (an int) was opened before; a module file is Python importing.
    if isinstance(opened, str | bytes | os.PathLike) and not os.fsdecode(opened).endswith(
        _CODE_SUFFIXES
    ):
        raise _OutsideAccess(f"open {opened!r}")


_hook: list[bool] = []  # installed once, on the first parse: a hook cannot be removed again


@contextlib.contextmanager
def _no_outside_access() -> Iterator[None]:
    if not _hook:  # not at import: a process that never parses pays nothing per audit event
        sys.addaudithook(_audit)
        _hook.append(True)
    token = _PARSING.set(True)
    try:
        yield
    finally:
        _PARSING.reset(token)


def guess_format(data: bytes, *, content_type: str = "", name: str = "") -> str:
    """rdflib's format name from the media type, then the file extension, then the content."""
    if content_type in _FORMATS:
        return _FORMATS[content_type]
    suffix = Path(urlsplit(name).path if "://" in name else name).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    start = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"{", b"[")):
        return "json-ld"
    if start.startswith(b"<") and not start.startswith(b"<http"):
        return "xml"
    return "turtle"


def parse(data: bytes, fmt: str, *, base: str = "") -> Graph:
    """The RDF graph of ``data``; DcatImportError if it is not readable in that format."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise DcatImportError("this is a web page (HTML), not a DCAT catalogue")
    if b"<!entity" in data.lower():
        raise DcatImportError("XML entity declarations are not allowed in a catalogue file")
    if fmt == "json-ld":
        _refuse_remote_contexts(data)
    graph = Graph()
    try:
        with _no_outside_access():
            graph.parse(data=data, format=fmt, publicID=base or None)
    except _OutsideAccess:
        raise DcatImportError(
            "the file refers to another document (a context, an entity or a file); the import "
            "reads only what the file itself contains"
        ) from None
    except RecursionError:
        raise DcatImportError("the file is nested too deeply to be read") from None
    except Exception as exc:  # rdflib raises many kinds of parser errors
        raise DcatImportError(
            f"the file cannot be read as {_FORMAT_NAMES.get(fmt, fmt)}: {str(exc)[:300]}"
        ) from None
    return graph


def _refuse_remote_contexts(data: bytes) -> None:
    """JSON-LD contexts must be given inline: an address (``@context`` or ``@import``) would
    make the parser fetch it. Walked without recursion, with a depth limit."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise DcatImportError("the JSON-LD file is nested too deeply to be read") from None
    except ValueError as exc:
        raise DcatImportError(f"the file cannot be read as JSON-LD: {exc}") from None
    stack: list[tuple[Any, int]] = [(document, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise DcatImportError(f"the JSON-LD file is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            if "@import" in node:
                raise DcatImportError(
                    "the JSON-LD file imports a context (@import); give it inline"
                )
            if "@context" in node:
                value = node["@context"]
                contexts = value if isinstance(value, list) else [value]
                if any(isinstance(context, str) for context in contexts):
                    raise DcatImportError(
                        "the JSON-LD file refers to a remote @context; give it inline"
                    )
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def load(source: str, *, progress: Callable[[str], None] | None = None) -> Graph:
    """The whole catalogue behind ``source`` (a file path or an http(s) address, whose
    ``hydra:next`` pages are followed) as one graph. DcatImportError with a clear message when
    it cannot be read, is too large, has too many pages or is not a DCAT catalogue."""
    if source.startswith(("http://", "https://")):
        graph = _load_url(source, progress)
    else:
        path = Path(source)
        if not path.is_file():
            raise DcatImportError(f"{source}: no such file")
        limit = settings.RATHAUS_DCAT_IMPORT_MAX_BYTES
        if path.stat().st_size > limit:
            raise DcatImportError(f"{source}: the file is larger than {limit} bytes")
        data = path.read_bytes()
        graph = parse(data, guess_format(data, name=path.name), base=path.resolve().as_uri())
        _check_triples(graph, source)
    check_dcat(graph)
    return graph


def _load_url(url: str, progress: Callable[[str], None] | None) -> Graph:
    graph = Graph()
    seen: set[str] = set()
    next_url: str | None = url
    max_pages = settings.RATHAUS_DCAT_IMPORT_MAX_PAGES
    budget = settings.RATHAUS_DCAT_IMPORT_MAX_TOTAL_BYTES
    read = 0
    while next_url:
        if next_url in seen:
            break
        if len(seen) >= max_pages:
            raise DcatImportError(f"{url}: the catalogue has more than {max_pages} pages")
        seen.add(next_url)
        if progress:
            progress(next_url)
        page_limit = settings.RATHAUS_DCAT_IMPORT_MAX_BYTES
        max_bytes = min(page_limit, budget - read)
        try:
            # The import speaks English like its other messages (the command line's language).
            with translation.override("en"):
                response = safe_http.fetch(
                    next_url,
                    timeout=settings.RATHAUS_DCAT_IMPORT_TIMEOUT,
                    max_bytes=max_bytes,
                    headers={"Accept": ACCEPT},
                )
        except safe_http.TooLarge as exc:
            if max_bytes < page_limit:
                raise DcatImportError(
                    f"{url}: the pages of the catalogue together are larger than {budget} bytes"
                ) from None
            raise DcatImportError(f"{next_url}: {exc}") from None
        except safe_http.FetchError as exc:
            raise DcatImportError(f"{next_url}: {exc}") from None
        read += len(response.body)
        if response.status != 200:
            raise DcatImportError(f"{next_url}: the server answered {response.status}")
        fmt = guess_format(response.body, content_type=response.content_type, name=response.url)
        page = parse(response.body, fmt, base=response.url)
        graph += page
        _check_triples(graph, url)
        next_url = _next_page(page, response.url)
    return graph


def _check_triples(graph: Graph, source: str) -> None:
    limit = settings.RATHAUS_DCAT_IMPORT_MAX_TRIPLES
    if len(graph) > limit:
        raise DcatImportError(f"{source}: the catalogue has more than {limit} RDF statements")


def _next_page(page: Graph, base: str) -> str | None:
    for predicate in (HYDRA.next, HYDRA.nextPage):
        for target in page.objects(None, predicate):
            return urljoin(base, str(target))
    return None


def check_dcat(graph: Graph) -> None:
    """DcatImportError unless the graph is a DCAT catalogue with at least one dataset."""
    if not any(graph.triples((None, RDF.type, DCAT.Dataset))):
        if any(graph.triples((None, RDF.type, DCAT.Catalog))):
            raise DcatImportError("the catalogue contains no datasets (dcat:Dataset)")
        raise DcatImportError(
            "this is not a DCAT catalogue: it has no dcat:Catalog and no dcat:Dataset"
        )

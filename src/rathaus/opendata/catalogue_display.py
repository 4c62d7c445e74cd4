"""How the public catalogue pages name things for people: file types in words ("Tabelle
(CSV)" instead of "CSV", "Newsfeed" instead of "ATOM"), what a distribution's button does
(download a file, subscribe to a feed, open an interface) and a readable text for a link.

The codes stay what the DCAT-AP.de export and the filters use; only the words change.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.opendata.catalogue_models import Distribution

FORMAT_WORDS = {
    "CSV": gettext_lazy("Table (CSV)"),
    "TSV": gettext_lazy("Table (TSV)"),
    "XLS": gettext_lazy("Table (Excel)"),
    "XLSX": gettext_lazy("Table (Excel)"),
    "ODS": gettext_lazy("Table (ODS)"),
    "JSON": gettext_lazy("Data (JSON)"),
    "XML": gettext_lazy("Data (XML)"),
    "GEOJSON": gettext_lazy("Map data (GeoJSON)"),
    "KML": gettext_lazy("Map data (KML)"),
    "GML": gettext_lazy("Map data (GML)"),
    "SHP": gettext_lazy("Map data (Shapefile)"),
    "WMS_SRVC": gettext_lazy("Map service (WMS)"),
    "WFS_SRVC": gettext_lazy("Map service (WFS)"),
    "ATOM": gettext_lazy("News feed (Atom)"),
    "RSS": gettext_lazy("News feed (RSS)"),
    "ICS": gettext_lazy("Calendar (ICS)"),
    "PDF": gettext_lazy("Document (PDF)"),
    "DOCX": gettext_lazy("Document (Word)"),
    "ODT": gettext_lazy("Document (ODT)"),
    "HTML": gettext_lazy("Web page"),
    "TXT": gettext_lazy("Text"),
    "ZIP": gettext_lazy("Archive (ZIP)"),
    "PNG": gettext_lazy("Image (PNG)"),
    "JPEG": gettext_lazy("Image (JPEG)"),
}
# a distribution without a format code: its media type stands for one
MEDIA_TYPES = {
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/geo+json": "GEOJSON",
    "application/atom+xml": "ATOM",
    "application/rss+xml": "RSS",
    "text/calendar": "ICS",
    "application/pdf": "PDF",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/html": "HTML",
}
FEEDS = {"ATOM", "RSS", "ICS"}


def format_code(distribution: Distribution) -> str:
    """The distribution's format code, from its media type when none is given."""
    code = (distribution.format or "").strip().upper()
    if code:
        return code
    media_type = (distribution.media_type or "").split(";")[0].strip().lower()
    return MEDIA_TYPES.get(media_type, distribution.media_type or "")


def format_words(code: str) -> str:
    """A format code in words people know; an unknown code stays as it is."""
    return str(FORMAT_WORDS.get(code.strip().upper(), code))


def kind(distribution: Distribution) -> str:
    """ "feed" (a news feed or calendar to subscribe to), "file" (a download) or "api" (an
    interface or page to open: a distribution without a download address)."""
    if format_code(distribution) in FEEDS:
        return "feed"
    return "file" if distribution.download_url else "api"


def on_site(url: str, own_hosts: set[str]) -> str:
    """``url`` as a path when it leads to our own portal (one of ``own_hosts``, "host" or
    "host:port"), so the link works on whatever host the page was reached; the stored absolute
    address stays for the RDF export. Any other address stays as it is."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in own_hosts:
        return url
    path = parts.path or "/"
    return (
        path
        + (f"?{parts.query}" if parts.query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )


def action(distribution: Distribution, own_hosts: set[str] | None = None) -> dict[str, str]:
    """The button of a distribution: its address and what it says."""
    title = distribution.title or format_words(format_code(distribution))
    which = kind(distribution)
    if which == "file":
        label = _("Download %(title)s") % {"title": title}
    elif which == "feed":
        label = _("Subscribe to %(title)s") % {"title": title}
    else:
        label = _("Open %(title)s") % {"title": title}
    return {
        "kind": which,
        "label": label,
        "url": on_site(distribution.download_url or distribution.access_url, own_hosts or set()),
        "access_url": on_site(distribution.access_url, own_hosts or set()),
    }


def link_text(url: str) -> str:
    """A readable text for a link to ``url``: the web site it leads to, not the whole address."""
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    if not host:
        return _("Web page")
    return _("Web page at %(site)s") % {"site": host}

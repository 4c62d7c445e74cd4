"""The addresses an OParl answer names: object ids, list pages, files and the public pages.

Every id is absolute and built from the request (scheme and host the client used), so that a
client that reached the server under one host name stays on it.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

SCHEMA = "https://schema.oparl.org/1.1/"

# OParl type name -> the path segment of its objects and lists
SEGMENTS = {
    "Body": "body",
    "LegislativeTerm": "legislativeterm",
    "Location": "location",
    "File": "file",
    "Organization": "organization",
    "Person": "person",
    "Membership": "membership",
    "Meeting": "meeting",
    "AgendaItem": "agendaitem",
    "Paper": "paper",
    "Consultation": "consultation",
}

# the council's public pages (owned by the public council pages); a missing name means no `web`
WEB_PAGES = {
    "Meeting": "council:meeting",
    "Paper": "council:paper",
    "Person": "council:person",
    "Organization": "council:organization",
}


@cache
def _web_pattern(url_name: str) -> str | None:
    """The path of a public page with ``{pk}`` for its key, or None while the page is missing."""
    marker = 987654321
    try:
        return reverse(url_name, args=[marker]).replace(str(marker), "{pk}")
    except NoReverseMatch:
        return None


class Addresses:
    """The absolute addresses of one request's answer."""

    def __init__(self, request: HttpRequest) -> None:
        self.root = request.build_absolute_uri(reverse("oparl:system"))  # ends with "/"

    def system(self) -> str:
        return self.root

    def bodies(self) -> str:
        return f"{self.root}body/"

    def object(self, type_name: str, pk: int) -> str:
        return f"{self.root}{SEGMENTS[type_name]}/{pk}"

    def objects(self, type_name: str, pks: list[int]) -> list[str]:
        segment = SEGMENTS[type_name]
        return [f"{self.root}{segment}/{pk}" for pk in pks]

    def body_list(self, body_pk: int, type_name: str, **params: str) -> str:
        address = f"{self.root}body/{body_pk}/{SEGMENTS[type_name]}/"
        return f"{address}?{urlencode(params)}" if params else address

    def file_access(self, pk: int) -> str:
        return self.absolute(reverse("oparl:file-access", args=[pk]))

    def file_download(self, pk: int) -> str:
        return self.absolute(reverse("oparl:file-download", args=[pk]))

    def web(self, type_name: str, pk: int) -> str | None:
        url_name = WEB_PAGES.get(type_name)
        pattern = _web_pattern(url_name) if url_name else None
        return self.absolute(pattern.format(pk=pk)) if pattern else None

    def web_named(self, url_name: str) -> str | None:
        try:
            return self.absolute(reverse(url_name))
        except NoReverseMatch:
            return None

    def absolute(self, path: str) -> str:
        # root is ".../oparl/v1/"; the site root is what comes before that path
        site = self.root[: -len(reverse("oparl:system"))]
        return site + path

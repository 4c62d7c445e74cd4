"""Public pages of the open data catalogue (/daten/katalog/): the list with search, filters and
paging, and one page per dataset with its distributions (ADR 0062).

Only published datasets of the portal's authority are shown. The search is a plain, portable
query: every word must occur in the title, the description or the keywords (``icontains``,
enough for catalogues of thousands of datasets). The list costs a fixed number of queries
whatever its length: the page of datasets, their distributions (prefetched) and the count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.models import Authority, AuthorityHost
from rathaus.core.tenancy import current_authority, portal_url
from rathaus.opendata import catalogue_display, catalogue_licences
from rathaus.opendata.catalogue_models import Dataset, Distribution, Theme
from rathaus.opendata.dcat import negotiation

PAGE_SIZE = 20
MAX_QUERY = 200
MAX_WORDS = 8
OWN = "eigene"  # the value of the publisher filter for the authority's own datasets
SORTS = {"aktuell": ("-modified", "title", "id"), "titel": ("title", "id")}


@dataclass(frozen=True)
class Filters:
    query: str
    theme: str
    format: str
    keyword: str
    publisher: str
    sort: str

    @classmethod
    def of(cls, request: HttpRequest) -> Filters:
        get = request.GET
        theme = get.get("thema", "")
        sort = get.get("sortierung", "")
        return cls(
            query=" ".join(get.get("q", "").split())[:MAX_QUERY],
            theme=theme if theme in Theme.values else "",
            format=get.get("format", "").strip()[:50],
            keyword=get.get("schlagwort", "").strip()[:100],
            publisher=get.get("herausgeber", "").strip()[:300],
            sort=sort if sort in SORTS else "aktuell",
        )

    @property
    def active(self) -> bool:
        return bool(self.query or self.theme or self.format or self.keyword or self.publisher)


def published(authority: Authority | None) -> QuerySet[Dataset]:
    """The published datasets of ``authority``'s catalogue (none without an authority)."""
    if authority is None:
        return Dataset.objects.none()
    return Dataset.objects.filter(authority=authority, status=Dataset.Status.PUBLISHED)


def has_keyword(keyword: str) -> Q:
    """Datasets with exactly this keyword (as stored, JSON containment where the database has
    it, else the keyword as a JSON string inside the stored list)."""
    if connection.features.supports_json_field_contains:
        return Q(keywords__contains=[keyword])
    return Q(keyword_text__contains=json.dumps(keyword))


def search(rows: QuerySet[Dataset], filters: Filters, authority: Authority) -> QuerySet[Dataset]:
    rows = rows.annotate(
        keyword_text=Cast("keywords", output_field=TextField()),
        theme_text=Cast("themes", output_field=TextField()),
    )
    for word in filters.query.split()[:MAX_WORDS]:
        rows = rows.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(keyword_text__icontains=word)
        )
    if filters.theme:
        rows = rows.filter(theme_text__contains=f'"{filters.theme}"')
    if filters.format:
        rows = rows.filter(
            Exists(
                Distribution.objects.filter(dataset=OuterRef("pk"), format__iexact=filters.format)
            )
        )
    if filters.keyword:
        rows = rows.filter(has_keyword(filters.keyword))
    if filters.publisher == OWN:
        rows = rows.filter(Q(publisher_name="") | Q(publisher_name=authority.name))
    elif filters.publisher:
        rows = rows.filter(publisher_name=filters.publisher)
    return rows


def distributions_in_order() -> Prefetch[Any]:
    return Prefetch("distributions", queryset=Distribution.objects.order_by("position", "id"))


def formats_of(dataset: Dataset) -> list[str]:
    """The formats of a dataset's (prefetched) distributions in words, each once, in order."""
    seen: list[str] = []
    for distribution in dataset.distributions.all():
        name = catalogue_display.format_words(catalogue_display.format_code(distribution))
        if name and name not in seen:
            seen.append(name)
    return seen


def themes_in_use(rows: QuerySet[Dataset]) -> list[tuple[str, str, int]]:
    """The categories the published datasets use, with how many use each, in the list's order
    (a filter offering all 13 EU categories would mostly lead to nothing)."""
    counts: dict[str, int] = {}
    for themes in rows.values_list("themes", flat=True).iterator():
        for code in set(themes or []):
            counts[code] = counts.get(code, 0) + 1
    return [(code, str(label), counts[code]) for code, label in Theme.choices if code in counts]


def _choices(authority: Authority | None) -> dict[str, Any]:
    """The options of the filters: the themes in use, the formats and the other publishers."""
    rows = published(authority)
    formats = (
        Distribution.objects.filter(dataset__in=rows).exclude(format="")
        .values_list("format", flat=True).distinct().order_by("format")
    )  # fmt: skip
    publishers = (
        rows.exclude(publisher_name="").values_list("publisher_name", flat=True)
        .distinct().order_by("publisher_name")
    )  # fmt: skip
    return {
        "themes": themes_in_use(rows),
        "formats": [(code, catalogue_display.format_words(code)) for code in formats],
        "publishers": [name for name in publishers if authority and name != authority.name],
    }


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    authority = current_authority(request)
    filters = Filters.of(request)
    rows = published(authority)
    if authority is not None:
        rows = search(rows, filters, authority)
    rows = rows.order_by(*SORTS[filters.sort]).prefetch_related(distributions_in_order())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite"))
    datasets = list(page.object_list)
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "opendata/catalogue/list.html",
        {
            "authority": authority,
            "of_authority": authority.of_name if authority is not None else "",
            "filters": filters,
            "own": OWN,
            "page": page,
            "datasets": [
                {
                    "dataset": dataset,
                    "formats": formats_of(dataset),
                    "licence": catalogue_licences.describe(dataset.licence),
                    "themes": _theme_labels(dataset.themes),
                }
                for dataset in datasets
            ],
            "query": query.urlencode(),
            **_choices(authority),
        },
    )


def _theme_labels(codes: list[str]) -> list[str]:
    labels = dict(Theme.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def rdf_links(page_url: str) -> list[dict[str, str]]:
    """The machine-readable variants of a dataset page: the same address with .ttl, .rdf and
    .jsonld instead of the closing slash (served by the DCAT export)."""
    base = page_url.rstrip("/")
    return [
        {"url": f"{base}.ttl", "label": "Turtle", "media_type": "text/turtle"},
        {"url": f"{base}.rdf", "label": "RDF/XML", "media_type": "application/rdf+xml"},
        {"url": f"{base}.jsonld", "label": "JSON-LD", "media_type": "application/ld+json"},
    ]


@require_safe
def dataset_page(request: HttpRequest, slug: str) -> HttpResponse:
    authority = current_authority(request)
    dataset = (
        published(authority).select_related("authority")
        .prefetch_related(distributions_in_order()).filter(slug=slug).first()
    )  # fmt: skip
    if dataset is None:
        raise Http404("no such published dataset")
    # the same address answers RDF to clients that ask for it (Accept: text/turtle …)
    rdf_format = negotiation.rdf_format(request)
    if rdf_format is not None:
        answer = negotiation.dataset_rdf_response(dataset, rdf_format, request)
        patch_vary_headers(answer, ["Accept"])
        return answer
    licence = catalogue_licences.describe(dataset.licence)
    own_hosts = _own_hosts(request, dataset.authority)
    distributions = [
        {
            "distribution": distribution,
            "licence": (
                catalogue_licences.describe(distribution.licence)
                if distribution.licence and distribution.licence != dataset.licence
                else None
            ),
            "format": catalogue_display.format_words(catalogue_display.format_code(distribution)),
            "action": catalogue_display.action(distribution, own_hosts),
        }
        for distribution in dataset.distributions.all()
    ]
    page = render(
        request,
        "opendata/catalogue/dataset.html",
        {
            "dataset": dataset,
            "publisher": dataset.publisher_name or dataset.authority.name,
            "licence": licence,
            "themes": _theme_labels(dataset.themes),
            "distributions": distributions,
            "area": _area(dataset),
            "landing_page_text": catalogue_display.link_text(dataset.landing_page),
            "rdf_links": rdf_links(reverse("catalogue:dataset", args=[dataset.slug])),
            "catalogue_url": reverse("catalogue:list"),
        },
    )
    patch_vary_headers(page, ["Accept"])
    return page


def _own_hosts(request: HttpRequest, authority: Authority) -> set[str]:
    """The hosts of our own portal: the one the page was reached on, the configured public
    address and the authority's host names."""
    hosts = {request.get_host().lower(), urlsplit(portal_url(authority)).netloc.lower()}
    hosts.update(
        name.lower()
        for name in AuthorityHost.objects.filter(authority=authority).values_list(
            "hostname", flat=True
        )
    )
    return hosts


def _area(dataset: Dataset) -> str:
    """The area the data covers, in words: the authority's own area unless another is set."""
    if not dataset.political_geocoding:
        return _("Area %(of_authority)s") % {"of_authority": dataset.authority.of_name}
    return dataset.political_geocoding

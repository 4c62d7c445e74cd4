"""Public pages of the construction sites: the list (``/baustellen/``) and one site.

The list answers "where is a construction site, which street is closed?" without JavaScript:
current sites first, then planned and ended ones, each with its kind, streets, village, dates in
words and detour; filters by village, by day ("was ist am …") and by time (tabs). With
JavaScript a Leaflet map above the list shows the same sites; the list stays the content.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.construction import sites as site_rules
from rathaus.construction.forms import FilterForm
from rathaus.construction.models import Disruption
from rathaus.construction.sites import STATE_LABELS, Filters, State
from rathaus.core.files.views import url as file_url
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority

PAGE_SIZE = 50
PAST_ON_OVERVIEW = 10
CENTRE = (52.205, 11.60)  # Barleben, when no site has a place


def authority_or_404(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    return authority


def filters_from(form: FilterForm) -> Filters:
    if not form.is_valid():
        return Filters()
    data = form.cleaned_data
    return Filters(locality=data["ort"], day=data["datum"], state=data["zeit"] or None)


def map_options(entries: list[Disruption], today: Any) -> dict[str, Any]:
    return {
        "tileUrl": settings.RATHAUS_MAP_TILE_URL,
        "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
        "centre": list(CENTRE),
        "labels": {"map": _("Map of the construction sites"), "skip": _("Skip the map")},
        "sites": [
            {
                "title": site.title,
                "url": reverse("construction:site", args=[site.uid]),
                "period": site_rules.period_in_words(site, today),
                "kind": site.get_kind_display(),
                "geometry": site.geometry,
            }
            for site in entries
            if site.geometry
        ],
    }


@require_safe
def site_list(request: HttpRequest) -> HttpResponse:
    authority = authority_or_404(request)
    form = FilterForm(request.GET or None, authority=authority)
    filters = filters_from(form)
    today = site_rules.today()
    base = site_rules.published(authority).select_related("locality")
    if filters.locality is not None:
        base = base.filter(locality=filters.locality)
    if filters.day is not None:
        base = base.filter(site_rules.open_on(filters.day))
    sections: list[dict[str, Any]] = []
    page = None
    states = [filters.state] if filters.state else list(State)
    for state in states:
        found = site_rules.in_state(base, state, today)
        if filters.state:
            page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("seite"))
            entries, more = list(page.object_list), False
        else:
            limit = PAST_ON_OVERVIEW if state == State.PAST else PAGE_SIZE
            entries = list(found[: limit + 1])
            more = len(entries) > limit
            entries = entries[:limit]
        sections.append({"state": state, "label": STATE_LABELS[state], "entries": entries,
                         "more": more, "more_url": _query(request, zeit=state.value)})  # fmt: skip
    for section in sections:
        for site in section["entries"]:
            site.period = site_rules.period_in_words(site, today)
    shown = [site for section in sections for site in section["entries"]]
    context = {
        "authority": authority,
        "form": form,
        "filters": filters,
        "sections": sections,
        "page": page,
        "tabs": [{"value": "", "label": _("All"), "url": _query(request, zeit="")}]
        + [
            {"value": state.value, "label": label, "url": _query(request, zeit=state.value)}
            for state, label in STATE_LABELS.items()
        ],
        "chosen": filters.state.value if filters.state else "",
        "map_options": map_options(shown, today),
        "feed_query": _feed_query(request),
        "count": len(shown),
    }
    return render(
        request, "construction/list.html", context, status=200 if not form.errors else 400
    )


def _query(request: HttpRequest, **changes: str) -> str:
    values = {key: value for key, value in request.GET.items() if key in ("ort", "datum", "zeit")}
    values.update(changes)
    values = {key: value for key, value in values.items() if value}
    return "?" + urlencode(values) if values else "?"


def _feed_query(request: HttpRequest) -> str:
    values = {key: value for key, value in request.GET.items() if key in ("ort", "datum", "zeit")
              and value}  # fmt: skip
    return "?" + urlencode(values) if values else ""


@require_safe
def site_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    authority = authority_or_404(request)
    site = site_rules.published(authority).select_related("locality").filter(uid=uid).first()
    if site is None:
        raise Http404("no such published site")
    today = site_rules.today()
    site.period = site_rules.period_in_words(site, today)  # type: ignore[attr-defined]
    documents = [
        {"title": document.title, "url": file_url(document.file), "size": document.file.size}
        for document in site.documents.select_related("file")
    ]
    context = {
        "site": site,
        "state": STATE_LABELS[site_rules.state_of(site, today)],
        "documents": documents,
        "map_options": map_options([site], today),
    }
    return render(request, "construction/detail.html", context)

"""The catalogue as RDF files: ``catalog.ttl|.rdf|.jsonld`` in pages, and each dataset."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.opendata.catalogue_models import Dataset
from rathaus.opendata.dcat import rdf
from rathaus.opendata.dcat.negotiation import (
    ProfileError,
    bad_request,
    dataset_rdf_response,
    profile_of,
    rdf_response,
)

# More digits than any catalogue has pages: refused before anything is counted.
MAX_PAGE_DIGITS = 9


def _authority(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404
    return authority


@require_safe
def catalogue(request: HttpRequest, fmt: str) -> HttpResponse:
    """One page of the whole catalogue of the authority (``?page=N``, default 1)."""
    authority = _authority(request)
    try:
        profile, asked = profile_of(request)
    except ProfileError as exc:
        return bad_request(str(exc))
    raw = request.GET.get("page", "1").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        return bad_request(_("The page must be a whole number from 1 on, e.g. ?page=2."))
    page = int(raw)
    page_size = int(settings.RATHAUS_DCAT_PAGE_SIZE)
    paging = rdf.paging_of(authority, page, page_size)
    if page > paging.last:
        message = _("There is no page %(page)s; the catalogue has %(last)s pages.")
        response = HttpResponse(
            message % {"page": page, "last": paging.last} + "\n",
            status=404,
            content_type="text/plain; charset=utf-8",
        )
        return response
    graph, _paging = rdf.catalogue_page(
        authority,
        page,
        page_size,
        profile,
        file_name=f"catalog.{fmt}",
        paging=paging,
        query=f"&profile={profile}" if asked else "",
    )
    return rdf_response(graph, fmt)


@require_safe
def dataset(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    authority = _authority(request)
    found = get_object_or_404(
        Dataset.objects.select_related("authority").prefetch_related("distributions"),
        authority=authority,
        slug=slug,
        status=Dataset.Status.PUBLISHED,
    )
    return dataset_rdf_response(found, fmt, request)

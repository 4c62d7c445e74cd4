"""Public pages of the official notices (``/bekanntmachungen/``): the notices on display, one
notice with its attachments, and the archive with the proof of display. The rules of what is
public are in :mod:`rathaus.noticeboard.public`; the subscription pages are in
:mod:`rathaus.noticeboard.subscription_views`."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from rathaus.core.files.serving import response as file_response
from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.noticeboard import proof, public
from rathaus.noticeboard.models import Category, Notice
from rathaus.noticeboard.public_forms import ArchiveFilter, CategoryFilter

ARCHIVE_PAGE_SIZE = 20


def authority_or_404(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    return authority


def _with_words(notices: list[Notice]) -> list[Notice]:
    for notice in notices:
        notice.period = public.since_in_words(notice)  # type: ignore[attr-defined]
        notice.slug = public.SLUG_OF.get(notice.category, "")  # type: ignore[attr-defined]
        notice.category_label = public.category_label(notice.category)  # type: ignore[attr-defined]
    return notices


@require_safe
def notice_list(request: HttpRequest) -> HttpResponse:
    """The notices on display now, grouped by category (or of one category, ``?bereich=``)."""
    authority = authority_or_404(request)
    form = CategoryFilter(request.GET or None)
    chosen = form.category()
    found = public.on_display(authority)
    if chosen is not None:
        found = found.filter(category=chosen)
    notices = _with_words(list(found.order_by("-display_from", "-id")))
    sections = [
        {"label": public.category_label(category), "slug": public.SLUG_OF[category.value],
         "notices": [notice for notice in notices if notice.category == category.value]}
        for category in Category
    ]  # fmt: skip
    context = {
        "form": form,
        "chosen": chosen,
        "chosen_label": public.category_label(chosen) if chosen else "",
        "chosen_slug": public.SLUG_OF[chosen.value] if chosen else "",
        "sections": [section for section in sections if section["notices"]],
        "count": len(notices),
        "tabs": _tabs(),
    }
    return render(request, "noticeboard/list.html", context, status=400 if form.errors else 200)


def _tabs() -> list[dict[str, str]]:
    return [{"slug": "", "label": _("All")}] + [
        {"slug": slug, "label": public.category_label(category)}
        for slug, category in public.SLUGS.items()
    ]


@require_safe
def notice_detail(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    authority = authority_or_404(request)
    notice = (
        public.public(authority)
        .prefetch_related("attachments__file", "display_records")
        .filter(uid=uid)
        .first()
    )
    if notice is None:
        raise Http404("no such public notice")
    attachments = [
        {
            "title": attachment.title,
            "pk": attachment.pk,
            "kind": public.kind_in_words(attachment.file.media_type),
            "size": attachment.file.size,
        }
        for attachment in notice.attachments.all()
    ]
    archived = notice.status in public.ARCHIVED
    context = {
        "notice": notice,
        "category": public.category_label(notice.category),
        "slug": public.SLUG_OF.get(notice.category, ""),
        "period": public.period_in_words(notice),
        "state": public.state_in_words(notice),
        "on_display": notice.status == Notice.Status.ON_DISPLAY
        and notice.display_until > public.now(),
        "withdrawn": notice.status == Notice.Status.WITHDRAWN,
        "proof": public.proof(notice) if archived else None,
        "attachments": attachments,
    }
    return render(request, "noticeboard/notice.html", context)


@require_safe
def attachment(request: HttpRequest, uid: uuid.UUID, pk: int) -> HttpResponseBase:
    """An attachment of a public notice; drafts' and scheduled notices' files answer 404 like
    files that do not exist."""
    authority = authority_or_404(request)
    notice = public.public(authority).filter(uid=uid).first()
    if notice is None:
        raise Http404("no such public notice")
    found = notice.attachments.select_related("file").filter(pk=pk).first()
    if found is None:
        raise Http404("no such attachment")
    return file_response(found.file)


@require_safe
def proof_pdf(request: HttpRequest, uid: uuid.UUID) -> HttpResponse:
    """The proof of display as a PDF, for the notices of the archive (ended or withdrawn after
    they were put up): anything else answers 404."""
    authority = authority_or_404(request)
    notice = public.archived(authority).filter(uid=uid).first()
    if notice is None:
        raise Http404("no such notice in the archive")
    response = HttpResponse(proof.render(notice, public=True), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{proof.filename(notice)}"'
    return response


@require_safe
def archive(request: HttpRequest) -> HttpResponse:
    """Ended and withdrawn notices, newest first, with the proof of display; by category and
    year, paged (``seite``)."""
    authority = authority_or_404(request)
    form = ArchiveFilter(request.GET or None)
    chosen, year = form.category(), form.year()
    found = public.archived(authority)
    years = [day.year for day in found.dates("display_from", "year", order="DESC")]
    if chosen is not None:
        found = found.filter(category=chosen)
    if year is not None:
        found = found.filter(display_from__year=year)
    page = Paginator(found.prefetch_related("display_records"), ARCHIVE_PAGE_SIZE).get_page(
        request.GET.get("seite")
    )
    notices = _with_words(list(page.object_list))
    for notice in notices:
        notice.proof = public.proof(notice)  # type: ignore[attr-defined]
    filters = {"bereich": public.SLUG_OF[chosen.value] if chosen else "", "jahr": year or ""}
    query = urlencode({key: value for key, value in filters.items() if value})
    context = {
        "form": form,
        "notices": notices,
        "page": page,
        "years": years,
        "filtered": chosen is not None or year is not None,
        "page_query": f"{query}&" if query else "",
    }
    return render(request, "noticeboard/archive.html", context, status=400 if form.errors else 200)

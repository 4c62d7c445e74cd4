"""Staff pages of the construction sites (``/verwaltung/baustellen/``).

Who keeps the sites: the same people who keep the projects (``keepers``) — superusers, members
with the role "Administration" or "Baustellen" (made by migration 0002) in a unit of the
authority, or holders of ``construction.change_project``: in a town the Ordnungsamt or the
Bauamt. Others get a 403 in the staff frame; a site of an authority the user does not keep is a
404. Every change is audited (``construction.site.*``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.construction import keepers
from rathaus.construction import sites as site_rules
from rathaus.construction.forms import DOCUMENT_MAX_BYTES, DisruptionForm, DocumentForm
from rathaus.construction.models import Disruption, DisruptionDocument, Publication
from rathaus.core import audit
from rathaus.core.files import (
    PDF,
    UploadRejected,
    UploadRules,
    check_and_store,
    file_limit,
    size_in_words,
)
from rathaus.core.files import release as release_files
from rathaus.core.models import Authority
from rathaus.core.staff_views import staff_required

ROLE = keepers.ROLE
KEEPING_ROLES = keepers.KEEPING_ROLES
kept_authorities = keepers.kept_authorities


def _authorities(request: HttpRequest) -> QuerySet[Authority]:
    found = kept_authorities(request.user)
    if not found.exists():
        raise PermissionDenied("keeps the construction sites of no authority")
    return found


def _chosen(request: HttpRequest, authorities: QuerySet[Authority]) -> Authority:
    slug = request.GET.get("behoerde", "")[:100]
    chosen = authorities.filter(slug=slug).first() if slug else None
    return chosen or authorities.first()  # type: ignore[return-value]


def _site(request: HttpRequest, pk: int) -> Disruption:
    site = (
        Disruption.objects.select_related("authority", "locality")
        .filter(pk=pk, authority__in=_authorities(request))
        .first()
    )
    if site is None:
        raise Http404("no site of the user's authorities")
    return site


def _edit_url(site: Disruption) -> str:
    return reverse("construction_staff:edit", args=[site.pk])


@never_cache
@require_safe
@staff_required
def site_list(request: HttpRequest) -> HttpResponse:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    today = site_rules.today()
    rows = list(
        Disruption.objects.filter(authority=authority)
        .select_related("locality")
        .order_by("-starts_on", "-id")[:500]
    )
    for site in rows:
        site.period = site_rules.period_in_words(site, today)  # type: ignore[attr-defined]
        site.state_label = site_rules.STATE_LABELS[site_rules.state_of(site, today)]  # type: ignore[attr-defined]
    context = {"authority": authority, "authorities": authorities, "sites": rows}
    return render(request, "construction/staff/list.html", context)


def _map_context(authority: Authority) -> dict[str, Any]:
    from django.conf import settings

    from rathaus.construction.views import CENTRE

    return {
        "tileUrl": settings.RATHAUS_MAP_TILE_URL,
        "attribution": settings.RATHAUS_MAP_ATTRIBUTION,
        "centre": list(CENTRE),
        "labels": {
            "map": _("Map for drawing the place: click to add a point"),
            "add": _("Add the map's centre"),
            "undo": _("Remove the last point"),
            "clear": _("Delete all points"),
            "none": _("No point yet. Click on the map to add one."),
            "count": _("Points: %(count)s"),
        },
    }


def _save(request: HttpRequest, form: DisruptionForm, created: bool) -> Disruption:
    with transaction.atomic():
        site = form.save()
        audit.record(
            "construction.site.created" if created else "construction.site.changed",
            actor=request.user, authority=site.authority, obj=site,
            details={"fields": sorted(form.changed_data)},
        )  # fmt: skip
    for warning in form.warnings:
        messages.warning(request, warning)
    messages.success(request, _("The site “%(title)s” was saved.") % {"title": site.title})
    return site


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def site_add(request: HttpRequest) -> HttpResponseBase:
    authorities = _authorities(request)
    authority = _chosen(request, authorities)
    form = DisruptionForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        site = _save(request, form, created=True)
        return redirect(_edit_url(site))
    context = {"form": form, "authority": authority, "site": None,
               "map_options": _map_context(authority)}  # fmt: skip
    return render(request, "construction/staff/edit.html", context,
                  status=422 if form.is_bound else 200)  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    site = _site(request, pk)
    form = DisruptionForm(request.POST or None, instance=site, authority=site.authority)
    if request.method == "POST" and form.is_valid():
        _save(request, form, created=False)
        return redirect(_edit_url(site))
    return _edit_page(request, site, form, DocumentForm(), 422 if form.is_bound else 200)


def _edit_page(
    request: HttpRequest, site: Disruption, form: DisruptionForm, documents: DocumentForm,
    status: int,
) -> HttpResponse:  # fmt: skip
    context = {
        "form": form,
        "authority": site.authority,
        "site": site,
        "documents": site.documents.select_related("file"),
        "document_form": documents,
        "document_limit": size_in_words(file_limit(DOCUMENT_MAX_BYTES)),
        "missing": missing_for_publication(site),
        "map_options": _map_context(site.authority),
    }
    return render(request, "construction/staff/edit.html", context, status=status)


def missing_for_publication(site: Disruption) -> list[str]:
    """What a site needs before it is public: where and when, in words."""
    missing = []
    if not site.streets and not site.geometry:
        missing.append(_("the affected streets or a place on the map"))
    if site.ends_on is None and not site.until_further_notice:
        missing.append(_("an end date or “until further notice”"))
    return missing


@require_POST
@staff_required
def site_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    site = _site(request, pk)
    missing = missing_for_publication(site)
    if missing:
        messages.error(request, _("The site cannot be published yet. Missing: %(missing)s.")
                       % {"missing": ", ".join(missing)})  # fmt: skip
        return redirect(_edit_url(site))
    with transaction.atomic():
        site.status = Publication.PUBLISHED
        site.published_at = site.published_at or timezone.now()
        site.save(update_fields=["status", "published_at", "updated_at"])
        audit.record("construction.site.published", actor=request.user,
                     authority=site.authority, obj=site)  # fmt: skip
    messages.success(request, _("The site is now published."))
    return redirect(_edit_url(site))


@require_POST
@staff_required
def site_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    site = _site(request, pk)
    with transaction.atomic():
        site.status = Publication.DRAFT
        site.save(update_fields=["status", "updated_at"])
        audit.record("construction.site.withdrawn", actor=request.user,
                     authority=site.authority, obj=site)  # fmt: skip
    messages.success(request, _("The site is no longer public; it is kept as a draft."))
    return redirect(_edit_url(site))


@require_POST
@staff_required
def document_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    site = _site(request, pk)
    documents = DocumentForm(request.POST, request.FILES)
    if documents.is_valid():
        rules = UploadRules(accept=(PDF,), max_bytes=file_limit(DOCUMENT_MAX_BYTES))
        try:
            stored = check_and_store(documents.cleaned_data["file"], rules)
        except UploadRejected as rejected:
            documents.add_error("file", rejected.message)
            form = DisruptionForm(instance=site, authority=site.authority)
            response = _edit_page(request, site, form, documents, rejected.status)
            if rejected.retry_after:
                response["Retry-After"] = str(rejected.retry_after)
            return response
        with transaction.atomic():
            document = DisruptionDocument.objects.create(
                disruption=site, title=documents.cleaned_data["title"], file=stored.file,
                position=site.documents.count(),
            )  # fmt: skip
            site.save(update_fields=["updated_at"])
            audit.record(
                "construction.site.document_added", actor=request.user,
                authority=site.authority, obj=site,
                details={"document": document.pk, "sha256": stored.file.sha256},
            )  # fmt: skip
        messages.success(request, _("The document “%(title)s” was added.")
                         % {"title": document.title})  # fmt: skip
        return redirect(_edit_url(site) + "#dokumente")
    form = DisruptionForm(instance=site, authority=site.authority)
    return _edit_page(request, site, form, documents, 422)


@require_POST
@staff_required
def document_remove(request: HttpRequest, pk: int, document: int) -> HttpResponseBase:
    site = _site(request, pk)
    found = site.documents.filter(pk=document).first()
    if found is None:
        raise Http404("no such document of this site")
    stored = found.file_id
    with transaction.atomic():
        found.delete()
        site.save(update_fields=["updated_at"])
        audit.record(
            "construction.site.document_removed", actor=request.user,
            authority=site.authority, obj=site, details={"title": found.title},
        )  # fmt: skip
        release_files([stored])
    messages.success(request, _("The document was removed."))
    return redirect(_edit_url(site) + "#dokumente")


def is_published_document(request: HttpRequest, stored: Any) -> bool:
    """Documents of published sites are public, like the site's page; staff who keep the site
    see those of drafts too."""
    documents = DisruptionDocument.objects.filter(file=stored)
    if documents.filter(disruption__status=Publication.PUBLISHED).exists():
        return True
    user = request.user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff", False):
        return False
    return documents.filter(disruption__authority__in=kept_authorities(user)).exists()

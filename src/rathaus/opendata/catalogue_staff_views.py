"""Staff pages of the open data catalogue (/verwaltung/daten/): the list of datasets with their
status and broken links, a dataset with its distributions, publish and withdraw (ADR 0062).

Superusers, administrators and the people with the role "Sensordaten" keep the catalogue of the
authorities of their units; others get a 403 in the staff frame, a dataset of another authority
is a 404. Publishing is refused with the list of what is missing
(:func:`rathaus.opendata.catalogue_publish.missing`). A dataset the platform produces itself
(``source`` set) is kept current by the sync: here only its description, keywords and contact
may be changed. Every change is audited. Everything works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from rathaus.core import audit, refusals, roles
from rathaus.core.models import Authority, Membership
from rathaus.core.staff_views import staff_required
from rathaus.core.tenancy import current_authority
from rathaus.opendata import catalogue_publish
from rathaus.opendata.catalogue_forms import (
    DatasetFilterForm,
    DatasetForm,
    DistributionFormSet,
    PlatformDatasetForm,
)
from rathaus.opendata.catalogue_models import Dataset

PAGE_SIZE = 25
KEEPING_ROLES = (roles.ADMINISTRATOR, roles.SENSOR_DATA)


def kept_authorities(user: Any) -> set[int]:
    """The authorities whose catalogue ``user`` keeps: every one for a superuser, else those of
    the units where they are administrator or have the role "Sensordaten"."""
    if getattr(user, "is_superuser", False):
        return set(Authority.objects.values_list("pk", flat=True))
    return set(
        Membership.objects.filter(user=user, role__name__in=KEEPING_ROLES).values_list(
            "org_unit__authority_id", flat=True
        )
    )


def _allowed(request: HttpRequest) -> set[int]:
    allowed = kept_authorities(request.user)
    if not allowed:
        raise PermissionDenied("keeps the open data catalogue of no authority")
    return allowed


def _chosen(request: HttpRequest, allowed: set[int]) -> tuple[Authority, list[Authority]]:
    authorities = list(Authority.objects.filter(pk__in=allowed).order_by("name"))
    slug = request.GET.get("behoerde", "")[:100]
    if not slug:  # the portal's own authority first
        portal = current_authority(request)
        slug = portal.slug if portal is not None else ""
    chosen = next((one for one in authorities if one.slug == slug), authorities[0])
    return chosen, authorities


def _dataset(request: HttpRequest, pk: int) -> Dataset:
    found = (
        Dataset.objects.select_related("authority")
        .filter(pk=pk, authority_id__in=_allowed(request)).first()
    )  # fmt: skip
    if found is None:
        raise refusals.not_found(request, Dataset, "no such dataset for this user", pk=pk)
    return found


@never_cache
@require_safe
@staff_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    authority, authorities = _chosen(request, _allowed(request))
    form = DatasetFilterForm(request.GET or None)
    rows = (
        form.filter(Dataset.objects.filter(authority=authority))
        .annotate(
            distribution_count=Count("distributions"),
            broken_count=Count("distributions", filter=Q(distributions__link_status="broken")),
        )
        .order_by("title", "id")
    )
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "opendata/catalogue_staff/list.html",
        {
            "authority": authority,
            "authorities": authorities,
            "form": form,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("seite")),
            "query": query.urlencode(),
        },
    )


def _changed(form: Any, formset: Any | None) -> list[str]:
    fields = list(form.changed_data)
    if formset is not None and formset.has_changed():
        fields.append("distributions")
    return fields


def _save(
    request: HttpRequest, dataset: Dataset, form: Any, formset: Any | None, action: str
) -> list[str]:
    """Save the form (and the distributions) in one transaction with the audit entry; a
    published dataset must stay publishable: returns what it would lack, and saves nothing."""
    with transaction.atomic():
        saved = form.save()
        if formset is not None:
            formset.instance = saved
            formset.save()
        if saved.status == Dataset.Status.PUBLISHED:
            lacking = catalogue_publish.missing(saved)
            if lacking:
                transaction.set_rollback(True)
                return lacking
            if not saved.source:  # a platform dataset's date is its source's (the sync)
                saved.modified = timezone.now()
                saved.save(update_fields=["modified", "updated_at"])
        audit.record(
            action, actor=request.user, authority=saved.authority, obj=saved,
            details={"changed": _changed(form, formset)},
        )  # fmt: skip
    return []


def _edit_page(request: HttpRequest, context: dict[str, Any], status: int) -> HttpResponse:
    return render(request, "opendata/catalogue_staff/edit.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def dataset_add(request: HttpRequest) -> HttpResponseBase:
    authority, authorities = _chosen(request, _allowed(request))
    dataset = Dataset(authority=authority)
    form = DatasetForm(request.POST or None, instance=dataset, authority=authority)
    formset = DistributionFormSet(request.POST or None, instance=dataset, prefix="dist")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        _save(request, dataset, form, formset, "opendata.dataset_created")
        if _wants_publishing(request, form.instance):
            return _publish(request, _dataset(request, form.instance.pk), saved=True)
        messages.success(request, _("The dataset was saved as a draft."))
        return redirect(reverse("catalogue_staff:edit", args=[form.instance.pk]))
    return _edit_page(
        request,
        {"dataset": None, "authority": authority, "authorities": authorities, "form": form,
         "formset": formset, "not_published": _wants_publishing(request, dataset)},
        422 if form.is_bound else 200,
    )  # fmt: skip


def _wants_publishing(request: HttpRequest, dataset: Dataset) -> bool:
    """The second submit button of the edit form ("Save and publish") was used on a draft."""
    return (
        request.method == "POST"
        and "publish" in request.POST
        and not dataset.source
        and dataset.status == Dataset.Status.DRAFT
    )


def _publish(request: HttpRequest, dataset: Dataset, *, saved: bool) -> HttpResponseBase:
    """Publish ``dataset``; refused, the edit page shows it with what is still missing (after
    a save: as the draft just saved, so nothing typed is lost)."""
    with transaction.atomic():
        try:
            catalogue_publish.publish(dataset)
        except catalogue_publish.NotReady as refused:
            if saved:
                messages.info(request, _("Your changes were saved as a draft."))
            form, formset = _forms(dataset, None)
            context = _edit_context(dataset, form, formset, [])
            context["refused"] = refused.items
            return _edit_page(request, context, 409)
        audit.record("opendata.dataset_published", actor=request.user,
                     authority=dataset.authority, obj=dataset)  # fmt: skip
    if saved:
        messages.success(request, _("The dataset was saved and published."))
    else:
        messages.success(request, _("The dataset is published."))
    return redirect(reverse("catalogue_staff:edit", args=[dataset.pk]))


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def dataset_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    dataset = _dataset(request, pk)
    form, formset = _forms(dataset, request.POST or None)
    lacking: list[str] = []
    publishing = _wants_publishing(request, dataset)
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        lacking = _save(request, dataset, form, formset, "opendata.dataset_changed")
        if not lacking and publishing:
            return _publish(request, _dataset(request, pk), saved=True)
        if not lacking:
            messages.success(request, _("The dataset was saved."))
            return redirect(reverse("catalogue_staff:edit", args=[dataset.pk]))
        # nothing was saved: show what was typed again, on forms that know nothing of the
        # rows the rolled-back save made
        dataset = _dataset(request, pk)
        form, formset = _forms(dataset, request.POST)
        form.is_valid()
        if formset is not None:
            formset.is_valid()
    context = _edit_context(dataset, form, formset, lacking)
    context["not_published"] = publishing
    return _edit_page(request, context, 409 if lacking else 422 if form.is_bound else 200)


def _forms(dataset: Dataset, data: Any) -> tuple[Any, Any | None]:
    if dataset.source:
        return PlatformDatasetForm(data, instance=dataset), None
    return (
        DatasetForm(data, instance=dataset, authority=dataset.authority),
        DistributionFormSet(data, instance=dataset, prefix="dist"),
    )


def _edit_context(
    dataset: Dataset, form: Any, formset: Any | None, lacking: list[str]
) -> dict[str, Any]:
    distributions = list(dataset.distributions.order_by("position", "id"))
    return {
        "dataset": dataset,
        "authority": dataset.authority,
        "form": form,
        "formset": formset,
        "distributions": distributions,
        "lacking": lacking,
        "missing": [] if lacking else catalogue_publish.missing(dataset),
        "broken": [item for item in distributions if item.link_status == "broken"],
    }


@never_cache
@require_POST
@staff_required
def dataset_publish(request: HttpRequest, pk: int) -> HttpResponseBase:
    dataset = _dataset(request, pk)
    if dataset.source:
        raise PermissionDenied("a platform dataset is published by the sync")
    return _publish(request, dataset, saved=False)


@never_cache
@require_POST
@staff_required
def dataset_withdraw(request: HttpRequest, pk: int) -> HttpResponseBase:
    dataset = _dataset(request, pk)
    if dataset.source:
        raise PermissionDenied("a platform dataset is kept by the sync")
    with transaction.atomic():
        catalogue_publish.withdraw(dataset)
        audit.record("opendata.dataset_withdrawn", actor=request.user,
                     authority=dataset.authority, obj=dataset)  # fmt: skip
    messages.success(request, _("The dataset was withdrawn. It is no longer public."))
    return redirect(reverse("catalogue_staff:edit", args=[dataset.pk]))

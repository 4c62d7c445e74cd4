"""Staff pages of the sensor data (/verwaltung/sensordaten/): the thresholds of the alerts.

Administrators (and superusers) keep the thresholds here, not only in the admin; others get a
403 in the staff frame. An administrator sees and keeps only the thresholds of datastreams of
Things of the authorities they administer, and of Things without authority (shown on every
portal); a superuser all.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.core import roles
from rathaus.core.models import Membership
from rathaus.core.staff_views import staff_required
from rathaus.opendata.forms import ThresholdForm
from rathaus.opendata.models import Alert, Datastream, DeadLetter, Threshold


def may_manage(user: Any) -> bool:
    """Superusers and administrators of a unit keep the thresholds."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user=user, role__name=roles.ADMINISTRATOR).exists()


def datastreams_kept_by(user: Any) -> QuerySet[Datastream]:
    """The datastreams whose thresholds ``user`` keeps (see the module text)."""
    streams = Datastream.objects.all()
    if getattr(user, "is_superuser", False):
        return streams
    mine = Membership.objects.filter(user=user, role__name=roles.ADMINISTRATOR).values(
        "org_unit__authority_id"
    )
    return streams.filter(Q(thing__authority__isnull=True) | Q(thing__authority_id__in=mine))


def _check(request: HttpRequest) -> None:
    if not may_manage(request.user):
        raise PermissionDenied("only administrators keep the thresholds of the sensor data")


@never_cache
@require_safe
@staff_required
def thresholds(request: HttpRequest) -> HttpResponse:
    _check(request)
    rows = (
        Threshold.objects.select_related("datastream__thing")
        .filter(datastream__in=datastreams_kept_by(request.user))
        .order_by("datastream__thing__name", "datastream__name", "id")
    )
    open_ids = set(
        Alert.objects.filter(ended_at__isnull=True).values_list("threshold_id", flat=True)
    )
    return render(
        request,
        "opendata/staff/thresholds.html",
        {
            "thresholds": rows,
            "open_ids": open_ids,
            "dead_letters": DeadLetter.objects.filter(resolved_at__isnull=True).count(),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def threshold_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    _check(request)
    threshold = None
    if pk is not None:
        threshold = (
            Threshold.objects.select_related("datastream__thing")
            .filter(pk=pk, datastream__in=datastreams_kept_by(request.user))
            .first()
        )
        if threshold is None:
            raise Http404("no such threshold")
    form = ThresholdForm(
        request.POST or None, instance=threshold, datastreams=datastreams_kept_by(request.user)
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("The threshold %(name)s was saved.") % {"name": saved.name})
        return redirect(reverse("opendata_staff:thresholds"))
    return render(
        request,
        "opendata/staff/threshold.html",
        {"threshold": threshold, "form": form},
        status=422 if form.is_bound else 200,
    )

"""The outbox of exchanged submissions (/verwaltung/austausch/): every submission handed to an
authority elsewhere by status with counts, those waiting without a destination, one submission
with its event log, and sending again by hand (ADR 0053).

Who sees what is decided in :mod:`rathaus.exchange.access`: the list is a 403 for staff who are
no administrator, a submission they may not see a 404. Sending again is a POST with the CSRF
token, audited (``exchange.retry``). Everything works without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from rathaus.cases.models import OutboxItem
from rathaus.core import refusals
from rathaus.core.staff_views import staff_required
from rathaus.exchange import access, sending
from rathaus.exchange.models import Outgoing

PAGE_SIZE = 25
NO_DESTINATION = "ohne-ziel"
EVENT_WORDS = {
    "accept-submission": gettext_lazy("accepted"),
    "reject-submission": gettext_lazy("rejected"),
    "forward-submission": gettext_lazy("forwarded to another authority"),
}


def _tabs() -> dict[str, str]:
    """The tab bar: the outbox here, the inbox when the receiving side is installed."""
    return tabs(outbox=True)


def tabs(*, outbox: bool) -> dict[str, str]:
    """Addresses of the tab bar (``exchange/staff/_tabs.html``); the outbox only for who may
    see it."""
    try:
        inbox = reverse("exchange_incoming:list")
    except NoReverseMatch:
        inbox = ""
    return {"outbox_url": reverse("exchange:outbox") if outbox else "", "inbox_url": inbox}


@never_cache
@require_safe
@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    authorities = access.outbox_authorities(request.user)
    if not authorities:
        raise PermissionDenied("only administrators see the exchange's outbox")
    visible = access.visible_outgoing(request.user, authorities)
    counts = dict(visible.values_list("status").annotate(n=Count("pk")).order_by())
    without = OutboxItem.objects.filter(
        status=OutboxItem.Status.WAITING, submission__authority_id__in=authorities
    ).exclude(submission_id__in=Outgoing.objects.values("submission_id"))
    statuses = [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Outgoing.Status.choices
    ]
    chosen = request.GET.get("status", "")
    if chosen not in {value for value, _label in Outgoing.Status.choices} | {NO_DESTINATION}:
        chosen = ""
    rows = (
        visible.select_related("submission", "destination__authority")
        .defer("parts", "submission__data")
        .order_by("-created_at")
    )
    if chosen and chosen != NO_DESTINATION:
        rows = rows.filter(status=chosen)
    page = Paginator(rows if chosen != NO_DESTINATION else Outgoing.objects.none(), PAGE_SIZE)
    return render(request, "exchange/staff/outbox.html", {
        "statuses": statuses, "chosen": chosen, "no_destination": NO_DESTINATION,
        "without": without.select_related("submission", "target").order_by("created_at")[:100],
        "without_count": without.count(), "total": sum(counts.values()),
        "page": page.get_page(request.GET.get("seite")),
        "query": f"status={chosen}" if chosen else "", **_tabs(),
    })  # fmt: skip


def _visible(request: HttpRequest, pk: uuid.UUID) -> Outgoing:
    authorities = access.outbox_authorities(request.user)
    if not authorities:
        raise PermissionDenied("only administrators see the exchange's outbox")
    found = (
        access.visible_outgoing(request.user, authorities)
        .select_related("submission__authority", "destination__authority")
        .defer("parts")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise refusals.not_found(request, Outgoing, "no such outgoing submission", pk=pk)
    return found


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def outgoing_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponseBase:
    outgoing = _visible(request, pk)
    error = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("aktion") != "erneut-senden":
            return HttpResponse(status=400)
        try:
            sending.retry(outgoing, user=request.user)
        except sending.RetryRefused:
            error = _("Only a submission that is stuck or waiting can be sent again.")
            status = 409
        else:
            messages.success(request, _("The submission will be sent again now."))
            return redirect("exchange:outgoing", outgoing.pk)
    return render(request, "exchange/staff/outgoing.html", _detail(outgoing, error), status=status)


def _detail(outgoing: Outgoing, error: str) -> dict[str, Any]:
    return {
        "outgoing": outgoing,
        "events": [
            (event, EVENT_WORDS.get(event.kind, event.kind))
            for event in outgoing.events.order_by("issued_at", "pk")
        ],
        "may_retry": outgoing.status in (Outgoing.Status.STUCK, Outgoing.Status.PENDING),
        "error": error,
        **_tabs(),
    }

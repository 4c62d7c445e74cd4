"""The inbox of exchanged submissions (``/verwaltung/austausch/eingang/``): what other
authorities sent to our destinations, whether it was accepted or rejected and why, the events we
issued, and the case it became.

Who sees an incoming submission: members of the destination's unit (and of the units above it),
and staff with the Administration role in the destination's authority. Anything else is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from rathaus.core import refusals, roles
from rathaus.core.models import Membership
from rathaus.core.scoping import unit_ids
from rathaus.core.staff_views import staff_required
from rathaus.exchange import access
from rathaus.exchange.models import Incoming
from rathaus.exchange.staff_views import EVENT_WORDS, tabs

PAGE_SIZE = 25


def visible_incoming(user: Any) -> QuerySet[Incoming]:
    administered = Membership.objects.filter(user=user, role__name=roles.ADMINISTRATOR).values_list(
        "org_unit__authority_id", flat=True
    )
    return Incoming.objects.filter(
        Q(destination__org_unit_id__in=unit_ids(user))
        | Q(destination__authority_id__in=list(administered))
    )


class IncomingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *Incoming.Status.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].widget.attrs["class"] = "kern-form-input__select"

    def filter(self, rows: QuerySet[Incoming]) -> QuerySet[Incoming]:
        if self.is_bound and self.is_valid() and self.cleaned_data["status"]:
            return rows.filter(status=self.cleaned_data["status"])
        return rows


@never_cache
@require_safe
@staff_required
def incoming_list(request: HttpRequest) -> HttpResponse:
    form = IncomingFilterForm(request.GET or None)
    rows = form.filter(visible_incoming(request.user)).select_related(
        "sender", "destination", "submission__case"
    )
    query = request.GET.copy()
    query.pop("seite", None)
    return render(
        request,
        "exchange/incoming/list.html",
        {
            "form": form,
            "page": Paginator(rows.order_by("-created_at", "pk"), PAGE_SIZE).get_page(
                request.GET.get("seite")
            ),
            "query": query.urlencode(),
            **tabs(outbox=bool(access.outbox_authorities(request.user))),
        },
    )


@never_cache
@require_safe
@staff_required
def incoming_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    incoming = (
        visible_incoming(request.user)
        .select_related(
            "sender", "destination__authority", "destination__org_unit", "submission__case"
        )
        .filter(pk=pk)
        .first()
    )
    if incoming is None:
        raise refusals.not_found(
            request, Incoming, "no such incoming submission for this user", pk=pk
        )
    events = list(incoming.events.order_by("issued_at", "pk"))
    for event in events:
        event.label = EVENT_WORDS.get(event.kind, event.kind)  # type: ignore[attr-defined]
    return render(
        request,
        "exchange/incoming/detail.html",
        {
            "incoming": incoming,
            "events": events,
            "attachments": incoming.attachments.order_by("uploaded_at", "pk"),
            "case": getattr(incoming.submission, "case", None) if incoming.submission else None,
        },
    )

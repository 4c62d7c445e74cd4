"""What the public sees of events: published events of the request's authority, and words for
the pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone

from rathaus.core.models import Authority
from rathaus.core.tenancy import current_authority
from rathaus.events.models import Event, Registration


def authority_or_404(request: HttpRequest) -> Authority:
    authority = current_authority(request)
    if authority is None:
        raise Http404("no authority for this host")
    return authority


def visible(authority: Authority) -> QuerySet[Event]:
    """Published and cancelled events (a cancelled one stays visible, marked as cancelled)."""
    return Event.objects.filter(
        authority=authority, state__in=[Event.State.PUBLISHED, Event.State.CANCELLED]
    ).select_related("authority", "appointment_type__location")


def upcoming(authority: Authority, now: dt.datetime | None = None) -> QuerySet[Event]:
    return visible(authority).filter(ends_at__gt=now or timezone.now()).order_by("starts_at", "pk")


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    """``taken`` (registered places) and ``waiting_count`` of each event, in the same query."""
    status = Registration.Status
    return events.annotate(
        taken=Coalesce(
            Sum("registrations__places", filter=Q(registrations__status=status.REGISTERED)), 0
        ),
        waiting_count=Count("registrations", filter=Q(registrations__status=status.WAITING)),
    )

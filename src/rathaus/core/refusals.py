"""Refused access is audited: an object that exists but is not the user's (ADR 0025).

The views answer 404 for another person's case, file, task, message or receipt, the same as for
one that does not exist, so that nobody learns what exists. When the object does exist, the
refusal is a security event: :func:`not_found` writes ``access.refused`` into the audit log.
So that probing cannot flood the log, one event is written per user (or client address) and kind
of object per window of :data:`WINDOW`; the refusals of that window are counted
(:mod:`rathaus.core.ratelimit`'s counters) and the next window's event names the earlier count.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Model
from django.http import Http404, HttpRequest
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import RateCounter
from rathaus.core.ratelimit import client_address, hit, window_start
from rathaus.core.tenancy import current_authority

ACTION = "access.refused"
WINDOW = timedelta(minutes=15)
_NO_LIMIT = 2**31 - 1  # the counter only counts; whether to write is decided below


def record_refusal(request: HttpRequest, kind: str, object_id: str, status: int = 404) -> bool:
    """Count one refusal; write the security event if it is the first in its window."""
    user = request.user
    who = f"user:{user.pk}" if user.is_authenticated else f"address:{client_address(request)}"
    key = f"refused:{who}:{kind}"
    now = timezone.now()
    hit(key, _NO_LIMIT, WINDOW, now=now)
    start = window_start(now, WINDOW)
    count = RateCounter.objects.filter(key=key[:200], window_start=start).values_list(
        "count", flat=True
    )
    if list(count) != [1]:
        return False
    earlier = RateCounter.objects.filter(key=key[:200], window_start=start - WINDOW).values_list(
        "count", flat=True
    )
    audit.record(
        ACTION,
        actor=user,
        actor_name=None if user.is_authenticated else "anonymous",
        authority=current_authority(request),
        object_ref=(kind, object_id, ""),
        details={
            "path": request.path[:300],
            "status": status,
            "window_minutes": int(WINDOW.total_seconds() // 60),
            "refused_in_previous_window": next(iter(earlier), 0),
        },
    )
    return True


def not_found(request: HttpRequest, model: type[Model], reason: str, **lookup: Any) -> Http404:
    """The 404 for an object the user may not see; audited when it exists (raise the result)."""
    found = model._default_manager.filter(**lookup).values_list("pk", flat=True).first()
    if found is not None:
        record_refusal(request, model._meta.label, str(found))
    return Http404(reason)

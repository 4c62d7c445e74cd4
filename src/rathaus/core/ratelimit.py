"""Rate limits per client address, shared by all processes through the database.

A fixed-window counter: one :class:`RateCounter` row per (scope and address, window start). A
request increments it with one conditional UPDATE (``count = count + 1 WHERE count < limit``),
so concurrent requests in several server processes never let more than ``limit`` through in a
window. A refused request learns when the window ends (``Retry-After``). Old rows are deleted by
the worker's housekeeping.

The client address is the connection's address; only when that is one of
``RATHAUS_TRUSTED_PROXIES`` is the X-Forwarded-For header read, from the right, skipping the
trusted proxies — the first address no trusted proxy added is the client.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache, wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from rathaus.core.models import RateCounter

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.RATHAUS_TRUSTED_PROXIES)))


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection comes from one of ``RATHAUS_TRUSTED_PROXIES``."""
    return _trusted(request.META.get("REMOTE_ADDR", ""))


def client_address(request: HttpRequest) -> str:
    """The address of the client, seen through trusted reverse proxies only."""
    address: str = request.META.get("REMOTE_ADDR", "") or "unknown"
    if not _trusted(address):
        return address
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a malformed header: count the proxy itself
        if not _trusted(hop):
            return hop
    return address


def window_start(now: datetime, window: timedelta) -> datetime:
    """The start of the fixed window (of ``window`` length) that ``now`` falls into."""
    seconds = int(window.total_seconds())
    start_seconds = math.floor(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(start_seconds, tz=now.tzinfo or timezone.get_current_timezone())


def hit(key: str, limit: int, window: timedelta, *, now: datetime | None = None) -> int:
    """Count one request; 0 if allowed, else the seconds until the next window starts."""
    now = now or timezone.now()
    seconds = int(window.total_seconds())
    start = window_start(now, window)
    start_seconds = math.floor(start.timestamp())
    key = key[:200]
    if RateCounter.objects.filter(key=key, window_start=start, count__lt=limit).update(
        count=F("count") + 1
    ):
        return 0
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, window_start=start, count=1)
        return 0
    except IntegrityError:
        pass  # the row exists: another request created it, or the limit is reached
    if RateCounter.objects.filter(key=key, window_start=start, count__lt=limit).update(
        count=F("count") + 1
    ):
        return 0
    return max(1, math.ceil(start_seconds + seconds - now.timestamp()))


def delete_old(now: datetime | None = None) -> int:
    """Remove counters of windows that ended more than a day ago (housekeeping)."""
    now = now or timezone.now()
    deleted, _details = RateCounter.objects.filter(
        window_start__lt=now - timedelta(days=1)
    ).delete()
    return deleted


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """The friendly German page for HTTP 429."""
    response = render(
        request, "core/too_many_requests.html", {"retry_minutes": math.ceil(retry_after / 60)},
        status=429,
    )  # fmt: skip
    response["Retry-After"] = str(retry_after)
    return response


View = Callable[..., HttpResponseBase]


def limit(
    scope: str, setting: str, window: timedelta, *, methods: tuple[str, ...] = ()
) -> Callable[[View], View]:
    """Decorator: at most ``settings.<setting>`` requests per client address and window.

    With ``methods`` only requests with these methods count (e.g. POST for bookings).
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not methods or request.method in methods:
                wait = hit(f"{scope}:{client_address(request)}", getattr(settings, setting), window)
                if wait:
                    return too_many(request, wait)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate

"""Which authority a request is for: by host name, else the configured default authority."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port

from rathaus.core.models import Authority, AuthorityHost

_UNSET = object()


def authority_for_host(host: str) -> Authority | None:
    domain, _port = split_domain_port(host)
    hit = (
        AuthorityHost.objects.select_related("authority", "authority__parent")
        .filter(hostname=domain)
        .first()
    )
    if hit is not None:
        return hit.authority
    return (
        Authority.objects.select_related("parent")
        .filter(slug=settings.RATHAUS_DEFAULT_AUTHORITY)
        .first()
    )


def current_authority(request: HttpRequest) -> Authority | None:
    """The request's authority, looked up once per request and only when asked for."""
    cached = getattr(request, "_rathaus_authority", _UNSET)
    if cached is _UNSET:
        cached = authority_for_host(request.get_host())
        request._rathaus_authority = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]

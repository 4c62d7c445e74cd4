"""Which authority a request is for: by host name, else the configured default authority.

And the other way round: under which address an authority's portal is reached
(:func:`portal_url`), for links in messages written away from a request, e.g. by the worker.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Case, Q, Value, When
from django.http import HttpRequest
from django.http.request import split_domain_port

from rathaus.core.models import Authority, AuthorityHost

_UNSET = object()


def authority_for_host(host: str) -> Authority | None:
    """The authority the host name is assigned to, else the default one: in one query (it runs
    on every page that is not answered from the page cache)."""
    domain, _port = split_domain_port(host)
    assigned = AuthorityHost.objects.filter(hostname=domain).values("authority_id")
    return (
        Authority.objects.select_related("parent")
        .filter(Q(pk__in=assigned) | Q(slug=settings.RATHAUS_DEFAULT_AUTHORITY))
        .annotate(by_host=Case(When(pk__in=assigned, then=Value(0)), default=Value(1)))
        .order_by("by_host")
        .first()
    )


def current_authority(request: HttpRequest) -> Authority | None:
    """The request's authority, looked up once per request and only when asked for."""
    cached = getattr(request, "_rathaus_authority", _UNSET)
    if cached is _UNSET:
        cached = authority_for_host(request.get_host())
        request._rathaus_authority = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def portal_url(authority: Authority | None, path: str = "") -> str:
    """The absolute address of ``path`` on the portal of the authority (no trailing slash when
    ``path`` is empty).

    ``RATHAUS_PUBLIC_URL`` when its host leads to the authority — the host is one of the
    authority's host names, or assigned to none and the authority is the default one — or when
    the authority has no host names. Otherwise the authority's primary host name (the first one
    entered, lowest id) with the scheme and port of ``RATHAUS_PUBLIC_URL``, so one setting says
    whether the installation is reached through TLS.
    """
    public = str(settings.RATHAUS_PUBLIC_URL).rstrip("/")
    if authority is None:
        return public + path
    parts = urlsplit(public)
    hostnames = list(
        AuthorityHost.objects.filter(authority=authority)
        .order_by("pk")
        .values_list("hostname", flat=True)
    )
    if not hostnames or parts.hostname in hostnames:
        return public + path
    if (
        authority.slug == settings.RATHAUS_DEFAULT_AUTHORITY
        and not AuthorityHost.objects.filter(hostname=parts.hostname).exists()
    ):
        return public + path
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'https'}://{hostnames[0]}{port}{path}"

"""Forwarded headers count only when the reverse proxy sent them.

Behind a proxy that terminates TLS (``RATHAUS_BEHIND_TLS_PROXY``), Django takes the scheme from
``X-Forwarded-Proto`` (``SECURE_PROXY_SSL_HEADER``) — from whoever sends it. A client that
reaches a web instance directly, past the proxy, could claim HTTPS: skip the HTTPS redirect and
have links built with its scheme. This middleware, first in the chain, removes the
``X-Forwarded-*`` headers from every request whose connection does not come from a trusted
proxy, so that nothing later (Django, the rate limits, the request id) sees them:

- the addresses and networks in ``RATHAUS_TRUSTED_PROXIES``;
- when that list is empty, this machine (127.0.0.0/8 and ::1): a proxy on the same machine,
  the set-up of one machine, as gunicorn's ``--forwarded-allow-ips`` assumes by default.

The client address for rate limits and login lock-outs is read by
:func:`rathaus.core.ratelimit.client_address`, which trusts ``X-Forwarded-For`` only from
``RATHAUS_TRUSTED_PROXIES`` (an empty list: never).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

LOOPBACK = ("127.0.0.0/8", "::1/128")
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_FORWARDED",
)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def from_trusted_proxy(address: str) -> bool:
    """Whether a connection from ``address`` comes from a proxy whose headers count."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    entries = tuple(settings.RATHAUS_TRUSTED_PROXIES) or LOOPBACK
    return any(ip in network for network in _networks(entries))


def forwarded_allow_ips() -> str:
    """The trusted proxies as gunicorn's ``--forwarded-allow-ips`` (``rathaus serve``), so that
    gunicorn takes the scheme from the same proxies only."""
    entries = tuple(settings.RATHAUS_TRUSTED_PROXIES) or LOOPBACK
    return ",".join(str(network) for network in _networks(entries))


class TrustedProxyMiddleware:
    """Drops the ``X-Forwarded-*`` headers of requests that did not come through the proxy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not from_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)

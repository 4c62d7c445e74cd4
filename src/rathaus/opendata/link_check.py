"""The weekly check of the download and access addresses of published distributions
(housekeeping job ``opendata.link_check``: every hour a batch of the links not checked for a
week; ``rathaus check-links`` checks all at once; docs/dcat-import.md).

Each address is asked with HEAD, and with a one-byte ranged GET when the server does not answer
HEAD properly. Requests go through :mod:`rathaus.opendata.safe_http`: only http(s), no private or
local addresses, redirects checked hop by hop, a short timeout. Addresses on the platform's own
portal are checked without the network by resolving their path, so the portal's own files
(CSV exports, feeds) neither cost a request to itself nor need a private address allowed.

The result is kept on the distribution: ``link_status`` ok/broken, ``link_checked_at``,
``link_broken_since`` (the first check that found it broken; cleared when it works again) and
``link_error`` (German, shown to staff).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db.models import F, Q
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rathaus.core.models import Authority, AuthorityHost
from rathaus.opendata import safe_http
from rathaus.opendata.catalogue_models import Dataset, Distribution

# Servers that do not allow HEAD (or answer it wrongly) are asked with a small GET.
_RETRY_WITH_GET = {400, 403, 405, 406, 501}
_ERROR_LENGTH = 500
_FIELDS = [
    "pk", "access_url", "download_url", "link_status", "link_checked_at", "link_broken_since",
    "link_error",
]  # fmt: skip


@dataclass
class Summary:
    checked: int = 0
    ok: int = 0
    broken: list[tuple[int, str, str]] = field(default_factory=list)  # (pk, url, error)


def _own_hosts() -> set[str]:
    public = urlsplit(str(settings.RATHAUS_PUBLIC_URL)).hostname or ""
    hosts = set(AuthorityHost.objects.values_list("hostname", flat=True))
    return {host.lower() for host in hosts | {public} if host}


def check_url(url: str, own_hosts: set[str] | None = None) -> str:
    """Empty if ``url`` answers, otherwise the reason (in the active language)."""
    parts = urlsplit(url)
    hosts = _own_hosts() if own_hosts is None else own_hosts
    if parts.scheme in ("http", "https") and (parts.hostname or "").lower() in hosts:
        try:
            resolve(unquote(parts.path) or "/")
        except Resolver404:
            return _("There is no page at this address on this portal.")
        return ""
    timeout = settings.RATHAUS_LINK_CHECK_TIMEOUT
    try:
        response = safe_http.fetch(url, timeout=timeout, max_bytes=1024 * 1024, method="HEAD")
        if response.status in _RETRY_WITH_GET:
            response = safe_http.fetch(
                url, timeout=timeout, max_bytes=64 * 1024, headers={"Range": "bytes=0-0"}
            )
    except safe_http.TooLarge:
        return ""  # it answered, with more than the one byte asked for
    except safe_http.FetchError as exc:
        return str(exc)
    if 200 <= response.status < 300:
        return ""
    return _("The server answered with status %(status)d.") % {"status": response.status}


def check_distribution(
    distribution: Distribution, now: datetime.datetime, own_hosts: set[str], cache: dict[str, str]
) -> str:
    """Check both addresses of the distribution and store the result; returns the error."""
    errors = []
    for url in dict.fromkeys(u for u in (distribution.access_url, distribution.download_url) if u):
        if url not in cache:
            cache[url] = check_url(url, own_hosts)
        if cache[url]:
            errors.append(f"{url}: {cache[url]}")
    error = "; ".join(errors)[:_ERROR_LENGTH]
    distribution.link_checked_at = now
    distribution.link_error = error
    if error:
        distribution.link_status = Distribution.LinkStatus.BROKEN
        distribution.link_broken_since = distribution.link_broken_since or now
    else:
        distribution.link_status = Distribution.LinkStatus.OK
        distribution.link_broken_since = None
    distribution.save(
        update_fields=["link_status", "link_checked_at", "link_broken_since", "link_error"]
    )
    return error


INTERVAL = datetime.timedelta(days=7)


def run(
    authority: Authority | None = None,
    progress: Callable[[int, int, Distribution, str], None] | None = None,
    *,
    due_before: datetime.datetime | None = None,
    limit: int | None = None,
) -> Summary:
    """Check the distributions of the published datasets (of one authority, or of all).

    With ``due_before`` only those not checked since then, the longest unchecked first, at most
    ``limit`` of them."""
    distributions = Distribution.objects.filter(dataset__status=Dataset.Status.PUBLISHED)
    if authority is not None:
        distributions = distributions.filter(dataset__authority=authority)
    if due_before is not None:
        distributions = distributions.filter(
            Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=due_before)
        ).order_by(F("link_checked_at").asc(nulls_first=True), "pk")
    else:
        distributions = distributions.order_by(
            "dataset__authority_id", "dataset_id", "position", "pk"
        )
    if limit is not None:
        distributions = distributions[:limit]
    items = list(distributions.only(*_FIELDS))
    summary = Summary()
    own_hosts = _own_hosts()
    cache: dict[str, str] = {}
    with translation.override(settings.LANGUAGE_CODE):
        for number, distribution in enumerate(items, start=1):
            error = check_distribution(distribution, timezone.now(), own_hosts, cache)
            summary.checked += 1
            if error:
                summary.broken.append((distribution.pk, distribution.access_url, error))
            else:
                summary.ok += 1
            if progress:
                progress(number, len(items), distribution, error)
    return summary


def job() -> str:
    """The housekeeping job (hourly): the links not checked for a week, a batch at a time, so
    that every link is checked weekly without one long run holding up the worker."""
    summary = run(due_before=timezone.now() - INTERVAL, limit=settings.RATHAUS_LINK_CHECK_BATCH)
    return f"{summary.checked} distributions checked, {len(summary.broken)} broken"

"""Reading an OParl server page by page, within limits (docs/oparl-import.md).

Every request goes through :mod:`rathaus.opendata.safe_http` (http/https only, public or
allowed networks, each redirect checked, a time and byte limit per answer). A 5xx answer is
asked again a few times with a growing pause; what still fails, a 4xx, a timeout or invalid
JSON is reported and skipped. A list is followed through ``links.next`` (OParl 1.1) or
``next``/``nextPage``/``nextpage`` (1.0 servers and drafts); an address seen before ends the list
with a report, so a ``next`` link that repeats cannot make the walk go on forever. A page limit
and a deadline for the whole run bound the rest.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.conf import settings
from django.utils import translation

from rathaus.council.oparl_import.report import Report
from rathaus.opendata import safe_http

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_PAUSE = 30.0


class Stop(Exception):
    """The whole walk ends here (deadline or page limit); the message says why."""


class Client:
    def __init__(self, report: Report, *, max_pages: int | None = None,
                 progress: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.report = report
        self.timeout = settings.RATHAUS_OPARL_IMPORT_TIMEOUT
        self.max_bytes = settings.RATHAUS_OPARL_IMPORT_MAX_BYTES
        self.retries = settings.RATHAUS_OPARL_IMPORT_RETRIES
        self.max_pages = max_pages or settings.RATHAUS_OPARL_IMPORT_MAX_PAGES
        self.deadline = time.monotonic() + settings.RATHAUS_OPARL_IMPORT_DEADLINE
        self.progress = progress or (lambda line: None)
        self.seen: set[str] = set()

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Stop(f"the deadline of {settings.RATHAUS_OPARL_IMPORT_DEADLINE} s was reached")
        return left

    def get(self, url: str) -> Any | None:
        """The JSON behind ``url``, or None (reported) when it cannot be had."""
        if self.report.pages >= self.max_pages:
            raise Stop(f"the limit of {self.max_pages} pages was reached")
        self.report.pages += 1
        for attempt in range(self.retries + 1):
            try:
                # The report speaks English like the command's other messages.
                with translation.override("en"):
                    response = safe_http.fetch(
                        url, timeout=min(self.timeout, self._left()), max_bytes=self.max_bytes,
                        headers={"Accept": "application/json"},
                    )  # fmt: skip
            except safe_http.FetchError as exc:
                self.report.problem(url, str(exc))
                return None
            if response.status in RETRY_STATUSES and attempt < self.retries:
                pause = min(2.0**attempt, MAX_PAUSE)
                self.progress(f"  {url}: answer {response.status}, asking again in {pause:.0f} s")
                time.sleep(min(pause, self._left()))
                continue
            if response.status != 200:
                self.report.problem(url, f"the server answered {response.status}")
                return None
            try:
                return json.loads(response.body)
            except (ValueError, RecursionError) as exc:
                self.report.problem(url, f"the answer is not valid JSON ({str(exc)[:100]})")
                return None
        return None  # pragma: no cover - the loop always returns

    def walk(self, url: str, since: str | None = None) -> Iterator[tuple[str, Any]]:
        """(page address, item) of every item of the list at ``url`` and its next pages."""
        next_url: str | None = with_query(url, modified_since=since) if since else url
        while next_url:
            if next_url in self.seen:
                self.report.problem(next_url, "the next link repeats an address already read; "
                                              "the list ends here")  # fmt: skip
                return
            self.seen.add(next_url)
            page = self.get(next_url)
            if page is None:
                return
            items, following = _items(page)
            if items is None:
                self.report.problem(next_url, "the answer is not an OParl object list")
                return
            self.report.list_pages += 1
            self.progress(f"  page {next_url}: {len(items)} objects")
            for item in items:
                if isinstance(item, str) and item.startswith(("http://", "https://")):
                    # early OParl 1.0 lists name their objects only: each is asked for
                    item_page = item
                    item = self.get(item)
                    if item is None:
                        continue
                    yield item_page, item
                else:
                    yield next_url, item
            next_url = urljoin(next_url, following) if following else None


def _items(page: Any) -> tuple[list[Any] | None, str | None]:
    """The objects of a list page and the address of the next one (1.1, 1.0 and drafts)."""
    if isinstance(page, list):
        return page, None
    if not isinstance(page, dict):
        return None, None
    items = page.get("data", page.get("items"))
    if not isinstance(items, list):
        return None, None
    links = page.get("links")
    candidates = [links.get("next") if isinstance(links, dict) else None,
                  page.get("next"), page.get("nextPage"), page.get("nextpage")]  # fmt: skip
    following = next((c for c in candidates if isinstance(c, str) and c.strip()), None)
    return items, following


def with_query(url: str, **params: str) -> str:
    """``url`` with the query parameters set (existing ones kept, these replaced)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))

"""The parameters of a list page and its ``pagination`` and ``links``.

Lists are sorted by id, which never changes, so the order is stable. ``page`` counts from 1;
the ``next`` link also carries ``after`` (the last id of the page), so a client that walks the
list through ``next`` reads each page by a key range (``id > after``) instead of skipping rows:
as fast on page 1,000 as on page 1. ``first``, ``prev`` and ``last`` are plain page numbers.
The filters and the page size a client chose are kept in every link.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

FILTERS = {
    "created_since": "created__gte",
    "created_until": "created__lte",
    "modified_since": "modified__gte",
    "modified_until": "modified__lte",
}
SIZE_PARAMETERS = ("elementsPerPage", "limit")
MAX_PAGE = 1_000_000
"""The largest ``page`` (beyond it the offset would overflow the database's integers)."""
MAX_AFTER = 2**63 - 1
"""The largest ``after``: the largest id a database row can have."""


class BadParameter(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass
class ListRequest:
    page: int = 1
    after: int | None = None
    size: int = 100
    lookups: dict[str, dt.datetime] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)  # parameters repeated in the links


def _time(name: str, raw: str) -> dt.datetime:
    text = raw.strip()
    # an unencoded "+01:00" arrives as " 01:00"
    if " " in text and "T" in text:
        head, _, tail = text.rpartition(" ")
        text = f"{head}+{tail}"
    try:
        value = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise BadParameter(
            name, "expected an ISO 8601 date-time such as 2026-01-31T18:00:00+01:00"
        ) from None
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # the database compares in UTC: 0001-01-01T00:00+05:00 or 9999-12-31T23:59-05:00
        # lie outside the years a date-time can hold
        value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise BadParameter(name, "the date-time lies outside the years 1 to 9999") from None
    return value


def _positive(name: str, raw: str, largest: int | None = None) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, "expected a whole number") from None
    if value < 1:
        raise BadParameter(name, "expected a number of at least 1")
    if largest is not None and value > largest:
        raise BadParameter(name, f"expected a number of at most {largest}")
    return value


def read(query: QueryDict) -> ListRequest:
    """The list parameters of a request; :class:`BadParameter` for a value that is not one."""
    largest = int(settings.RATHAUS_OPARL_PAGE_SIZE)
    request = ListRequest(size=largest)
    for name, lookup in FILTERS.items():
        if raw := query.get(name):
            request.lookups[lookup] = _time(name, raw)
            request.kept[name] = raw
    for name in SIZE_PARAMETERS:
        if raw := query.get(name):
            # a client may ask for smaller pages, never for larger ones
            request.size = min(_positive(name, raw), largest)
            request.kept["elementsPerPage"] = str(request.size)
    if raw := query.get("page"):
        request.page = _positive("page", raw, MAX_PAGE)
    if raw := query.get("after"):
        request.after = _positive("after", raw, MAX_AFTER) if raw != "0" else 0
    return request


@dataclass
class Page:
    rows: list[Any]
    pagination: dict[str, int]
    links: dict[str, str]


def page(queryset: QuerySet, request: ListRequest, address: Any) -> Page:  # type: ignore[type-arg]
    """One page of ``queryset`` (already with its prefetches); ``address(**params)`` builds
    the list's address with the given parameters."""
    matching = queryset.filter(**request.lookups).order_by("pk")
    total = matching.count()
    pages = max(1, math.ceil(total / request.size))
    if request.after is not None:
        rows = list(matching.filter(pk__gt=request.after)[: request.size])
    else:
        start = (request.page - 1) * request.size
        rows = list(matching[start : start + request.size])

    def link(number: int, after: int | None = None) -> str:
        params = dict(request.kept)
        if number > 1:
            params["page"] = str(number)
        if after is not None:
            params["after"] = str(after)
        return str(address(**params))

    links = {"first": link(1)}
    if request.page > 1:
        links["prev"] = link(min(request.page - 1, pages))
    links["self"] = link(request.page, request.after)
    if request.page < pages and rows:
        links["next"] = link(request.page + 1, rows[-1].pk)
    links["last"] = link(pages)
    pagination = {
        "totalElements": total,
        "elementsPerPage": request.size,
        "currentPage": request.page,
        "totalPages": pages,
    }
    return Page(rows=rows, pagination=pagination, links=links)

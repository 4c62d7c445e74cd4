"""Public pages as anonymous visitors see them, kept in the shared cache (docs/page-cache.md).

A view opts in with :func:`public_page`. :class:`PageCacheMiddleware` answers a GET or HEAD
without a session, message or authorization from the cache, before sessions, CSRF, messages,
the view and its templates run; on a miss it lets the request through and keeps the response
if nothing personal is in it (no cookie set, no CSRF token used, no message shown, no user, no
CSP nonce, no private ``Cache-Control``).

An entry is keyed by scheme, host, language and the full path; it records the authority it was
rendered for and two generation tokens read *before* rendering: the authority's and the global
one. An app names the models its public pages show with :func:`invalidate_on` (one line in its
``AppConfig.ready``); saving or deleting such a row gives its authority (or, for rows without
an authority, everything) a new token, at once and again when the transaction commits, so no
entry rendered from older rows is answered again. A hit costs two cache reads (the entry, then
both tokens in one ``get_many``): two SQL queries with the database cache, two round trips with
Redis. Tokens are random, not counters, so that concurrent writers in several processes never
need an atomic increment.

Each process also keeps the entries it answered last and the tokens it read, in memory
(:class:`_Near`): a hit then reads nothing at all while the tokens are younger than
``TOKEN_SECONDS``. A change in the same process replaces its tokens at once; a change in another
process (a web instance, the worker) is seen within ``TOKEN_SECONDS``.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.core import checks
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import DatabaseError, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, urlencode

from rathaus.core.language import request_language

NAMESPACE = "rathaus.page"
"""Prefix of every key; tests give each test its own."""

HIT_HEADER = "X-Page-Cache"
_SKIPPED_HEADERS = {"content-length", "date", "expires", "etag", HIT_HEADER.lower()}
_GLOBAL = "all"

V = TypeVar("V", bound=Callable[..., Any])

TOKEN_SECONDS = 1.0
"""How long a process trusts the generation tokens it read from the shared cache."""
NEAR_ENTRIES = 200
"""How many entries a process keeps in memory (the most recently answered ones)."""


class _Near:
    """This process's copies of recent entries and of the tokens, in front of the shared cache.

    Entries are keyed like the shared ones, so a copy is only ever answered under the tokens
    that are current (as far as ``TOKEN_SECONDS`` lets this process know) and before the time
    the entry expires in the shared cache.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
        self.tokens: dict[str, tuple[float, Any]] = {}

    def entry(self, key: str) -> tuple[Any, ...] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if entry[-1] <= time.time():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return entry

    def keep(self, key: str, entry: tuple[Any, ...]) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > NEAR_ENTRIES:
                self.entries.popitem(last=False)

    def known_tokens(self, keys: list[str]) -> dict[str, Any]:
        """The tokens read less than ``TOKEN_SECONDS`` ago."""
        now = time.monotonic()
        with self.lock:
            known = {key: self.tokens.get(key) for key in keys}
        return {key: seen[1] for key, seen in known.items()
                if seen is not None and now - seen[0] < TOKEN_SECONDS}  # fmt: skip

    def remember_tokens(self, found: Mapping[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            for key, value in found.items():
                self.tokens[key] = (now, value)
            if len(self.tokens) > 4 * NEAR_ENTRIES:  # authorities whose pages nobody asks for
                self.tokens = {k: v for k, v in self.tokens.items() if now - v[0] < TOKEN_SECONDS}


_near = _Near()


@dataclass(frozen=True)
class Policy:
    query: frozenset[tuple[str, str]]
    """Query parameters, each with the values, with which the page is still kept (a page
    without any always is). Only listed values: a parameter that took any value would let
    anyone fill the cache with one entry per value."""


def public_page(*, query: Mapping[str, Iterable[str]] | None = None) -> Callable[[V], V]:
    """Marks a view whose answer to an anonymous visitor may be kept and shared; ``query``
    names the parameters and values with which it still is (``{"nur": ["online"]}``)."""
    pairs = frozenset((name, value) for name, values in (query or {}).items() for value in values)

    def mark(view: V) -> V:
        view.rathaus_page_cache = Policy(pairs)  # type: ignore[attr-defined]
        return view

    return mark


# --- invalidation ------------------------------------------------------------------------------


def _cache() -> Any:
    return caches["default"]


def _generation_key(scope: object) -> str:
    return f"{NAMESPACE}:gen:{scope}"


def bump(authority_id: int | None) -> None:
    """Pages of this authority (``None``: of every authority) are rendered afresh."""
    key = _generation_key(_GLOBAL if authority_id is None else authority_id)
    token = secrets.token_hex(8)
    _cache().set(key, token, None)
    _near.remember_tokens({key: token})


def _bump_now_and_on_commit(authority_id: int | None) -> None:
    # Now: nothing rendered before the change is answered again. On commit: a request that read
    # the old rows while the transaction was open must not have its entry count as fresh.
    bump(authority_id)
    transaction.on_commit(lambda: bump(authority_id))


def _authority_of(instance: models.Model) -> int | None:
    from rathaus.core.models import Authority, AuthorityHost

    if isinstance(instance, Authority | AuthorityHost):
        return None  # a host name or a parent is on other authorities' pages too
    authority_id = getattr(instance, "authority_id", None)
    return authority_id if isinstance(authority_id, int) else None


def _changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        _bump_now_and_on_commit(None)  # loaddata: the row may not be complete yet
        return
    _bump_now_and_on_commit(_authority_of(instance))


def _relation_changed(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if str(kwargs.get("action", "")).startswith("post_"):
        _bump_now_and_on_commit(_authority_of(instance))


def invalidate_on(*model_classes: type[models.Model]) -> None:
    """Saving or deleting rows of these models renders their authority's pages afresh."""
    for model in model_classes:
        uid = f"pagecache:{model._meta.label}"
        post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                _relation_changed, sender=through, weak=False, dispatch_uid=f"{uid}.{field.name}"
            )


def invalidate(authority_id: int | None) -> None:
    """For changes that send no signals (``QuerySet.update``, bulk writes) to one authority's
    rows; ``None``: to rows every authority shows."""
    _bump_now_and_on_commit(authority_id)


def invalidate_all() -> None:
    _bump_now_and_on_commit(None)


_fingerprint: str | None = None


def _configuration() -> str:
    """The code's version and the configuration: a restart with other settings or a new
    release renders every page afresh, though the shared cache outlives the processes."""
    global _fingerprint
    if _fingerprint is None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("rathaus")
        except PackageNotFoundError:
            release = "unknown"
        values = sorted((name, repr(getattr(settings, name))) for name in dir(settings)
                        if name.startswith("RATHAUS_") or name == "LANGUAGES")  # fmt: skip
        _fingerprint = hashlib.sha256(repr((release, values)).encode()).hexdigest()[:12]
    return _fingerprint


@receiver(setting_changed)
def _settings_changed(**kwargs: Any) -> None:
    global _fingerprint
    _fingerprint = None  # (only tests change settings while a process runs)


@checks.register(checks.Tags.caches)
def check_shared_cache(**kwargs: Any) -> list[checks.CheckMessage]:
    """The tokens must be seen by every process: a change made by the worker or another web
    process would otherwise reach only its own process's copy of the pages."""
    backend = str(settings.CACHES.get("default", {}).get("BACKEND", ""))
    local = backend.endswith(("LocMemCache", "DummyCache"))
    if not local or not settings.RATHAUS_PAGE_CACHE_SECONDS or settings.DEBUG:
        return []
    return [
        checks.Warning(
            "The page cache uses a cache of this process only: a change made in another "
            "process shows there only after RATHAUS_PAGE_CACHE_SECONDS.",
            hint="Use a shared cache (RATHAUS_CACHE_URL, docs/caching.md) or set "
            "RATHAUS_PAGE_CACHE_SECONDS=0.",
            id="rathaus.W041",
        )
    ]


# --- the middleware ----------------------------------------------------------------------------


@lru_cache(maxsize=1024)
def _policy(path: str) -> Policy | None:
    # The URL configuration does not change while the process runs; the size bounds the memory
    # that addresses nobody serves (404s) can take.
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return getattr(match.func, "rathaus_page_cache", None)


def _anonymous_read(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    personal = (settings.SESSION_COOKIE_NAME, getattr(settings, "MESSAGE_COOKIE_NAME", "messages"))
    return not any(name in cookies for name in personal) and (
        "HTTP_AUTHORIZATION" not in request.META
    )


def _query_allowed(request: HttpRequest, policy: Policy) -> bool:
    """Each parameter once, with one of its listed values."""
    return all(
        len(values) == 1 and (name, values[0]) in policy.query
        for name, values in request.GET.lists()
    )


def _entry_key(request: HttpRequest) -> str:
    # The query in a normal form (only listed values get here), so that spellings of one
    # address ("?nur=online&", "?&nur=online") share one entry instead of making new ones.
    query = urlencode(sorted((name, str(value)) for name, value in request.GET.items()))
    address = f"{request.scheme}://{request.get_host().lower()}{request.path}"
    address += f"?{query}" if query else ""
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"{NAMESPACE}:{_configuration()}:{request_language(request)}:{digest}"


def _generations(authority_id: int) -> tuple[str, str]:
    """The authority's and the global token, read from the shared cache before rendering, each
    created when missing (evicted or new)."""
    cache = _cache()
    keys = [_generation_key(authority_id), _generation_key(_GLOBAL)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, secrets.token_hex(8), None)
            found[key] = cache.get(key)
    _near.remember_tokens(found)
    return found[keys[0]], found[keys[1]]


def _current_tokens(keys: list[str]) -> tuple[Any, ...]:
    found = _near.known_tokens(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        read = _cache().get_many(missing)  # one query, one round trip
        _near.remember_tokens(read)
        found.update(read)
    return tuple(found.get(key) for key in keys)


def _fresh_entry(key: str) -> tuple[Any, ...] | None:
    """The entry, if it was rendered under the current tokens of its authority and the global
    one: from this process's memory with the tokens it read less than ``TOKEN_SECONDS`` ago
    (no read at all), else with up to two reads of the shared cache."""
    entry = _near.entry(key)
    if entry is None:
        entry = _cache().get(key)
        if entry is None or len(entry) != 6:
            return None
        _near.keep(key, entry)
    keys = [_generation_key(entry[0]), _generation_key(_GLOBAL)]
    return entry if _current_tokens(keys) == entry[1] else None


def _authority(request: HttpRequest) -> Any:
    from rathaus.core.tenancy import current_authority

    return current_authority(request)  # kept on the request: the view does not ask again


def _personal(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether anything in the response belongs to this visitor, or may not be shared."""
    if response.cookies or response.has_header("Set-Cookie"):
        return True
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return True  # a CSRF token is in the page
    storage = getattr(request, "_messages", None)
    if storage is not None and (getattr(storage, "used", False) or storage.added_new):
        return True
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache")):
        return True
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return True  # a nonce must be new for every response
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}
    return not vary <= {"cookie"}


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200 and not response.streaming and not _personal(request, response)
    )


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in tags or etag in {tag.removeprefix("W/") for tag in tags}


def _revalidate(response: HttpResponse) -> None:
    # Browsers keep the page but ask each time (If-None-Match); shared caches do not keep it,
    # because the same address shows a logged-in visitor their own page.
    patch_cache_control(response, private=True, no_cache=True)


def _not_modified(etag: str, headers: list[tuple[str, str]]) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    for name, value in headers:
        if name.lower() in {"cache-control", "vary", "content-language"}:
            response[name] = value
    return response


class PageCacheMiddleware:
    """Answers anonymous visitors' requests for public pages from the cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Off in debug mode: a developer's changed template shows at once.
        seconds = 0 if settings.DEBUG else int(settings.RATHAUS_PAGE_CACHE_SECONDS)
        if not seconds or not _anonymous_read(request):
            return self.get_response(request)
        policy = _policy(request.path_info)
        if policy is None or not _query_allowed(request, policy):
            return self.get_response(request)
        key = _entry_key(request)
        try:
            entry = _fresh_entry(key)
            authority = None if entry is not None else _authority(request)
            # Read before rendering: a change committed meanwhile gives a token this entry lacks.
            tokens = _generations(authority.pk) if authority is not None else None
        except DatabaseError:
            # The database (or the database cache) is down: the page as without the cache, so
            # that DatabaseUnavailableMiddleware answers with its 503 page.
            return self.get_response(request)
        if entry is not None:
            return self._from_entry(request, *entry[2:5])
        response = self.get_response(request)
        if tokens is None or authority is None or not _storable(request, response):
            return response
        return self._keep(request, response, key, (authority.pk, tokens), seconds)

    def _from_entry(
        self, request: HttpRequest, etag: str, headers: list[tuple[str, str]], content: bytes
    ) -> HttpResponse:
        if _matches(request, etag):
            return _not_modified(etag, headers)
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(content))
        response["ETag"] = etag
        response[HIT_HEADER] = "hit"
        return response

    def _keep(
        self,
        request: HttpRequest,
        response: HttpResponse,
        key: str,
        stamp: tuple[int, tuple[str, str]],
        seconds: int,
    ) -> HttpResponse:
        _revalidate(response)
        content = response.content
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        headers = [(name, value) for name, value in response.items()
                   if name.lower() not in _SKIPPED_HEADERS]  # fmt: skip
        entry = (*stamp, etag, headers, content, time.time() + seconds)
        with contextlib.suppress(DatabaseError):  # kept next time, then
            _cache().set(key, entry, seconds)
            _near.keep(key, entry)
        response["ETag"] = etag
        if _matches(request, etag):
            return _not_modified(etag, headers)
        return response

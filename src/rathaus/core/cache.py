"""The shared cache: Redis, with Django's database cache standing in while Redis is unreachable.

``RATHAUS_CACHE_URL`` names a Redis (or Valkey) server; the settings then make the default cache
a :class:`FallbackCache`. It sends every operation to Django's ``RedisCache``. When Redis does
not answer (refused, timed out, reset, or an error reply), the operation goes to the database
cache (table ``rathaus_cache``) instead, and for ``RETRY_SECONDS`` the process does not try Redis
again, so that a dead server costs one failed connection per process and interval, not one per
request. A warning is logged at most once a minute per process, and once more when Redis is back.

Keeping the two stores consistent: a value written to the database cache during an outage, or
deleted there, would leave Redis holding an older value (a logged-out session that comes back,
a page of yesterday). So during an outage a delete writes a tombstone row instead of removing
the row, and every row in ``rathaus_cache`` is a key that changed while Redis was away. Before
a process uses Redis again (and before its first use after a start: another process may have
left rows when it stopped) it deletes these keys from Redis and the rows from the table. When
the table holds too many rows to trust (the database cache drops rows when it is full) or the
cache was cleared during the outage, Redis is emptied instead (FLUSHDB: give rathaus its own
Redis database). docs/caching.md describes it for operators.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from time import monotonic
from typing import Any
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # after a failure, the process uses the database this long before retrying
LOG_EVERY_SECONDS = 60.0  # at most one warning about the outage per process and minute
CONNECT_TIMEOUT_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 2.0
TOMBSTONE = "\x00rathaus-cache: deleted during a cache outage\x00"
TOMBSTONE_SECONDS = 30 * 24 * 3600  # longer than anything rathaus caches lives
CLEARED = "rathaus-cache:cleared-during-outage"  # a row: Redis must be emptied when it is back
BATCH = 500

UNREACHABLE = (RedisError, OSError)


def _deleted(value: Any) -> bool:
    return isinstance(value, str) and value == TOMBSTONE


def display_location(url: str) -> str:
    """The server's address for the logs, without user name and password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix://{parts.path}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


class FallbackCache(BaseCache):
    """Django's RedisCache, falling back to a DatabaseCache while Redis is unreachable.

    ``LOCATION`` is the Redis URL; ``OPTIONS["FALLBACK"]`` the database cache's settings
    (``LOCATION`` = table, ``OPTIONS``); ``OPTIONS["RETRY_SECONDS"]`` overrides the interval;
    the other options go to the Redis connection pool.
    """

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        fallback = options.pop("FALLBACK")
        self.retry_seconds = float(options.pop("RETRY_SECONDS", RETRY_SECONDS))
        shared = {
            name: value
            for name, value in params.items()
            if name in {"TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION"}
        }
        redis_options = {
            "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "socket_timeout": SOCKET_TIMEOUT_SECONDS,
            "retry": Retry(NoBackoff(), 0),  # a failure goes to the fallback, not into waiting
            **options,
        }
        self.location = display_location(location)
        self.primary = RedisCache(location, {**shared, "OPTIONS": redis_options})
        self.table = str(fallback["LOCATION"])
        self.fallback = DatabaseCache(
            fallback["LOCATION"], {**shared, "OPTIONS": fallback.get("OPTIONS", {})}
        )
        self._lock = threading.RLock()  # _went_down runs inside _ready's lock too
        self._retry_at: float | None = None  # None: Redis is in use
        self._dirty = True  # rows of an earlier outage may wait; checked before Redis is used
        self._warned_at: float | None = None
        self._reported = False  # the outage was logged: log its end too

    # --- state --------------------------------------------------------------------------------

    @property
    def using_fallback(self) -> bool:
        """Whether this process sends the cache operations to the database now."""
        return self._retry_at is not None and monotonic() < self._retry_at

    def _went_down(self, error: BaseException) -> None:
        now = monotonic()
        with self._lock:
            self._retry_at = now + self.retry_seconds
            self._dirty = True
            if self._warned_at is None or now - self._warned_at >= LOG_EVERY_SECONDS:
                self._warned_at = now
                self._reported = True
                logger.warning(
                    "cache server %s unreachable (%s: %s); the database cache stands in",
                    self.location, type(error).__name__, error,
                )  # fmt: skip

    def _ready(self) -> bool:
        """True if Redis may be used now: not in the retry interval, and reconciled."""
        if self.using_fallback:
            return False
        if not self._dirty:
            return True
        with self._lock:
            if self._dirty:
                try:
                    self._reconcile()
                except UNREACHABLE as error:
                    self._went_down(error)
                    return False
                self._dirty = False
                self._retry_at = None
        return True

    def _answered(self) -> None:
        """Redis answered: the end of a logged outage is logged too."""
        if self._reported:
            with self._lock:
                if self._reported:
                    self._reported = False
                    logger.warning("cache server %s reachable again; using it", self.location)

    def _reconcile(self) -> None:
        """Remove from Redis what changed in the database cache while Redis was away."""
        connection = connections[router.db_for_write(self.fallback.cache_model_class)]
        table = connection.ops.quote_name(self.table)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(f"SELECT cache_key FROM {table}")  # noqa: S608 (a quoted table name)
            keys = [row[0] for row in cursor.fetchall()]
            if not keys:
                return
            # Django's RedisCache client: the keys in the table are already made (prefix,
            # version), so they go to Redis as they are.
            client = self.primary._cache.get_client(None, write=True)  # type: ignore[attr-defined]
            if (
                self.fallback.make_key(CLEARED) in keys
                or len(keys) * 2 >= self.fallback._max_entries
            ):
                client.flushdb()  # too many changes to trust the table: start empty
            else:
                for start in range(0, len(keys), BATCH):
                    client.delete(*keys[start : start + BATCH])
            for start in range(0, len(keys), BATCH):
                batch = keys[start : start + BATCH]
                cursor.execute(
                    f"DELETE FROM {table} WHERE cache_key IN ({', '.join(['%s'] * len(batch))})",  # noqa: S608
                    batch,
                )
        logger.info("cache server %s: %d keys changed during an outage removed", self.location,
                    len(keys))  # fmt: skip

    def _primary(self, name: str, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """(True, result) from Redis, or (False, None) when the fallback has to answer."""
        if not self._ready():
            return False, None
        try:
            result = getattr(self.primary, name)(*args, **kwargs)
        except UNREACHABLE as error:
            self._went_down(error)
            return False, None
        self._answered()
        return True, result

    # --- the cache interface ------------------------------------------------------------------

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        done, value = self._primary("get", key, default, version)
        if done:
            return value
        value = self.fallback.get(key, default, version)
        return default if _deleted(value) else value

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        keys = list(keys)
        done, values = self._primary("get_many", keys, version)
        if done:
            return dict(values)
        found = self.fallback.get_many(keys, version)
        return {key: value for key, value in found.items() if not _deleted(value)}

    def has_key(self, key: str, version: int | None = None) -> bool:
        done, value = self._primary("has_key", key, version)
        if done:
            return bool(value)
        return self.get(key, version=version) is not None

    def set(
        self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:  # fmt: skip
        done, _result = self._primary("set", key, value, timeout, version)
        if not done:
            self.fallback.set(key, value, timeout, version)

    def add(
        self, key: str, value: Any, timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:  # fmt: skip
        done, added = self._primary("add", key, value, timeout, version)
        if done:
            return bool(added)
        if _deleted(self.fallback.get(key, version=version)):
            self.fallback.set(key, value, timeout, version)
            return True
        return bool(self.fallback.add(key, value, timeout, version))

    def set_many(
        self, data: dict[str, Any], timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[str]:  # fmt: skip
        done, failed = self._primary("set_many", data, timeout, version)
        if done:
            return list(failed)
        return list(self.fallback.set_many(data, timeout, version))

    def touch(
        self, key: str, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        done, touched = self._primary("touch", key, timeout, version)
        if done:
            return bool(touched)
        if _deleted(self.fallback.get(key, version=version)):
            return False
        return bool(self.fallback.touch(key, timeout, version))

    def delete(self, key: str, version: int | None = None) -> bool:
        done, deleted = self._primary("delete", key, version)
        if done:
            return bool(deleted)
        found = self.fallback.get(key, version=version)
        existed = found is not None and not _deleted(found)
        self.fallback.set(key, TOMBSTONE, TOMBSTONE_SECONDS, version)
        return existed

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        keys = list(keys)
        done, _result = self._primary("delete_many", keys, version)
        if not done:
            self.fallback.set_many(dict.fromkeys(keys, TOMBSTONE), TOMBSTONE_SECONDS, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        done, value = self._primary("incr", key, delta, version)
        if done:
            return int(value)
        current = self.get(key, version=version)  # in the retry interval: from the database
        if current is None:
            raise ValueError(f"Key '{key}' not found")
        new_value = int(current) + delta
        self.fallback.set(key, new_value, DEFAULT_TIMEOUT, version)
        return new_value

    def clear(self) -> None:
        done, _result = self._primary("clear")
        self.fallback.clear()
        if not done:
            self.fallback.set(CLEARED, True, TOMBSTONE_SECONDS)

    def close(self, **kwargs: Any) -> None:
        self.primary.close(**kwargs)
        self.fallback.close(**kwargs)

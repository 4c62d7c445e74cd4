"""The shared cache: the database cache by default; Redis with the database cache standing in
while a real redis-server is stopped or hung (docs/caching.md)."""

from __future__ import annotations

import logging

import pytest
import redis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import Account
from rathaus.conf import ConfigurationError, env
from rathaus.core import cache as fallback_cache
from rathaus.settings import cache_settings, session_engine

pytestmark = pytest.mark.database  # reads the cache table with SQL; runs on PostgreSQL too

EMAIL = "kim.beispiel@example.org"
PASSWORD = "ein langer satz als passwort"


def table_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM rathaus_cache ORDER BY cache_key")
        return [row[0] for row in cursor.fetchall()]


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "rathaus.core.cache" and record.levelno == logging.WARNING
    ]


class Clock:
    """The cache's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    ticking = Clock()
    monkeypatch.setattr(fallback_cache, "monotonic", ticking)
    return ticking


@pytest.fixture
def raw_redis(redis_server):
    """A plain client of the test server, which is running and empty; left running."""
    redis_server.start()
    client = redis.Redis.from_url(str(redis_server))
    client.flushdb()
    yield client
    redis_server.thaw()
    redis_server.start()
    client.close()


@pytest.fixture
def redis_cache(db, settings, redis_server, raw_redis, clock, caplog):
    """The default cache as RATHAUS_CACHE_URL=redis://… makes it, answering quickly when hung."""
    caplog.set_level(logging.INFO, logger="rathaus.core.cache")
    config = cache_settings(str(redis_server))
    config["OPTIONS"] = {**config["OPTIONS"], "socket_timeout": 0.5}  # type: ignore[dict-item]
    settings.CACHES = {"default": config}
    yield cache
    cache.close()


def test_without_a_cache_url_the_cache_is_the_database_table(db):
    cache.clear()  # rows an earlier test left behind outside its transaction
    cache.set("greeting", {"text": "Guten Tag"})

    assert cache.get("greeting") == {"text": "Guten Tag"}
    assert ":1:greeting" in table_keys()  # beside it, the page cache's generation tokens


def test_the_cache_url_and_session_store_choose_the_backends():
    assert cache_settings("")["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert cache_settings("redis://cache:6379/2")["BACKEND"] == "rathaus.core.cache.FallbackCache"
    assert session_engine("cached_db", "") == "django.contrib.sessions.backends.cached_db"
    assert session_engine("cache", "unix:///run/redis.sock").endswith("backends.cache")
    with pytest.raises(ConfigurationError, match="needs RATHAUS_CACHE_URL"):
        session_engine("cache", "")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("memcached://cache:11211", "expected empty (the database cache) or a Redis URL"),
        ("redis://:geheim@cache:99999/0", "expected a TCP port"),
        ("redis:///0", "host name is missing"),
        ("unix://", "socket path is missing"),
    ],
)
def test_a_malformed_cache_url_is_refused_without_showing_it(raw, fragment):
    with pytest.raises(ConfigurationError) as refused:
        env("CACHE_URL", {"RATHAUS_CACHE_URL": raw})
    assert fragment in str(refused.value)
    assert "geheim" not in str(refused.value)


def test_while_redis_answers_the_values_are_in_redis_only(redis_cache, raw_redis):
    redis_cache.set("greeting", "Guten Tag")

    assert redis_cache.get("greeting") == "Guten Tag"
    assert raw_redis.exists(":1:greeting")
    assert table_keys() == []


def test_a_stopped_redis_is_replaced_by_the_database_and_used_again_when_back(
    redis_cache, redis_server, raw_redis, clock, caplog
):
    redis_cache.set("before", "in Redis")
    redis_server.stop()

    assert redis_cache.get("before") is None  # Redis is gone, and so is what it held
    clock.advance(fallback_cache.RETRY_SECONDS)  # tries again, nothing to reconcile: still down
    assert redis_cache.get("before") is None
    assert [message.split(" (")[0] for message in warnings(caplog)] == [
        f"cache server {redis_server} unreachable"
    ]
    redis_cache.set("during", "in the database")
    assert redis_cache.get("during") == "in the database"
    assert table_keys() == [":1:during"]
    assert len(warnings(caplog)) == 1
    assert "unreachable" in warnings(caplog)[0]

    clock.advance(fallback_cache.RETRY_SECONDS)  # tries Redis again: still down
    assert redis_cache.get("during") == "in the database"
    assert len(warnings(caplog)) == 1  # not once per request
    clock.advance(fallback_cache.LOG_EVERY_SECONDS)
    assert redis_cache.get("during") == "in the database"
    assert len(warnings(caplog)) == 2  # once a minute

    redis_server.start()
    redis_cache.set("meanwhile", "still in the database")  # within the retry interval
    assert ":1:meanwhile" in table_keys()
    clock.advance(fallback_cache.RETRY_SECONDS)
    redis_cache.set("after", "in Redis again")

    assert raw_redis.get(":1:after") is not None
    assert table_keys() == []  # what changed during the outage is gone from both stores
    assert redis_cache.get("during") is None
    assert "reachable again" in warnings(caplog)[-1]


def test_what_changed_while_redis_hung_is_not_served_stale_afterwards(
    redis_cache, redis_server, raw_redis, clock
):
    redis_cache.set_many({"session": "logged in", "page": "old", "other": "kept"})
    redis_server.freeze()  # accepts connections, answers nothing, keeps its data

    assert redis_cache.get("session") is None  # times out: the database stands in
    redis_cache.delete("session")
    redis_cache.set("page", "new")
    assert redis_cache.get("session") is None
    assert redis_cache.get("page") == "new"
    assert redis_cache.add("session", "again") is True  # over the record of the delete

    redis_server.thaw()
    clock.advance(fallback_cache.RETRY_SECONDS)

    assert redis_cache.get("page") is None  # a miss, not the old value
    assert redis_cache.get("session") is None
    assert redis_cache.get("other") == "kept"  # unchanged keys stay in Redis
    assert raw_redis.keys() == [b":1:other"]
    assert table_keys() == []


def test_a_clear_during_an_outage_empties_redis_when_it_is_back(
    redis_cache, redis_server, raw_redis, clock
):
    redis_cache.set("page", "old")
    redis_server.freeze()
    redis_cache.clear()
    redis_server.thaw()
    clock.advance(fallback_cache.RETRY_SECONDS)

    assert redis_cache.get("page") is None
    assert raw_redis.dbsize() == 0


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user(
        username=EMAIL, email=EMAIL, password=PASSWORD, first_name="Kim", last_name="Beispiel"
    )
    Account.objects.create(user=user, kind="person", email_verified_at=timezone.now())
    return user


def test_the_site_works_on_with_redis_stopped_and_sessions_survive(
    redis_cache, redis_server, clock, settings, citizen
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    browser = Client()
    assert (
        browser.post("/konto/anmelden/", {"email": EMAIL, "password": PASSWORD}).status_code == 302
    )

    redis_server.stop()
    assert browser.get("/konto/").status_code == 200

    redis_server.start()
    clock.advance(fallback_cache.RETRY_SECONDS)
    assert browser.get("/konto/").status_code == 200  # from the database: Redis started empty


def test_a_logout_while_redis_hung_does_not_come_back_with_redis(
    redis_cache, redis_server, clock, settings, citizen
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    browser = Client()
    assert (
        browser.post("/konto/anmelden/", {"email": EMAIL, "password": PASSWORD}).status_code == 302
    )
    stolen = Client()
    cookie = settings.SESSION_COOKIE_NAME
    stolen.cookies[cookie] = browser.cookies[cookie].value  # e.g. copied off the computer

    redis_server.freeze()
    assert browser.post("/konto/abmelden/").status_code == 302
    redis_server.thaw()
    clock.advance(fallback_cache.RETRY_SECONDS)

    assert stolen.get("/konto/")["Location"].startswith("/konto/anmelden/")

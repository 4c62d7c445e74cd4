"""Rate limits per client address: counted in the database, so all server processes share them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from rathaus.core import ratelimit
from rathaus.core.models import RateCounter
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

WINDOW = dt.timedelta(minutes=1)


def request_from(remote: str, forwarded: str = ""):
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_the_client_address_is_read_through_trusted_proxies_only(settings):
    settings.RATHAUS_TRUSTED_PROXIES = []
    assert ratelimit.client_address(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"
    settings.RATHAUS_TRUSTED_PROXIES = ["10.0.0.0/8", "::1"]
    assert ratelimit.client_address(request_from("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # A client cannot hide behind an address it writes into the header itself.
    forged = request_from("10.0.0.5", "198.51.100.1, 203.0.113.9, 10.0.0.7")
    assert ratelimit.client_address(forged) == "203.0.113.9"
    assert ratelimit.client_address(request_from("203.0.113.9", "10.0.0.1")) == "203.0.113.9"
    assert ratelimit.client_address(request_from("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert ratelimit.client_address(request_from("::1", "2001:db8::5")) == "2001:db8::5"


@pytest.mark.django_db
def test_the_limit_counts_per_key_and_window():
    now = timezone.now().replace(second=10, microsecond=0)
    assert [ratelimit.hit("a", 3, WINDOW, now=now) for _ in range(3)] == [0, 0, 0]
    assert ratelimit.hit("a", 3, WINDOW, now=now) == 50  # seconds until the next minute
    assert ratelimit.hit("b", 3, WINDOW, now=now) == 0
    assert ratelimit.hit("a", 3, WINDOW, now=now + dt.timedelta(minutes=1)) == 0
    assert ratelimit.delete_old(now + dt.timedelta(days=2)) == 3
    assert not RateCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_pass_more_than_the_limit():
    allowed = []
    now = timezone.now()

    def client() -> None:
        for _ in range(5):
            allowed.append(ratelimit.hit("race", 12, WINDOW, now=now) == 0)

    assert run_in_threads(*[client] * 8, together=True) == []
    assert len(allowed) == 40
    assert allowed.count(True) == 12
    assert RateCounter.objects.get().count == 12

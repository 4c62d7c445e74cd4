"""Fixtures of the exchange tests: two real installations, one pair per test module (ADR 0055)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.exchange.installations import Pair, PostgresServer, two_installations

# Settings of both installations for the tests (short retry intervals once the sending side
# has them).
FAST_EXCHANGE: dict[str, str] = {}


def _postgres_server() -> PostgresServer | None:
    """On the PostgreSQL pass, the test run's server (each installation gets a database there)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    settings = connection.settings_dict
    return PostgresServer(host=settings["HOST"], port=str(settings["PORT"]), user=settings["USER"])


@pytest.fixture(scope="module")
def installations() -> Iterator[Pair]:
    """Barleben (sender) and the Landkreis elsewhere (receiver), each with its own data
    directory, database, keys, web server and worker, connected by a destination."""
    failed: list[str] = []
    try:
        with two_installations(_postgres_server(), FAST_EXCHANGE, failed.append) as pair:
            yield pair
    except Exception:
        if failed:
            print(failed[0])  # shown with the failing set-up
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    """A failed test that used the installations shows their logs (servers, workers, set-up)."""
    report = yield
    pair = getattr(item, "funcargs", {}).get("installations")
    if report.failed and isinstance(pair, Pair):
        report.sections.append(("logs of the two installations", pair.logs()))
    return report

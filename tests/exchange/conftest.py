"""A receiving installation in one test database: our keys in a file, a destination of a
Landkreis's assembly authority, a form for its LeiKa service and a sender with its token
(the helpers that speak the protocol are in ``tests.factories.exchange_receiving``).

Two real installations (``installations``, one pair per test module) are set up by
``tests.exchange.installations`` (ADR 0055)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rathaus.catalog.models import Offer, Service
from rathaus.core.models import Authority, OrgUnit
from rathaus.exchange import crypto, receiving
from rathaus.exchange.models import OwnDestination, Sender
from rathaus.forms import services as form_services
from rathaus.forms.models import FormVersion
from tests.exchange.installations import Pair, PostgresServer, two_installations
from tests.factories.core import AuthorityFactory, OrgUnitFactory
from tests.factories.exchange_receiving import LAYOUT, LEIKA, SCHEMA, client_for


@pytest.fixture(scope="session")
def key_set() -> Any:
    return crypto.generate_key_set(2048)


@pytest.fixture
def keys(key_set: Any, settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "exchange-keys.json"
    crypto.write_key_set(key_set, path)
    settings.RATHAUS_EXCHANGE_KEY_FILE = str(path)
    return path


@pytest.fixture
def landkreis(db: Any) -> Authority:
    return AuthorityFactory(slug="lk-test", name="Landkreis Test", kind=Authority.Kind.LANDKREIS)


@pytest.fixture
def unit(landkreis: Authority) -> OrgUnit:
    return OrgUnitFactory(authority=landkreis, slug="versammlung", name="Versammlungsbehörde")


@pytest.fixture
def version(landkreis: Authority) -> FormVersion:
    service, _ = Service.objects.get_or_create(
        leika_key=LEIKA, defaults={"name": "Versammlung anzeigen"}
    )
    offer = Offer.objects.create(authority=landkreis, service=service)
    draft = form_services.create_definition(
        authority=landkreis, slug="versammlung", title="Versammlung anzeigen", schema=SCHEMA,
        layout=LAYOUT, offer=offer, receipt_email_field="email",
    )  # fmt: skip
    return form_services.publish(draft)


@pytest.fixture
def destination(keys: Path, unit: OrgUnit, version: FormVersion) -> OwnDestination:
    return OwnDestination.objects.create(
        name="Versammlungsbehörde", authority=unit.authority, org_unit=unit,
        leika_keys=[LEIKA], areas=["15083"],
    )  # fmt: skip


@pytest.fixture
def sender_token(db: Any) -> str:
    _sender, token = receiving.create_sender("Gemeinde Barleben")
    return token


@pytest.fixture
def sender(sender_token: str) -> Sender:
    return Sender.objects.get(token_sha256=receiving.token_hash(sender_token))


@pytest.fixture
def api(sender_token: str) -> Client:
    return client_for(sender_token)


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

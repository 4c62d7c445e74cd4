"""A receiving installation in one test database: our keys in a file, a destination of a
Landkreis's assembly authority, a form for its LeiKa service and a sender with its token
(the helpers that speak the protocol are in ``tests.factories.exchange_receiving``)."""

from __future__ import annotations

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

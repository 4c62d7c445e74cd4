"""A service that requires a higher trust level refuses a weaker login and explains why."""

from __future__ import annotations

import pytest

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.services import SESSION_TRUST_LEVEL
from rathaus.catalog import services
from rathaus.catalog.models import Offer
from rathaus.core.demo import DEMO_PASSWORD

KEY = "99059004012000"  # Eheurkunde Ausstellung, offered by Barleben without a form here
GATE = f"/leistungen/{KEY}/online-beantragen/"


@pytest.fixture
def offer(barleben):
    offer = Offer.objects.get(authority=barleben, service__leika_key=KEY)
    services.save_offer(
        barleben, offer.service,
        {"online_url": "https://formulare.example.org/eheurkunde", "min_trust_level": "substantial"},
    )  # fmt: skip
    return offer


def log_in(client):
    client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})


def test_service_page_says_which_login_is_needed(client, offer):
    html = client.get(f"/leistungen/{KEY}/").content.decode()
    assert f'href="{GATE}"' in html
    assert "Vertrauensniveau „substantiell“" in html


def test_basic_login_is_refused_with_an_explanation(client, offer):
    log_in(client)
    response = client.get(GATE)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Eine stärkere Anmeldung ist nötig" in html
    assert "„normal“" in html
    assert "formulare.example.org" not in html


def test_without_login_the_page_explains_too(client, offer):
    response = client.get(GATE)
    assert response.status_code == 403
    assert "Eine stärkere Anmeldung ist nötig" in response.content.decode()


@pytest.mark.parametrize("level", ["substantial", "high"])
def test_sufficient_login_goes_on_to_the_application(client, offer, level):
    log_in(client)
    session = client.session
    session[SESSION_TRUST_LEVEL] = level
    session.save()
    response = client.get(GATE)
    assert response.status_code == 302
    assert response["Location"] == "https://formulare.example.org/eheurkunde"


def test_basic_services_need_no_check(client, offer, barleben):
    services.save_offer(barleben, offer.service, {"min_trust_level": "basic"})
    assert client.get(GATE)["Location"] == "https://formulare.example.org/eheurkunde"


def test_no_online_application_is_404(client, barleben):
    assert client.get(GATE).status_code == 404


def test_with_bundid_connected_the_page_asks_bundid_for_the_level_needed(client, offer, settings):
    settings.RATHAUS_SAML_IDP_METADATA = "/etc/rathaus/bundid-metadata.xml"
    html = client.get(GATE).content.decode()
    assert "Mit BundID anmelden" in html
    assert f'href="/konto/anmelden/saml/?next={GATE}&amp;niveau=substantial"' in html
    assert "noch kein Identitätsdienst" not in html

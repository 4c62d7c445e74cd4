"""A Landkreis service on a town's pages, with no way in this installation, has no level of the
town's: the dashboard lists it apart, and its page says who handles it."""

from __future__ import annotations

import pytest

from rathaus.catalog import dashboard, maturity, services
from rathaus.catalog.models import Offer, Service
from rathaus.core.models import Authority
from tests.factories import FormVersionFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

DRIVING_LICENCE_OZG = "10169"  # Führerschein: the Landkreis Börde handles it (demo rules)


def _town_page_on_a_landkreis_service(town: Authority) -> Offer:
    service = Service.objects.filter(ozg_service__ozg_id=DRIVING_LICENCE_OZG).first()
    assert service is not None
    offer, _outcome = services.save_offer(
        town, service, {"description": "Den Führerschein stellt der Landkreis Börde aus."}
    )
    return offer


def test_the_level_of_a_landkreis_service_without_a_form(client, barleben_catalogue):
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    before = dashboard.status(barleben_catalogue)
    offer = _town_page_on_a_landkreis_service(barleben_catalogue)

    maturity.annotate([offer])
    assert offer.responsible_elsewhere == landkreis
    assert offer.maturity_label == (
        "nicht in diesem Portal online angeboten – zuständig: Landkreis Börde"
    )
    after = dashboard.status(barleben_catalogue)
    assert after.totals.counts == before.totals.counts  # neither level 0 nor any other
    assert after.elsewhere == 1

    html = client.get("/ozg/", {"behoerde": "barleben"}).content.decode()
    assert "Leistungen anderer Behörden" in html
    assert "zustaendig=andere" in html
    listed = client.get("/ozg/leistungen/", {"behoerde": "barleben", "zustaendig": "andere"})
    text = listed.content.decode()
    assert offer.service.name in text
    assert "zuständig: Landkreis Börde" in text
    for level in range(5):
        by_level = client.get("/ozg/leistungen/", {"behoerde": "barleben", "stufe": level})
        assert offer.service.name not in by_level.content.decode()
    page = client.get(offer.service.get_absolute_url()).content.decode()
    assert "zuständig: Landkreis Börde" in page


def test_a_form_here_makes_it_the_towns_service_again(barleben_catalogue):
    offer = _town_page_on_a_landkreis_service(barleben_catalogue)
    FormVersionFactory(definition__offer=offer, definition__authority=barleben_catalogue)
    maturity.annotate([offer])
    assert offer.responsible_elsewhere is None
    assert offer.maturity == 3
    assert dashboard.status(barleben_catalogue).elsewhere == 0


def test_the_landkreis_rates_its_own_services(barleben_catalogue):
    landkreis = Authority.objects.get(slug="landkreis-boerde")
    own = dashboard.offers(landkreis)
    assert own
    assert all(offer.responsible_elsewhere is None for offer in own)
    assert dashboard.status(landkreis).elsewhere == 0

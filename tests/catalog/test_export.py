"""The service list as open data: /leistungen/leistungen.csv and .json (ADR 0064)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from rathaus.catalog import export
from tests.factories.catalog import OfferFactory, ServiceFactory
from tests.factories.core import AuthorityFactory, AuthorityHostFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

HOST = "stadt-a.localhost"


@pytest.fixture
def town():
    town = AuthorityFactory(slug="stadt-a")
    AuthorityHostFactory(authority=town, hostname=HOST)
    return town


@pytest.fixture
def offers(town):
    unit = OrgUnitFactory(authority=town, name="Bürgerbüro")
    registered = OfferFactory(
        authority=town, org_unit=unit,
        service=ServiceFactory(leika_key="99998000000001", name="Meldebescheinigung erteilen"),
        description="Sie bekommen die Bescheinigung sofort.\n\nMehr Text, der nicht kommt.",
        contact="Frau Ilse Beispiel, Zimmer 3, Telefon 039203 1234",
        online_url="https://antrag.example.org/melde",
    )  # fmt: skip
    formula = OfferFactory(
        authority=town, org_unit=None, description="",
        service=ServiceFactory(leika_key="99998000000002", name="=HYPERLINK(\"x\")",
                               description="Aus dem Leistungskatalog."),
    )  # fmt: skip
    OfferFactory(service=ServiceFactory(name="Leistung einer anderen Gemeinde"))
    return registered, formula


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_csv_lists_the_services_of_the_portals_authority(offers):
    response = Client(HTTP_HOST=HOST).get("/leistungen/leistungen.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="leistungen-stadt-a.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "LeiKa-Schlüssel", "Leistung", "Kurzbeschreibung", "Zuständige Organisationseinheit",
        "OZG-Reifegrad", "Seite im Portal", "Online beantragen", "Termin buchen",
    ]  # fmt: skip
    assert rows[1:] == [
        ["99998000000002", "'=HYPERLINK(\"x\")", "Aus dem Leistungskatalog.", "", "0",
         "http://stadt-a.localhost/leistungen/99998000000002/", "", ""],
        ["99998000000001", "Meldebescheinigung erteilen", "Sie bekommen die Bescheinigung sofort.",
         "Bürgerbüro", "2", "http://stadt-a.localhost/leistungen/99998000000001/",
         "https://antrag.example.org/melde", ""],
    ]  # fmt: skip
    assert "Ilse" not in response.content.decode()  # the free-text contact is left out


def test_the_json_has_the_same_services(offers, town):
    response = Client(HTTP_HOST=HOST).get("/leistungen/leistungen.json")

    assert response.status_code == 200
    data = response.json()
    assert data["authority"] == {"name": town.name, "ags": town.ags}
    assert [row["leika_key"] for row in data["services"]] == ["99998000000002", "99998000000001"]
    first = data["services"][1]
    assert first["responsible_unit"] == "Bürgerbüro"
    assert first["maturity"] == 2
    assert first["online_application"] == "https://antrag.example.org/melde"
    assert "contact" not in first


def test_an_unknown_host_without_a_default_authority_is_not_found(offers, settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "gibt-es-nicht"
    client = Client(HTTP_HOST="unbekannt.localhost")
    assert client.get("/leistungen/leistungen.csv").status_code == 404
    assert client.get("/leistungen/leistungen.json").status_code == 404


def test_an_authority_without_offers_gets_an_empty_list_and_no_dataset(town):
    response = Client(HTTP_HOST=HOST).get("/leistungen/leistungen.json")
    assert response.json()["services"] == []
    source = next(s for s in export.datasets.registered() if s.key == "catalog.services")
    assert source.applies(town) is False


def test_long_descriptions_are_cut_at_a_word():
    text = "Wort " * 100
    cut = export.short(text)
    assert len(cut) <= export.SHORT_DESCRIPTION
    assert cut.endswith("Wort…")

"""An address question marked ``in_area`` refuses, at the field, addresses outside the town."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.streets import address_problem
from tests.support import MELDEBESCHEINIGUNG, post_data
from tests.support import fill_step as fill
from tests.support import get_page as page
from tests.support import start_application as start

pytestmark = pytest.mark.django_db


def log_in(client: Client) -> None:
    response = client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302


def address_step(client: Client) -> str:
    log_in(client)
    step1 = start(client, "meldebescheinigung", prefill="no")
    return fill(client, step1, {"first_name": "Ilse", "family_name": "Beispiel",
                                "date_of_birth": "14.03.1957"})  # fmt: skip


def test_an_address_outside_the_town_is_refused_at_the_field(client, barleben):
    step2 = address_step(client)
    answers = {"address.street": "Breiter Weg 1", "address.postal_code": "39104",
               "address.place": "Magdeburg"}  # fmt: skip
    response = client.post(step2, post_data(page(client, step2), action="next", **answers))
    assert response.status_code == 422
    html = response.content.decode()
    message = "Diese Adresse liegt nicht im Gebiet der Gemeinde Barleben."
    assert 'href="#f-address-street">' in html  # the summary leads to the first input
    # The message stands at the address field itself, not only in the summary.
    field_error = html[html.index('id="f-address-error"') :]
    assert message in field_error[:400]


def test_a_street_missing_from_the_directory_is_refused(client, barleben):
    step2 = address_step(client)
    answers = {"address.street": "Erfundene Gasse 3", "address.postal_code": "39179",
               "address.place": "Barleben"}  # fmt: skip
    response = client.post(step2, post_data(page(client, step2), action="next", **answers))
    assert response.status_code == 422
    assert "Die Straße „Erfundene Gasse“ kennen wir in Barleben nicht." in response.content.decode()


def test_an_address_in_the_town_passes(client, barleben):
    step2 = address_step(client)
    step3 = fill(client, step2, {"address.street": "Ernst-Thälmann-Str. 22",
                                 "address.postal_code": "39179", "address.place": "Barleben"})  # fmt: skip
    assert step3.endswith("/schritt/bescheinigung/")


@pytest.mark.parametrize(
    ("street", "postal_code", "place", "refused"),
    [
        ("Breiteweg 12", "39179", "Barleben", False),
        ("Bahnhofstrasse 4a", "39179", "barleben", False),
        ("Dorfstraße 1", "39179", "Barleben OT Ebendorf", False),  # no streets listed there
        ("Dorfstraße 1", "39326", "Meitzendorf", False),
        ("Breiteweg 12", "39326", "Barleben", True),  # Barleben's main village is 39179
        ("Breiteweg 12", "39179", "Wolmirstedt", True),
        ("Unbekannte Straße 1", "39179", "Barleben", True),
    ],
)
def test_address_problem(barleben, street, postal_code, place, refused):
    problem = address_problem(barleben, street=street, postal_code=postal_code, place=place)
    assert (problem is not None) is refused, problem


def test_the_api_refuses_an_address_outside_the_town(barleben):
    client = Client()
    log_in(client)
    data = {**MELDEBESCHEINIGUNG, "address": {"street": "Breiter Weg 1", "postal_code": "39104",
                                              "place": "Magdeburg"}}  # fmt: skip
    response = client.post("/api/v1/forms/meldebescheinigung/submissions",
                           json.dumps({"data": data}), content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert "address" in json.dumps(response.json(), ensure_ascii=False)

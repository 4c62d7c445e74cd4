"""Citizen-facing pages: start page, contact page, language switch, error pages, tenancy."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from rathaus.core.models import Authority
from tests.factories import AuthorityFactory, AuthorityHostFactory, OrgUnitFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def test_start_page_is_organised_by_what_people_want_to_do(
    client, barleben, django_assert_max_num_queries, settings
):
    settings.RATHAUS_PAGE_CACHE_SECONDS = 0  # the rendering's own queries (page cache: its tests)
    with django_assert_max_num_queries(3):
        response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="de"' in html
    assert "Willkommen im digitalen Rathaus der Gemeinde Barleben" in html
    assert 'href="#inhalt"' in html
    assert 'id="inhalt"' in html
    assert "Hauptnavigation" in html
    assert "Landkreis Börde" in html
    # What people come to do, in this order, each a link to a page that answers.
    tasks = re.findall(
        r'<a class="start-task__link" href="([^"]+)">\s*<span class="start-task__label">([^<]+)<',
        html,
    )
    assert [label for _address, label in tasks] == [
        "Termin buchen",
        "Online beantragen",
        "Problem melden",
        "Leistung von A bis Z finden",
        "Kontakt",
    ]
    addresses = {label: address for address, label in tasks}
    assert addresses["Problem melden"] == "/antrag/anliegen/"  # the general "Anliegen" form
    for address in addresses.values():
        assert client.get(address.split("#")[0]).status_code == 200, address
    # Not by offices: those are on the contact page.
    assert "Standesamt" not in html


def test_apply_online_lists_only_services_with_an_online_way(client, barleben):
    html = client.get("/leistungen/?nur=online").content.decode()
    assert "Diese Leistungen können Sie online beantragen" in html
    listed = re.findall(
        r'<li class="service-item">\s*<a class="kern-link" href="[^"]+">([^<]+)<', html
    )
    everything = client.get("/leistungen/").content.decode()
    assert listed
    assert "Meldebestätigung" in " ".join(listed)  # the Meldebescheinigung has a form
    assert len(listed) < everything.count('<li class="service-item">')


def test_start_page_leaves_out_reporting_without_a_published_request_form(client, barleben):
    from rathaus.forms.models import FormDefinition

    FormDefinition.objects.filter(slug="anliegen").update(retired_at=timezone.now())
    html = client.get("/").content.decode()
    assert "Problem melden" not in html
    assert "Termin buchen" in html


def test_start_page_loads_its_script_from_self_and_nothing_inline(client, barleben):
    # No nonce: the page is shared from the page cache, and a nonce must be new every time.
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in [part.strip() for part in policy.split(";")]
    assert "nonce" not in policy
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts
    assert all(" src=" in tag for tag in scripts)
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path", ["/", "/gibt-es-nicht/", "/api/v1/services", "/static/rathaus/rathaus.css"]
)
def test_every_response_denies_browser_features(client, barleben, path):
    response = client.get(path)
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "*" not in policy
    assert "self" not in policy


def test_contact_page_lists_units_with_opening_hours(client, barleben):
    response = client.get("/kontakt/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Digitalwerkstatt Villa 147" in html
    assert "Breiteweg 147" in html
    assert "Dienstag und Donnerstag 15–18 Uhr" in html
    assert 'id="standesamt"' in html


def test_language_switch_to_english_and_back(client, barleben):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Welcome to the digital town hall of Gemeinde Barleben" in html
    response = client.post("/i18n/setlang/", {"language": "de", "next": "/"}, follow=True)
    assert "Willkommen im digitalen Rathaus" in response.content.decode()


def test_unknown_page_is_a_friendly_german_404(client, barleben, settings):
    settings.DEBUG = False
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_host_name_selects_the_authority(client, barleben):
    response = client.get("/", HTTP_HOST="boerde.localhost")
    assert "Willkommen im digitalen Rathaus des Landkreises Börde" in response.content.decode()


def test_unassigned_host_falls_back_to_the_default_authority(client, barleben):
    response = client.get("/", HTTP_HOST="127.0.0.1:8000")
    assert "Gemeinde Barleben" in response.content.decode()


@pytest.mark.django_db
def test_each_authority_sees_only_its_own_units(client):
    own = AuthorityHostFactory(hostname="eins.localhost").authority
    other = AuthorityFactory()
    OrgUnitFactory(authority=own, name="Amt für Eigenes")
    OrgUnitFactory(authority=other, name="Amt für Fremdes")
    html = client.get("/kontakt/", HTTP_HOST="eins.localhost").content.decode()
    assert "Amt für Eigenes" in html
    assert "Amt für Fremdes" not in html


def test_host_not_in_allowed_hosts_is_rejected(client, barleben):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code == 400
    assert "Die Anfrage konnte nicht bearbeitet werden" in response.content.decode()


@pytest.mark.django_db
def test_without_any_authority_the_portal_says_it_is_not_set_up(client):
    assert not Authority.objects.exists()
    response = client.get("/")
    assert response.status_code == 503
    assert "rathaus demo-data" in response.content.decode()


def test_german_is_the_default_whatever_the_browser_prefers(client, barleben):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="de"' in response.content.decode()
    assert response["Content-Language"] == "de"

"""Staff edit their authority's offer of services under /verwaltung/angebote/."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.catalog import maturity, services
from rathaus.catalog.models import Offer, Service
from rathaus.core.models import AuditEvent, OrgUnit
from tests.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.support import log_in

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

LIST = "/verwaltung/angebote/"
ADD = "/verwaltung/angebote/neu/"
BIRTH_CERTIFICATE = "99027002012000"  # Standesamt, 12,00 €, maturity 2
MARRIAGE_CERTIFICATE = "99059004012000"  # Standesamt, no online way (the birth one has a form)
DOG_REGISTRATION = "99110009104000"  # Ordnungsamt
DOG_DEREGISTRATION = "99110009070000"  # in the catalogue, not offered by Barleben
ASSEMBLY = "99089016000000"  # Landkreis Börde, Versammlungsbehörde


def offer(leika_key, authority="barleben"):
    return Offer.objects.select_related("org_unit").get(
        authority__slug=authority, service__leika_key=leika_key
    )


def unit(slug, authority="barleben"):
    return OrgUnit.objects.get(authority__slug=authority, slug=slug)


def edit_url(found):
    return f"/verwaltung/angebote/{found.pk}/"


def form_data(response):
    """What the browser would send back for the form as shown, field by field."""
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else value
    return data


def events(action):
    """Audit events of staff (the demo loader records its offers without an actor)."""
    return list(AuditEvent.objects.filter(action=action, actor__isnull=False).order_by("sequence"))


@pytest.fixture
def clerk(client, barleben_catalogue):
    """Max Mustermann, Sachbearbeitung in the Standesamt of Barleben."""
    return log_in(client, "standesamt")


def test_clerk_sees_the_offers_of_the_authority(clerk, django_assert_max_num_queries):
    # The page's queries plus one per kind of online way (catalog.online) for all offers, one
    # for the responsibility rules (which offers another authority handles), and the staff
    # frame's two (ADR 0028: the memberships, the permissions of the user's groups).
    with django_assert_max_num_queries(15):
        response = clerk.get(LIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Angebotene Leistungen" in html
    birth = offer(BIRTH_CERTIFICATE)
    assert f'href="{edit_url(birth)}">Geburtsurkunde Ausstellung</a>' in html
    assert BIRTH_CERTIFICATE in html
    assert "12,00\u00a0€" in html
    assert "1 – Informationen online" in html
    # Offers of other units are listed, but without a link to change them.
    assert "Hundehaltung Anmeldung" in html
    assert f'href="{edit_url(offer(DOG_REGISTRATION))}"' not in html
    # No other authority's offers.
    assert "Versammlung" not in html


def test_list_needs_the_same_number_of_queries_for_more_offers(clerk, barleben_catalogue):
    with CaptureQueriesContext(connection) as before:
        assert clerk.get(LIST).status_code == 200
    standesamt = unit("standesamt")
    for service in Service.objects.exclude(offers__authority=barleben_catalogue)[:25]:
        services.save_offer(barleben_catalogue, service, {"org_unit": standesamt})
    with CaptureQueriesContext(connection) as after:
        response = clerk.get(LIST)
    assert (
        len(response.context["offers"])
        == Offer.objects.filter(authority=barleben_catalogue).count()
    )
    assert len(after.captured_queries) == len(before.captured_queries)


def test_list_filters_by_unit_and_maturity(clerk, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):  # with the rules' one and the staff frame's two
        response = clerk.get(LIST, {"einheit": "standesamt", "reifegrad": "2"})
    assert response.status_code == 200
    shown = {found.service.leika_key for found in response.context["offers"]}
    standesamt = list(Offer.objects.filter(authority__slug="barleben", org_unit__slug="standesamt"))
    maturity.annotate(standesamt)
    expected = {found.service.leika_key for found in standesamt if found.maturity == 2}
    assert shown == expected
    assert shown  # the demo's Standesamt has offers with an appointment booking
    assert "Alle Angebote anzeigen" in response.content.decode()


def test_unknown_filter_values_are_explained_at_the_field(clerk):
    response = clerk.get(LIST, {"reifegrad": "9", "einheit": "gibt-es-nicht"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<select name="reifegrad"[^>]*aria-invalid="true"', html)
    assert 'id="id_reifegrad_error"' in html
    assert 'id="id_einheit_error"' in html
    assert "gültige Auswahl" in html


def test_clerk_changes_an_offer_of_their_unit(clerk, django_assert_max_num_queries):
    birth = offer(BIRTH_CERTIFICATE)
    # Including the offer's live online ways for its derived maturity level.
    with django_assert_max_num_queries(14):  # with the rules' one and the staff frame's two
        page = clerk.get(edit_url(birth))
    assert page.status_code == 200
    assert 'value="12,00"' in page.content.decode()
    data = form_data(page)
    data["fee"] = "12,50"
    data["description"] = "Sie bekommen die Urkunde sofort."
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?behoerde=barleben"
    birth.refresh_from_db()
    assert birth.fee_cents == 1250
    assert birth.description == "Sie bekommen die Urkunde sofort."
    (event,) = events("catalog.offer.changed")
    assert event.details == {"fields": ["description", "fee_cents"]}
    assert event.actor_label.startswith("standesamt ")
    assert event.object_id == str(birth.pk)
    follow = clerk.get(response["Location"])
    assert "„Geburtsurkunde Ausstellung“ wurde gespeichert." in follow.content.decode()


def test_saving_without_changes_changes_nothing(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    response = clerk.post(edit_url(birth), form_data(clerk.get(edit_url(birth))))
    assert response.status_code == 302
    assert events("catalog.offer.changed") == []
    assert "Es wurde nichts geändert." in clerk.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("12", 1200), ("12,5", 1250), ("0,99", 99), ("1.200,00 €", 120000), ("", None)],
)
def test_fees_are_typed_as_german_amounts(clerk, typed, cents):
    birth = offer(BIRTH_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["fee"] = typed
    assert clerk.post(edit_url(birth), data).status_code == 302
    birth.refresh_from_db()
    assert birth.fee_cents == cents


@pytest.mark.parametrize("typed", ["12,3x", "12.50", "-5", "12,345", "zwölf", "99999999999"])
def test_bad_fee_is_explained_at_the_field_and_nothing_changes(clerk, typed):
    birth = offer(BIRTH_CERTIFICATE)
    before = birth.description
    data = form_data(clerk.get(edit_url(birth)))
    data["fee"] = typed
    data["description"] = "Neu"
    response = clerk.post(edit_url(birth), data)
    html = response.content.decode()
    assert response.status_code == 400
    field = re.search(r'<input type="text" name="fee"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert "id_fee_error" in field
    error = re.search(r'<p class="kern-error" id="id_fee_error"[^>]*>(.*?)</p>', html, re.S)
    assert "Betrag" in error.group(1) or "Gebühr" in error.group(1)
    assert "Das Angebot wurde nicht gespeichert" in html
    birth.refresh_from_db()
    assert (birth.fee_cents, birth.description) == (1200, before)
    assert events("catalog.offer.changed") == []


def test_bad_link_is_explained_at_the_field(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["online_url"] = "nicht eine Adresse"
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 400
    assert 'id="id_online_url_error"' in response.content.decode()


def test_clerk_cannot_change_another_units_offer(clerk):
    dogs = offer(DOG_REGISTRATION)
    for url in (edit_url(dogs), f"{edit_url(dogs)}zurueckziehen/"):
        response = clerk.get(url)
        assert response.status_code == 403
        assert "Nicht erlaubt" in response.content.decode()
        assert clerk.post(url, {"maturity_override": "4", "fee": "1"}).status_code == 403
    dogs.refresh_from_db()
    assert dogs.maturity_override is None
    assert Offer.objects.filter(pk=dogs.pk).exists()
    assert not AuditEvent.objects.filter(
        action__startswith="catalog.offer.", actor__isnull=False
    ).exists()


def test_clerk_cannot_move_an_offer_to_another_unit(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    page = clerk.get(edit_url(birth))
    options = re.search(r'<select name="org_unit".*?</select>', page.content.decode(), re.S)
    assert "Standesamt" in options.group(0)
    assert "Bürgerbüro" not in options.group(0)
    data = form_data(page)
    data["org_unit"] = str(unit("buergerbuero").pk)
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 400
    assert 'id="id_org_unit_error"' in response.content.decode()
    birth.refresh_from_db()
    assert birth.org_unit.slug == "standesamt"


@pytest.mark.parametrize("username", ["ordnungsamt", "digitales"])
def test_head_and_administrator_change_every_offer(client, barleben_catalogue, username):
    """Leitung (Ordnungsamt) and Administration (Bereich Digitales) of the same authority."""
    log_in(client, username)
    html = client.get(LIST).content.decode()
    assert "(andere Organisationseinheit)" not in html
    birth = offer(BIRTH_CERTIFICATE)
    page = client.get(edit_url(birth))
    assert page.status_code == 200
    assert "Bürgerbüro" in page.content.decode()
    data = form_data(page)
    data["org_unit"] = str(unit("buergerbuero").pk)
    data["maturity_override"] = "2"
    data["maturity_override_reason"] = "Antrag per E-Mail an das Standesamt"
    assert client.post(edit_url(birth), data).status_code == 302
    birth.refresh_from_db()
    assert (birth.org_unit.slug, birth.maturity_override) == ("buergerbuero", 2)
    assert events("catalog.offer.changed")[0].details == {
        "fields": ["maturity_override", "maturity_override_reason", "org_unit"]
    }


def test_offers_of_another_authority_are_not_found(client, barleben_catalogue):
    log_in(client, "versammlung")  # Landkreis Börde
    birth = offer(BIRTH_CERTIFICATE)
    for url in (edit_url(birth), f"{edit_url(birth)}zurueckziehen/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {"maturity_override": "4"}).status_code == 404
    assert client.get(LIST, {"behoerde": "barleben"}).status_code == 404
    assert client.get(ADD, {"behoerde": "barleben"}).status_code == 404
    assert client.get("/verwaltung/angebote/999999/").status_code == 404
    html = client.get(LIST).content.decode()
    assert "Landkreis Börde" in html
    assert "Geburtsurkunde" not in html


def test_barleben_staff_do_not_find_the_landkreis_offers(clerk):
    assembly = offer(ASSEMBLY, authority="landkreis-boerde")
    assert clerk.get(edit_url(assembly)).status_code == 404
    head = Client()
    log_in(head, "ordnungsamt")
    assert head.get(edit_url(assembly)).status_code == 404


def test_member_of_two_authorities_picks_one(client, barleben_catalogue):
    user = UserFactory()
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, org_unit=unit("versammlungsbehoerde", "landkreis-boerde"))
    MembershipFactory(user=user, org_unit=unit("bauamt"))
    log_in(client, user.username, PASSWORD)
    first = client.get(LIST).content.decode()
    assert "Gemeinde Barleben" in first  # first by name
    assert '<option value="landkreis-boerde">Landkreis Börde</option>' in first
    other = client.get(LIST, {"behoerde": "landkreis-boerde"})
    assert {found.service.leika_key for found in other.context["offers"]} >= {ASSEMBLY}
    assert all(found.authority.slug == "landkreis-boerde" for found in other.context["offers"])
    assembly = offer(ASSEMBLY, authority="landkreis-boerde")
    assert client.get(edit_url(assembly)).status_code == 200


def test_staff_without_an_editing_role_get_a_friendly_403(client, barleben_catalogue):
    guest = UserFactory()
    TOTPDeviceFactory(user=guest)
    MembershipFactory(
        user=guest, org_unit=unit("standesamt"), role=Group.objects.create(name="Praktikum")
    )
    log_in(client, guest.username, PASSWORD)
    response = client.get(LIST)
    assert response.status_code == 403
    assert "erlaubt Ihnen nicht" in response.content.decode()
    assert client.get(edit_url(offer(BIRTH_CERTIFICATE))).status_code == 403
    assert client.get(ADD).status_code == 403


def test_staff_without_membership_get_a_friendly_403(client, db):
    loner = UserFactory()
    TOTPDeviceFactory(user=loner)
    log_in(client, loner.username, PASSWORD)
    response = client.get(LIST)
    assert response.status_code == 403
    assert "keiner Organisationseinheit" in response.content.decode()


def test_add_a_new_offer_found_by_a_word(clerk, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):  # with the staff frame's two
        response = clerk.get(ADD, {"q": "Hundehaltung"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hundehaltung Abmeldung" in html
    assert "Hundehaltung Anmeldung</a>" not in html  # offered already
    assert "bereits angeboten" in html
    service = Service.objects.get(leika_key=DOG_DEREGISTRATION)
    link = f"?behoerde=barleben&amp;leistung={service.pk}"
    assert link in html
    form_page = clerk.get(ADD, {"behoerde": "barleben", "leistung": service.pk})
    assert form_page.status_code == 200
    options = re.search(r'<select name="org_unit".*?</select>', form_page.content.decode(), re.S)
    assert "Bürgerbüro" not in options.group(0)
    data = form_data(form_page)
    assert data["org_unit"] == unit("standesamt").pk  # the clerk's only unit is preselected
    data.update(fee="5", description="Abmelden, wenn der Hund nicht mehr bei Ihnen lebt.")
    response = clerk.post(f"{ADD}?behoerde=barleben&leistung={service.pk}", data)
    assert response.status_code == 302
    added = offer(DOG_DEREGISTRATION)
    assert (added.org_unit.slug, added.fee_cents, added.maturity_override) == (
        "standesamt",
        500,
        None,
    )
    (event,) = events("catalog.offer.created")
    assert event.object_id == str(added.pk)
    assert "wurde hinzugefügt" in clerk.get(response["Location"]).content.decode()


def test_add_finds_a_service_by_its_leika_key(clerk):
    html = clerk.get(ADD, {"q": DOG_DEREGISTRATION}).content.decode()
    assert "Hundehaltung Abmeldung" in html
    assert "1 Leistung gefunden" in html
    by_prefix = clerk.get(ADD, {"q": "99110009"}).content.decode()
    assert "Hundehaltung Abmeldung" in by_prefix
    assert "Hundehaltung Anmeldung</a>" not in by_prefix


def test_add_explains_empty_and_too_short_searches(clerk):
    for query, message in [("", "Bitte geben Sie"), ("a", "mindestens zwei")]:
        response = clerk.get(ADD, {"q": query})
        assert response.status_code == 400
        assert message in response.content.decode()
        assert 'aria-invalid="true"' in response.content.decode()


def test_clerk_cannot_add_an_offer_for_another_unit(clerk):
    service = Service.objects.get(leika_key=DOG_DEREGISTRATION)
    url = f"{ADD}?behoerde=barleben&leistung={service.pk}"
    data = form_data(clerk.get(url))
    data["org_unit"] = str(unit("ordnungsamt").pk)
    response = clerk.post(url, data)
    assert response.status_code == 400
    assert 'id="id_org_unit_error"' in response.content.decode()
    data["org_unit"] = ""
    assert clerk.post(url, data).status_code == 400
    assert not Offer.objects.filter(service=service).exists()


def test_adding_an_offered_service_opens_the_offer(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    response = clerk.get(ADD, {"behoerde": "barleben", "leistung": birth.service_id})
    assert response["Location"] == edit_url(birth)
    assert clerk.get(ADD, {"leistung": "kein"}).status_code == 404
    assert clerk.get(ADD, {"leistung": "999999"}).status_code == 404


def test_withdraw_after_confirmation(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    url = f"{edit_url(birth)}zurueckziehen/"
    confirm = clerk.get(url)
    assert confirm.status_code == 200
    assert "Angebot zurückziehen?" in confirm.content.decode()
    assert Offer.objects.filter(pk=birth.pk).exists()
    response = clerk.post(url)
    assert response["Location"] == f"{LIST}?behoerde=barleben"
    assert not Offer.objects.filter(pk=birth.pk).exists()
    (event,) = events("catalog.offer.withdrawn")
    assert event.details == {"leika_key": BIRTH_CERTIFICATE}
    assert "wurde zurückgezogen" in clerk.get(response["Location"]).content.decode()
    assert clerk.get(url).status_code == 404


def test_pages_need_both_factors(client, barleben_catalogue):
    birth = offer(BIRTH_CERTIFICATE)
    urls = [LIST, ADD, edit_url(birth), f"{edit_url(birth)}zurueckziehen/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/verwaltung/anmelden/?next=")
    # Password only (no second factor) is not enough either.
    client.force_login(get_user_model().objects.get(username="standesamt"))
    for url in urls:
        assert client.get(url)["Location"].startswith("/verwaltung/anmelden/?next=")
    assert client.post(f"{edit_url(birth)}zurueckziehen/").status_code == 302
    assert Offer.objects.filter(pk=birth.pk).exists()


def test_changes_need_the_csrf_token(clerk):
    clerk.handler.enforce_csrf_checks = True  # as a browser that did not load the form
    birth = offer(BIRTH_CERTIFICATE)
    assert clerk.post(f"{edit_url(birth)}zurueckziehen/").status_code == 403
    data = form_data(clerk.get(edit_url(birth)))
    data["fee"] = "1"
    assert clerk.post(edit_url(birth), data).status_code == 403
    birth.refresh_from_db()
    assert birth.fee_cents == 1200


def test_staff_home_links_to_the_offers(clerk):
    assert f'href="{LIST}"' in clerk.get("/verwaltung/").content.decode()


def test_pages_are_translated_to_english(clerk):
    clerk.post("/i18n/setlang/", {"language": "en", "next": LIST})
    html = clerk.get(LIST).content.decode()
    assert "Offered services" in html
    assert "Angebotene Leistungen" not in html


def test_text_cannot_promise_an_online_way_that_does_not_exist(clerk):
    birth = offer(MARRIAGE_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["description"] = "Sie können die Urkunde auch online beantragen."
    data["processing_time"] = "online etwa 1 Woche"
    response = clerk.post(edit_url(birth), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_description_error"' in html
    assert 'id="id_processing_time_error"' in html
    assert "es gibt aber keinen Online-Weg" in html
    birth.refresh_from_db()
    assert "online" not in birth.description
    # With a link to an online application the same text is true and is saved.
    data["online_url"] = "https://formulare.example.org/geburtsurkunde"
    assert clerk.post(edit_url(birth), data).status_code == 302
    birth.refresh_from_db()
    assert "online beantragen" in birth.description


def test_a_compound_word_promises_nothing(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["required_documents"] = "Personalausweis (die Online-Ausweisfunktion ist nicht nötig)"
    assert clerk.post(edit_url(birth), data).status_code == 302


def test_level_three_needs_a_live_online_application(clerk):
    birth = offer(MARRIAGE_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["maturity_override"] = "3"
    data["maturity_override_reason"] = "Wir wollen online sein"
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 400
    assert 'id="id_maturity_override_error"' in response.content.decode()
    birth.refresh_from_db()
    assert birth.maturity_override is None


def test_override_and_reason_go_together(clerk):
    birth = offer(BIRTH_CERTIFICATE)
    data = form_data(clerk.get(edit_url(birth)))
    data["maturity_override"] = "0"
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 400
    assert 'id="id_maturity_override_reason_error"' in response.content.decode()
    data["maturity_override"] = ""
    data["maturity_override_reason"] = "ohne Stufe"
    response = clerk.post(edit_url(birth), data)
    assert response.status_code == 400
    assert 'id="id_maturity_override_error"' in response.content.decode()


def test_staff_page_shows_the_derived_level_and_the_override(clerk):
    birth = offer(MARRIAGE_CERTIFICATE)
    html = clerk.get(edit_url(birth)).content.decode()
    assert "Abgeleitet aus den Online-Wegen, die jetzt freigeschaltet sind:" in html
    assert "Online-Formular: keines veröffentlicht" in html
    services.save_offer(
        birth.authority,
        birth.service,
        {"maturity_override": 0, "maturity_override_reason": "Angaben werden überarbeitet"},
    )
    html = clerk.get(edit_url(birth)).content.decode()
    assert "Von Mitarbeitenden gesetzt. Grund: Angaben werden überarbeitet." in html
    assert "0 – Informationen nur offline" in html

"""Citizen accounts: registration → confirmation → login → profile, and what goes wrong."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from rathaus.accounts.models import Account, Consent
from rathaus.core.models import AuditEvent, OutgoingEmail
from tests.factories import UserFactory
from tests.support import CITIZEN_PASSWORD as PASSWORD
from tests.support import REGISTRATION, human_check

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def confirmation_link(to: str) -> str:
    mail = OutgoingEmail.objects.filter(to=to).order_by("-created_at", "-pk").first()
    assert mail is not None, f"no e-mail to {to}"
    return re.search(r"http://testserver(/konto/bestaetigen/\S+/)", mail.text_body).group(1)


def register(client, **changes):
    return client.post("/konto/registrieren/", {**REGISTRATION, **human_check(), **changes})


def login(client, email="kim.beispiel@example.org", password=PASSWORD):
    return client.post("/konto/anmelden/", {"email": email, "password": password})


def test_full_journey(client, barleben):
    response = register(client)
    assert response["Location"] == "/konto/registriert/"
    page = client.get("/konto/registriert/").content.decode()
    assert "Kim.Beispiel@example.org" in page
    user = get_user_model().objects.get(username="kim.beispiel@example.org")
    assert not user.is_active
    assert Consent.objects.get(account__user=user).topic == "privacy-notice"
    # Not possible before the address is confirmed.
    assert login(client).status_code == 200

    response = client.get(confirmation_link("kim.beispiel@example.org"))
    assert response["Location"] == "/konto/anmelden/"
    response = login(client)
    assert response["Location"] == "/konto/"
    home = client.get("/konto/").content.decode()
    assert "Kim Beispiel" in home
    assert "mit Passwort (Vertrauensniveau: normal)" in home

    response = client.post(
        "/konto/profil/",
        {"first_name": "Kim", "last_name": "Beispiel", "date_of_birth": "24.12.1955",
         "street": "Breiteweg 1", "postal_code": "39179", "city": "Barleben", "phone": ""},
    )  # fmt: skip
    assert response["Location"] == "/konto/"
    account = Account.objects.get(user=user)
    assert (account.postal_code, str(account.date_of_birth)) == ("39179", "1955-12-24")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-5:] == [
        "account.registered", "account.login.failed", "account.confirmed", "account.login",
        "account.profile.changed",
    ]  # fmt: skip
    assert "1955" not in str(AuditEvent.objects.last().details)

    client.post("/konto/abmelden/")
    assert client.get("/konto/")["Location"] == "/konto/anmelden/?next=%2Fkonto%2F"


def test_confirmation_link_works_once(client, barleben):
    register(client)
    link = confirmation_link("kim.beispiel@example.org")
    assert client.get(link).status_code == 302
    reused = client.get(link)
    assert reused.status_code == 400
    assert "Dieser Link funktioniert nicht" in reused.content.decode()


@pytest.mark.parametrize("path", ["/konto/bestaetigen/MQ/abc-def/", "/konto/bestaetigen/%%%/x/"])
def test_forged_confirmation_links_are_refused(client, barleben, path):
    register(client)
    assert client.get(path).status_code in {400, 404}


def test_expired_confirmation_link(client, barleben, settings):
    register(client)
    link = confirmation_link("kim.beispiel@example.org")
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert client.get(link).status_code == 400


def test_registering_an_existing_address_reveals_nothing(client, barleben):
    register(client)
    OutgoingEmail.objects.all().delete()
    second = register(client, first_name="Mallory")
    assert second["Location"] == "/konto/registriert/"
    assert get_user_model().objects.filter(username="kim.beispiel@example.org").count() == 1
    notice = OutgoingEmail.objects.get()
    assert "bestaetigen" not in notice.text_body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"password2": "etwas anderes ganz"}, "password2", "nicht gleich"),
        ({"password1": "kurz", "password2": "kurz"}, "password1", "zu kurz"),
        ({"privacy": ""}, "privacy", "Datenschutzhinweis"),
        ({"email": "keine-adresse"}, "email", "gültige E-Mail-Adresse"),
        ({"kind": "organisation"}, "organisation_name", "Namen der Organisation"),
        ({"first_name": "x" * 151}, "first_name", "höchstens 150"),
    ],
)
def test_registration_errors_are_shown_at_the_field(client, barleben, changes, field, message):
    response = register(client, **changes)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not get_user_model().objects.filter(username="kim.beispiel@example.org").exists()


def test_staff_cannot_use_the_citizen_login(client, barleben):
    staff = UserFactory(username="staff@example.org", email="staff@example.org")
    response = login(client, "staff@example.org", "correct horse battery staple")
    assert response.status_code == 200
    assert not client.session.get("_auth_user_id")
    assert staff.is_staff


def test_wrong_password_and_lockout(client, barleben, settings):
    register(client)
    client.get(confirmation_link("kim.beispiel@example.org"))
    response = login(client, password="falsch")
    assert "E-Mail-Adresse oder das Passwort ist falsch" in response.content.decode()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, password="falsch")
    assert login(client).status_code == 429


def test_profile_rejects_unknown_postal_codes_and_future_birthdays(client, barleben):
    register(client)
    client.get(confirmation_link("kim.beispiel@example.org"))
    login(client)
    response = client.post(
        "/konto/profil/",
        {"first_name": "Kim", "last_name": "Beispiel", "date_of_birth": "24.12.2999",
         "postal_code": "00000"},
    )  # fmt: skip
    html = response.content.decode()
    assert response.status_code == 200
    assert "Diese Postleitzahl kennen wir nicht" in html
    assert "Geburtsdatum kann nicht in der Zukunft" in html


def test_session_key_changes_at_login(client, barleben):
    register(client)
    client.get(confirmation_link("kim.beispiel@example.org"))
    client.get("/konto/anmelden/")
    before = client.session.session_key
    login(client)
    assert client.session.session_key != before


def test_demo_citizen_can_log_in(client, barleben):
    from rathaus.accounts.demo import CITIZEN_EMAIL
    from rathaus.core.demo import DEMO_PASSWORD

    response = login(client, CITIZEN_EMAIL, DEMO_PASSWORD)
    assert response["Location"] == "/konto/"
    assert "Breiteweg 12, 39179 Barleben" in client.get("/konto/").content.decode()

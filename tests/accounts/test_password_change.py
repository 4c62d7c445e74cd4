"""A logged-in citizen changes the password: the current one is checked like a login, other
devices are logged out, this one stays, and the holder is told by e-mail."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import Account, LoginDelay
from rathaus.core.models import AuditEvent, OutgoingEmail

EMAIL = "kim.beispiel@example.org"
OLD_PASSWORD = "ein langer satz als passwort"
NEW_PASSWORD = "noch ein viel längerer satz"
PAGE = "/konto/passwort/"


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user(
        username=EMAIL, email=EMAIL, password=OLD_PASSWORD, first_name="Kim", last_name="Beispiel"
    )
    Account.objects.create(user=user, kind="person", email_verified_at=timezone.now())
    return user


def logged_in(password: str = OLD_PASSWORD) -> Client:
    client = Client()
    response = client.post("/konto/anmelden/", {"email": EMAIL, "password": password})
    assert response.status_code == 302, "the login failed"
    return client


def change(client: Client, current: str, new: str, again: str | None = None):
    return client.post(
        PAGE, {"current_password": current, "password1": new, "password2": again or new}
    )


def test_the_account_page_links_to_the_form(citizen):
    client = logged_in()
    assert f'href="{PAGE}">Passwort ändern</a>' in client.get("/konto/").content.decode()
    page = client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'autocomplete="current-password"' in html
    assert html.count('autocomplete="new-password"') == 2
    assert "no-store" in page["Cache-Control"]


def test_a_change_keeps_this_session_and_ends_the_others(citizen):
    here, elsewhere = logged_in(), logged_in()
    response = change(here, OLD_PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/konto/"
    follow = here.get("/konto/")
    assert follow.status_code == 200
    assert "Ihr neues Passwort ist gespeichert" in follow.content.decode()
    assert elsewhere.get("/konto/").status_code == 302, "the other device is logged out"
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert not citizen.check_password(OLD_PASSWORD)
    assert logged_in(NEW_PASSWORD).get("/konto/").status_code == 200
    mail = OutgoingEmail.objects.get(to=EMAIL)
    assert mail.subject.endswith("Ihr Passwort wurde geändert")
    assert "http://testserver/konto/passwort-vergessen/" in mail.text_body
    assert NEW_PASSWORD not in mail.text_body
    event = AuditEvent.objects.get(action="account.password_changed")
    assert event.actor_label.startswith(EMAIL)
    assert NEW_PASSWORD not in str(event.details)


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("falsch falsch falsch", NEW_PASSWORD, None, "Das aktuelle Passwort stimmt nicht."),
        (OLD_PASSWORD, OLD_PASSWORD, None, "muss sich vom aktuellen unterscheiden"),
        (OLD_PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "nicht gleich"),
        (OLD_PASSWORD, "Ab1!", None, "zu kurz"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(citizen, current, new, again, message):
    client = logged_in()
    response = change(client, current, new, again)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert html.count('type="password"') == 3
    assert not re.search(r'type="password"[^>]*value=', html), "no password is sent back"
    citizen.refresh_from_db()
    assert citizen.check_password(OLD_PASSWORD)
    assert not OutgoingEmail.objects.filter(to=EMAIL).exists()
    assert client.get("/konto/").status_code == 200


def test_wrong_current_passwords_count_like_failed_logins(citizen, settings):
    """The same lock as the login: after too many wrong passwords even the right one waits."""
    client = logged_in()
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert change(client, "falsch falsch falsch", NEW_PASSWORD).status_code in (200, 429)
    assert LoginDelay.objects.get(user=citizen).failures >= 1
    refused = change(client, OLD_PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    citizen.refresh_from_db()
    assert citizen.check_password(OLD_PASSWORD)


def test_an_account_of_an_identity_service_has_no_password_to_change(db):
    user = get_user_model().objects.create_user(username="bund-123", email="b@example.org")
    Account.objects.create(user=user, kind="person", email_verified_at=timezone.now())
    client = Client()
    client.force_login(user)
    assert "/konto/passwort/" not in client.get("/konto/").content.decode()
    page = client.get(PAGE).content.decode()
    assert "Identitätsdienst" in page
    assert "current_password" not in page
    change(client, "", NEW_PASSWORD)
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_only_for_a_logged_in_citizen(citizen):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")

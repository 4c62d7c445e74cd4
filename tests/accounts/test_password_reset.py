"""Citizens reset a forgotten password with a single-use e-mail link; staff cannot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from rathaus.accounts.models import Account
from rathaus.core.models import AuditEvent, OutgoingEmail
from tests.factories import UserFactory

EMAIL = "kim.beispiel@example.org"
OLD_PASSWORD = "ein langer satz als passwort"
NEW_PASSWORD = "noch ein viel längerer satz"


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user(
        username=EMAIL, email=EMAIL, password=OLD_PASSWORD, first_name="Kim", last_name="Beispiel"
    )
    Account.objects.create(user=user, kind="person", email_verified_at=timezone.now())
    return user


def request_link(client: Client, email: str = EMAIL):
    return client.post("/konto/passwort-vergessen/", {"email": email})


def reset_link() -> str:
    mail = OutgoingEmail.objects.get(to=EMAIL)
    return re.search(r"http://testserver(/konto/passwort-neu/\S+/)", mail.text_body).group(1)


def log_in(client: Client, password: str):
    return client.post("/konto/anmelden/", {"email": EMAIL, "password": password})


def test_login_page_links_to_the_reset(client, db):
    page = client.get("/konto/anmelden/").content.decode()
    assert 'href="/konto/passwort-vergessen/"' in page
    assert "Passwort vergessen?" in page


def test_full_reset(client, citizen):
    assert client.get("/konto/passwort-vergessen/").status_code == 200
    response = request_link(client, "Kim.Beispiel@example.org")
    assert response.status_code == 200
    assert "Bitte sehen Sie in Ihre E-Mails" in response.content.decode()
    mail = OutgoingEmail.objects.get(to=EMAIL)
    assert "Kim Beispiel" in mail.text_body
    assert "neues Passwort" in mail.text_body

    link = reset_link()
    form = client.get(link)
    assert form.status_code == 200
    assert 'autocomplete="new-password"' in form.content.decode()

    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == "/konto/anmelden/"
    assert "Ihr neues Passwort ist gespeichert" in client.get("/konto/anmelden/").content.decode()
    assert log_in(client, OLD_PASSWORD).status_code == 200
    assert log_in(client, NEW_PASSWORD)["Location"] == "/konto/"
    actions = list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True))
    assert "account.password_reset.requested" in actions
    assert "account.password_reset" in actions


def test_the_link_works_only_once(client, citizen):
    request_link(client)
    link = reset_link()
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    for response in (
        client.get(link),
        client.post(
            link, {"password1": "ein dritter langer satz", "password2": "ein dritter langer satz"}
        ),
    ):
        assert response.status_code == 400
        assert "Dieser Link funktioniert nicht" in response.content.decode()
    assert log_in(Client(), NEW_PASSWORD)["Location"] == "/konto/"


def test_expired_and_broken_links_show_a_clear_page(client, citizen):
    request_link(client)
    link = reset_link()
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        response = client.get(link)
    assert response.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert client.get("/konto/passwort-neu/xyz/abc-def/").status_code == 400
    assert client.get("/konto/passwort-neu/!!!/abc-def/").status_code == 400


def test_new_password_is_checked(client, citizen):
    request_link(client)
    link = reset_link()
    response = client.post(link, {"password1": NEW_PASSWORD, "password2": "etwas anderes hier"})
    assert response.status_code == 200
    assert "Die beiden Passwörter sind nicht gleich." in response.content.decode()
    response = client.post(link, {"password1": "kurz", "password2": "kurz"})
    assert response.status_code == 200
    assert (
        'aria-invalid="true"' in response.content.decode()
        or 'role="alert"' in response.content.decode()
    )
    # The link still works after a refused attempt.
    assert client.get(link).status_code == 200
    assert log_in(client, OLD_PASSWORD)["Location"] == "/konto/"


def test_reset_ends_all_other_sessions(citizen):
    laptop = Client()
    assert log_in(laptop, OLD_PASSWORD)["Location"] == "/konto/"
    phone = Client()
    request_link(phone)
    phone.post(reset_link(), {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    response = laptop.get("/konto/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/")
    assert Account.objects.get(user=citizen).session_epoch == 1


def page_without(response, email: str) -> str:
    page = response.content.decode().replace(email, "ADDRESS")
    # Nonces and CSRF tokens differ on every page.
    return re.sub(r'(nonce|name="csrfmiddlewaretoken" value)="[^"]*"', "", page)


def test_same_answer_for_unknown_addresses_and_staff_no_mail(client, citizen):
    staff = UserFactory(is_staff=True, email="clerk@example.org", username="clerk@example.org")
    known = request_link(client)
    unknown = request_link(client, "nobody@example.org")
    staff_answer = request_link(client, staff.email)
    assert known.status_code == unknown.status_code == staff_answer.status_code == 200
    assert page_without(known, EMAIL) == page_without(unknown, "nobody@example.org")
    assert page_without(known, EMAIL) == page_without(staff_answer, staff.email)
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [EMAIL]


def test_staff_cannot_use_a_reset_link(client, db):
    staff = UserFactory(is_staff=True)
    Account.objects.create(user=staff, kind="person")
    uid = urlsafe_base64_encode(force_bytes(staff.pk))
    token = default_token_generator.make_token(staff)
    response = client.get(f"/konto/passwort-neu/{uid}/{token}/")
    assert response.status_code == 400


def test_invalid_address_gets_a_message(client, db):
    response = client.post("/konto/passwort-vergessen/", {"email": "kein-at-zeichen"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not OutgoingEmail.objects.exists()

"""A staff member changes their own password at /verwaltung/konto/passwort/ (ASVS V6.2.2)."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.core.models import AuditEvent, OutgoingEmail
from tests.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory
from tests.support import current_code

PAGE = "/verwaltung/konto/passwort/"
NEW_PASSWORD = "Ein neuer Satz aus vielen Wörtern"


@pytest.fixture
def clerk(db):
    membership = MembershipFactory(
        org_unit__name="Bürgerbüro", user__email="clerk@barleben.example"
    )
    device = TOTPDeviceFactory(user=membership.user)
    return membership.user, device


def logged_in(user, device) -> Client:
    device.refresh_from_db()
    device.last_t = -1  # a second login within the same 30 s may use the same code again
    device.save(update_fields=["last_t"])
    client = Client()
    response = client.post(
        "/verwaltung/anmelden/", {"username": user.username, "password": PASSWORD}
    )
    client.post(response["Location"], {"token": current_code(device)})
    assert client.get("/verwaltung/").status_code == 200
    return client


def change(client: Client, current: str, new: str, again: str | None = None):
    data = {"current_password": current, "password1": new, "password2": again or new}
    return client.post(PAGE, data)


def test_the_page_needs_a_staff_login(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")


def test_a_change_keeps_this_session_ends_the_others_and_tells_the_holder(clerk):
    user, device = clerk
    here, elsewhere = logged_in(user, device), logged_in(user, device)
    page = here.get("/verwaltung/").content.decode()
    assert f'href="{PAGE}"' in page  # linked from the staff frame
    response = change(here, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/verwaltung/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert here.get("/verwaltung/").status_code == 200
    assert elsewhere.get("/verwaltung/").status_code == 302  # logged out
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "staff.password_changed" in actions
    (mail,) = OutgoingEmail.objects.filter(to="clerk@barleben.example")
    assert "Passwort" in mail.subject


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("falsch und nochmal falsch", NEW_PASSWORD, None, "Das aktuelle Passwort stimmt nicht."),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x", "nicht gleich"),
        (PASSWORD, "kurz", None, "zu kurz"),
        (PASSWORD, PASSWORD, None, "muss sich vom aktuellen unterscheiden"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(clerk, current, new, again, message):
    user, device = clerk
    client = logged_in(user, device)
    response = change(client, current, new, again)
    assert response.status_code == 200
    assert message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not OutgoingEmail.objects.exists()


def test_wrong_current_passwords_count_like_failed_logins(clerk, settings):
    user, device = clerk
    client = logged_in(user, device)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        assert change(client, "falsch falsch falsch", NEW_PASSWORD).status_code in (200, 429)
    refused = change(client, PASSWORD, NEW_PASSWORD)
    assert refused.status_code == 429
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="staff.password_change.failed").exists()

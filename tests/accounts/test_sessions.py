"""Sessions end after inactivity (citizens and staff) and after a fixed time (citizens);
"log out everywhere" ends every session of an account."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from rathaus.accounts.models import Account
from rathaus.core.models import AuditEvent
from tests.factories import PASSWORD as STAFF_PASSWORD
from tests.factories import MembershipFactory, TOTPDeviceFactory
from tests.support import current_code

EMAIL = "kim.beispiel@example.org"
PASSWORD = "ein langer satz als passwort"


@pytest.fixture
def citizen(db):
    user = get_user_model().objects.create_user(
        username=EMAIL, email=EMAIL, password=PASSWORD, first_name="Kim", last_name="Beispiel"
    )
    Account.objects.create(user=user, kind="person", email_verified_at=timezone.now())
    return user


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def log_in_citizen(client: Client) -> None:
    response = client.post("/konto/anmelden/", {"email": EMAIL, "password": PASSWORD})
    assert response["Location"] == "/konto/"


def expired_events(reason: str) -> int:
    return AuditEvent.objects.filter(action="session.expired", details__reason=reason).count()


def test_citizen_session_ends_after_15_idle_minutes(client, citizen, clock):
    log_in_citizen(client)
    clock.shift(timedelta(minutes=14))
    assert client.get("/konto/").status_code == 200
    clock.shift(timedelta(minutes=14))
    assert client.get("/konto/").status_code == 200  # activity restarted the idle clock

    clock.shift(timedelta(minutes=15, seconds=30))
    response = client.get("/konto/profil/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/anmelden/?next=%2Fkonto%2Fprofil%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Sie wurden nach 15 Minuten ohne Aktivität abgemeldet." in page
    assert expired_events("idle") == 1
    event = AuditEvent.objects.get(action="session.expired")
    assert event.actor_id == citizen.pk
    # Logged out for good, not only sent away once.
    assert client.get("/konto/")["Location"] == "/konto/anmelden/?next=%2Fkonto%2F"


def test_idle_time_is_configurable(client, citizen, clock, settings):
    settings.RATHAUS_CITIZEN_IDLE_MINUTES = 1
    log_in_citizen(client)
    clock.shift(timedelta(seconds=61))
    response = client.get("/konto/", follow=True)
    assert "Sie wurden nach 1 Minute ohne Aktivität abgemeldet." in response.content.decode()


def test_citizen_session_ends_after_the_absolute_limit_even_when_active(
    client, citizen, clock, settings
):
    settings.RATHAUS_CITIZEN_SESSION_HOURS = 2
    log_in_citizen(client)
    for _step in range(11):  # 110 minutes, never idle for long
        clock.shift(timedelta(minutes=10))
        assert client.get("/konto/").status_code == 200
    clock.shift(timedelta(minutes=11))
    response = client.get("/konto/", follow=True)
    assert response.redirect_chain[0][0] == "/konto/anmelden/?next=%2Fkonto%2F"
    assert "2 Stunden nach Ihrer Anmeldung abgemeldet" in response.content.decode()
    assert expired_events("absolute") == 1


def test_a_post_after_the_time_out_is_not_executed(client, citizen, clock):
    log_in_citizen(client)
    clock.shift(timedelta(minutes=16))
    response = client.post("/konto/profil/", {"first_name": "Neu", "last_name": "Name"})
    assert response["Location"] == "/konto/anmelden/"
    citizen.refresh_from_db()
    assert citizen.first_name == "Kim"


@pytest.fixture
def clerk(db):
    membership = MembershipFactory(org_unit__name="Standesamt")
    device = TOTPDeviceFactory(user=membership.user)
    return membership.user, device


def log_in_staff(client: Client, user, device) -> None:
    client.post("/verwaltung/anmelden/", {"username": user.username, "password": STAFF_PASSWORD})
    response = client.post("/verwaltung/anmelden/code/", {"token": current_code(device)})
    assert response["Location"] == "/verwaltung/"


def test_staff_session_ends_after_60_idle_minutes(client, clerk, clock):
    user, device = clerk
    log_in_staff(client, user, device)
    clock.shift(timedelta(minutes=59))
    assert client.get("/verwaltung/").status_code == 200  # the citizens' 15 minutes do not apply

    clock.shift(timedelta(minutes=61))
    response = client.get("/verwaltung/")
    assert response["Location"] == "/verwaltung/anmelden/?next=%2Fverwaltung%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Sie wurden nach 60 Minuten ohne Aktivität abgemeldet." in page
    assert AuditEvent.objects.get(action="session.expired").actor_id == user.pk
    assert client.get("/verwaltung/").status_code == 302


def test_staff_sessions_have_no_absolute_limit_of_citizens(client, clerk, clock):
    user, device = clerk
    log_in_staff(client, user, device)
    for _step in range(30):  # 15 hours, active every 30 minutes
        clock.shift(timedelta(minutes=30))
        assert client.get("/verwaltung/").status_code == 200


def test_log_out_everywhere_ends_all_sessions_of_the_account(citizen):
    laptop, phone = Client(), Client()
    log_in_citizen(laptop)
    log_in_citizen(phone)
    assert "/konto/abmelden/ueberall/" in phone.get("/konto/").content.decode()

    response = phone.post("/konto/abmelden/ueberall/")
    assert response["Location"] == "/konto/anmelden/"
    assert "auf allen Geräten abgemeldet" in phone.get("/konto/anmelden/").content.decode()
    assert phone.get("/konto/").status_code == 302

    response = laptop.get("/konto/", follow=True)
    assert response.redirect_chain[0][0] == "/konto/anmelden/?next=%2Fkonto%2F"
    assert "alle Sitzungen Ihres Kontos beendet" in response.content.decode()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "account.sessions.ended" in actions
    assert expired_events("revoked") == 1

    # A new login afterwards works normally.
    log_in_citizen(laptop)
    assert laptop.get("/konto/").status_code == 200


def test_log_out_everywhere_needs_post_and_a_login(client, citizen):
    assert client.post("/konto/abmelden/ueberall/").status_code == 302
    log_in_citizen(client)
    assert client.get("/konto/abmelden/ueberall/").status_code == 405
    assert client.get("/konto/").status_code == 200

"""Failed logins lock a user name for one client address only, and slow a user down (ADR 0022).

The client address is read like the rate limits read it: X-Forwarded-For counts only when the
connection comes from a trusted proxy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rathaus.accounts.models import LoginDelay
from rathaus.core.models import AuditEvent, OutgoingEmail
from tests.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory
from tests.support import current_code, human_check

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

PROXY = "10.0.0.1"
ATTACKER = "198.51.100.7"
OWNER = "203.0.113.5"


def attempt(client, username, password=PASSWORD, *, via=PROXY, client_ip=None):
    extra = {"REMOTE_ADDR": via}
    if client_ip is not None:
        extra["HTTP_X_FORWARDED_FOR"] = client_ip
    return client.post(
        "/verwaltung/anmelden/", {"username": username, "password": password}, **extra
    )


def logged_in_to_password_step(response) -> bool:
    return response.status_code == 302 and "/verwaltung/anmelden/" in response["Location"]


@pytest.fixture
def clerk(db):
    membership = MembershipFactory(user__email="clerk@barleben.example")
    return membership.user, TOTPDeviceFactory(user=membership.user)


@pytest.fixture
def behind_proxy(settings):
    settings.RATHAUS_TRUSTED_PROXIES = [PROXY]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # hours
    settings.RATHAUS_LOGIN_SLOWDOWN_AFTER = 20


def test_wrong_passwords_lock_the_attackers_address_not_the_owner(client, clerk, behind_proxy):
    user, _device = clerk
    for _ in range(5):
        attempt(client, user.username, "wrong", client_ip=ATTACKER)
    refused = attempt(client, user.username, client_ip=ATTACKER)
    assert refused.status_code == 429
    assert 850 <= int(refused["Retry-After"]) <= 900
    assert "Anmeldung vorübergehend gesperrt" in refused.content.decode()
    assert "15 Minuten" in refused.content.decode()
    # The owner comes through the same proxy from another address and is let in.
    assert logged_in_to_password_step(attempt(client, user.username, client_ip=OWNER))


def test_the_lock_ends_when_retry_after_says(client, clerk, behind_proxy):
    user, _device = clerk
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            attempt(client, user.username, "wrong", client_ip=ATTACKER)
        wait = int(attempt(client, user.username, client_ip=ATTACKER)["Retry-After"])
        clock.shift(timedelta(seconds=wait - 5))
        # Refused attempts during the lock do not make it longer.
        assert attempt(client, user.username, "wrong", client_ip=ATTACKER).status_code == 429
        clock.shift(timedelta(seconds=6))
        assert logged_in_to_password_step(attempt(client, user.username, client_ip=ATTACKER))


def test_an_untrusted_proxys_forwarded_for_is_ignored(client, clerk, behind_proxy):
    user, _device = clerk
    untrusted = "192.0.2.99"
    for number in range(5):
        attempt(client, user.username, "wrong", via=untrusted, client_ip=f"198.51.100.{number}")
    # A new made-up X-Forwarded-For does not help: the connection's address is locked.
    refused = attempt(client, user.username, via=untrusted, client_ip="198.51.100.200")
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert logged_in_to_password_step(attempt(client, user.username, client_ip=OWNER))


def test_many_addresses_slow_the_user_down_without_locking_out_the_owner(
    client, clerk, behind_proxy, settings
):
    settings.RATHAUS_LOGIN_SLOWDOWN_AFTER = 3
    settings.RATHAUS_LOGIN_SLOWDOWN_MAX_SECONDS = 4
    user, _device = clerk
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number in range(3):  # a botnet: each address tries once
            assert attempt(client, user.username, "wrong", client_ip=f"198.51.100.{number}").status_code == 200  # fmt: skip
        # The third failure reached the threshold: the next attempt must wait 1 s, 2 s, 4 s, 4 s.
        for expected_wait in (1, 2, 4, 4):
            refused = attempt(client, user.username, "wrong", client_ip="198.51.100.50")
            assert refused.status_code == 429
            assert refused["Retry-After"] == str(expected_wait)
            assert "verlangsamt" in refused.content.decode()
            clock.shift(timedelta(seconds=expected_wait))
            assert attempt(client, user.username, "wrong", client_ip="198.51.100.51").status_code == 200  # fmt: skip
        assert LoginDelay.objects.get(user=user).failures == 7  # refused attempts did not count
        # The owner waits at most the longest delay and is let in with the right password.
        assert attempt(client, user.username, client_ip=OWNER).status_code == 429
        clock.shift(timedelta(seconds=4))
        assert logged_in_to_password_step(attempt(client, user.username, client_ip=OWNER))
    # The holder was told once, when the slow-down began, and it was audited.
    email = OutgoingEmail.objects.get()
    assert email.to == "clerk@barleben.example"
    assert "langsamer" in email.text_body or "verlangsamt" in email.text_body
    assert AuditEvent.objects.filter(action="login.slowed_down").count() == 1


def test_staff_are_told_of_failed_attempts_at_their_next_login(client, clerk, behind_proxy):
    user, device = clerk
    for number in range(5):
        attempt(client, user.username, "wrong", client_ip=f"198.51.100.{number}")
    assert logged_in_to_password_step(attempt(client, user.username, client_ip=OWNER))
    response = client.post(
        "/verwaltung/anmelden/code/", {"token": current_code(device)}, follow=True,
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER,
    )  # fmt: skip
    html = response.content.decode()
    assert "5 fehlgeschlagene Anmeldeversuche" in html
    # Told once: the count starts again.
    assert not LoginDelay.objects.filter(user=user).exists()


def test_few_failures_are_not_worth_a_notice(client, clerk, behind_proxy):
    user, device = clerk
    attempt(client, user.username, "wrong", client_ip=OWNER)
    attempt(client, user.username, client_ip=OWNER)
    response = client.post(
        "/verwaltung/anmelden/code/", {"token": current_code(device)}, follow=True,
        REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER,
    )  # fmt: skip
    assert "fehlgeschlagene" not in response.content.decode()
    assert not LoginDelay.objects.exists()


def test_registration_limit_answers_with_retry_after(client, db, settings):
    settings.RATHAUS_REGISTRATION_LIMIT_PER_HOUR = 0
    data = {
        "kind": "person", "first_name": "Kim", "last_name": "Beispiel",
        "email": "kim@example.org", "password1": "ein langer satz als passwort",
        "password2": "ein langer satz als passwort", "privacy": "on", **human_check(),
    }  # fmt: skip
    response = client.post("/konto/registrieren/", data)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600

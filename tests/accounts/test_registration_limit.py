"""Registrations per IP address and hour are limited; the limit is kept in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from rathaus.core.models import AuditEvent
from tests.support import human_check

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

PASSWORD = "ein langer satz als passwort"


def register(client, number: int, ip: str = "192.0.2.1"):
    data = {
        "kind": "person", "first_name": "Kim", "last_name": "Beispiel",
        "email": f"kim{number}@example.org", "password1": PASSWORD, "password2": PASSWORD,
        "privacy": "on", **human_check(),
    }  # fmt: skip
    return client.post("/konto/registrieren/", data, REMOTE_ADDR=ip)


@pytest.fixture
def limit_two(settings):
    settings.RATHAUS_REGISTRATION_LIMIT_PER_HOUR = 2


def test_too_many_registrations_from_one_address_get_429(client, db, limit_two):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert register(client, 1).status_code == 302
        assert register(client, 2).status_code == 302
        response = register(client, 3)
        assert response.status_code == 429
        assert "Zu viele Registrierungen" in response.content.decode()
        assert AuditEvent.objects.filter(action="account.register.throttled").count() == 1
        # Another address is not affected.
        assert register(client, 4, ip="192.0.2.2").status_code == 302
        # An hour later the address may register again.
        clock.shift(timedelta(minutes=61))
        assert register(client, 5).status_code == 302


def test_invalid_forms_do_not_count(client, db, limit_two):
    for _attempt in range(3):
        assert client.post("/konto/registrieren/", {"email": "x"}).status_code == 200
    assert register(client, 1).status_code == 302

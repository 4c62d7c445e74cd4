"""The appointment API: free times, holds with proof-of-work, confirm and cancel, problems."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from rathaus.appointments import services
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import Booking
from rathaus.core.models import OutgoingEmail
from tests.support import APPOINTMENTS_API as BASE
from tests.support import api_post as post
from tests.support import solved, token_from_mail

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def hold(client, kind, start, email="api@example.org", **overrides):
    body = {"type": kind.pk, "location": kind.location.slug, "start": start.isoformat(),
            "name": "Ada Api", "email": email, "altcha": solved(client), **overrides}  # fmt: skip
    return post(client, f"{BASE}/bookings", body)


def test_availability_lists_the_free_times_like_the_pages(client, passport):
    today = dt.datetime.now(TZ).date()
    response = client.get(f"{BASE}/availability", {"type": passport.pk, "location": "buergerbuero",
                                                     "from": today, "to": today + dt.timedelta(20)})  # fmt: skip
    assert response.status_code == 200
    body = response.json()
    expected = free_slots(passport, today, today + dt.timedelta(20))
    assert [dt.datetime.fromisoformat(s["start"]) for s in body["slots"]] == [
        slot.start for slot in expected
    ]
    assert body["slots"][0]["free"] == len(expected[0].resource_ids)
    first = body["slots"][0]
    assert dt.datetime.fromisoformat(first["end"]) - dt.datetime.fromisoformat(
        first["start"]
    ) == dt.timedelta(minutes=passport.duration_minutes)
    assert body["from"] == today.isoformat()


def test_availability_problems(client, passport):
    wrong = client.get(f"{BASE}/availability", {"type": passport.pk, "location": "woanders"})
    assert wrong.status_code == 404
    assert wrong["Content-Type"] == "application/problem+json"
    too_long = client.get(f"{BASE}/availability", {"type": passport.pk, "location": "buergerbuero",
                                                    "from": "2026-01-01", "to": "2026-06-01"})  # fmt: skip
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "query.to"
    missing = client.get(f"{BASE}/availability", {"location": "buergerbuero"})
    assert missing.status_code == 422
    assert missing["Content-Type"] == "application/problem+json"


def test_hold_confirm_and_cancel_through_the_api(client, passport):
    start = free_slots(passport)[0].start
    response = hold(client, passport, start)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "held"
    assert "token" not in json.dumps(body).lower()  # the token only travels by e-mail
    assert dt.datetime.fromisoformat(body["start"]) == start
    token = token_from_mail("api@example.org")
    confirmed = post(client, f"{BASE}/bookings/{token}/confirm")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    confirmation = OutgoingEmail.objects.filter(to="api@example.org").latest("id")
    assert confirmation.attachments.get().filename == "termin.ics"
    again = post(client, f"{BASE}/bookings/{token}/confirm")
    assert again.status_code == 200
    assert OutgoingEmail.objects.filter(to="api@example.org").count() == 2  # no second e-mail
    cancelled = post(client, f"{BASE}/bookings/{token}/cancel")
    assert cancelled.json()["status"] == "cancelled"
    twice = post(client, f"{BASE}/bookings/{token}/cancel")
    assert twice.status_code == 409
    assert twice["Content-Type"] == "application/problem+json"
    assert post(client, f"{BASE}/bookings/{token}/confirm").status_code == 409
    assert post(client, f"{BASE}/bookings/{'x' * 43}/cancel").status_code == 404


def test_an_expired_hold_is_gone(client, passport, settings):
    settings.RATHAUS_APPOINTMENT_HOLD_MINUTES = 1
    hold(client, passport, free_slots(passport)[0].start)
    token = token_from_mail("api@example.org")
    Booking.objects.update(hold_expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    assert post(client, f"{BASE}/bookings/{token}/confirm").status_code == 410


def test_hold_problems(client, passport):
    slot = free_slots(passport)[0]
    for n, _desk in enumerate(slot.resource_ids):
        services.book(passport, slot.start, name="S", email=f"s{n}@example.org")
    taken = hold(client, passport, slot.start)
    assert taken.status_code == 409
    problem = taken.json()
    assert "von jemand anderem gebucht" in problem["detail"]
    assert problem["nearest"]
    assert all(dt.datetime.fromisoformat(moment) != slot.start for moment in problem["nearest"])

    later = free_slots(passport)[0].start
    no_proof = hold(client, passport, later, altcha="bm9wZQ==")
    assert no_proof.status_code == 422
    assert no_proof.json()["errors"][0]["field"] == "body.altcha"
    reused = solved(client)
    assert hold(client, passport, later, altcha=reused, email="r@example.org").status_code == 202
    assert hold(client, passport, free_slots(passport)[0].start, altcha=reused,
                email="r2@example.org").status_code == 422  # fmt: skip
    assert hold(client, passport, later, email="kein").json()["errors"][0]["field"] == "body.email"
    assert hold(client, passport, later, phone="12").json()["errors"][0]["field"] == "body.phone"
    naive = hold(client, passport, later.replace(tzinfo=None))
    assert naive.json()["errors"][0]["field"] == "body.start"
    off_grid = hold(client, passport, later + dt.timedelta(minutes=5))
    assert off_grid.status_code == 422
    assert off_grid.json()["title"] == "Invalid slot"
    extra = hold(client, passport, later, admin=True)
    assert extra.status_code == 422
    for n in range(2):
        hold(client, passport, free_slots(passport)[n].start, email="max@example.org")
    limit = hold(client, passport, free_slots(passport)[0].start, email="max@example.org")
    assert limit.status_code == 409
    assert limit.json()["errors"][0]["field"] == "body.email"


def test_the_api_has_the_same_rate_limits(client, passport, settings):
    settings.RATHAUS_RATE_LIMIT_AVAILABILITY = 2
    query = {"type": passport.pk, "location": "buergerbuero"}
    assert [client.get(f"{BASE}/availability", query).status_code for _ in range(2)] == [200, 200]
    limited = client.get(f"{BASE}/availability", query)
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 60
    # The pages count in the same window: the calendar is limited now too.
    assert client.get(f"/termine/buergerbuero/{passport.pk}/").status_code == 429


def test_the_endpoints_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/appointments/availability", "/api/v1/appointments/bookings",
                 "/api/v1/appointments/bookings/{token}/confirm",
                 "/api/v1/appointments/bookings/{token}/cancel"):  # fmt: skip
        assert path in paths
    assert "429" in paths["/api/v1/appointments/bookings"]["post"]["responses"]


@pytest.mark.parametrize("method", ["get", "put"])
def test_wrong_methods_are_problems(client, db, method):
    response = getattr(client, method)(f"{BASE}/bookings")
    assert response.status_code == 405

"""A clerk of the Bürgerbüro works the day's appointments in a real browser, with axe checks.

Day list → check in on arrival (waiting number) → call the number to a desk, which the public
call-up display shows without the name → done.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, Page, expect

from rathaus.appointments.availability import TZ
from rathaus.appointments.models import AppointmentType, Booking, Ticket
from rathaus.appointments.services import token_hash
from rathaus.core.demo import DEMO_PASSWORD
from tests.support import CODE_LABEL, current_code, log_in_with_password

Check = Callable[[Page], None]


def booking_today() -> Booking:
    """A confirmed appointment that began a few minutes ago (bookings cannot be made for the
    past through the booking pages, so it is written as the booking service would leave it)."""
    kind = AppointmentType.objects.select_related("location").get(
        location__slug="buergerbuero", slug="meldebescheinigung"
    )
    now = timezone.localtime(timezone.now(), TZ).replace(second=0, microsecond=0)
    midnight = now.replace(hour=0, minute=0)
    start = max(now - dt.timedelta(minutes=10 + now.minute % 5), midnight)
    end = start + dt.timedelta(minutes=kind.duration_minutes)
    return Booking.objects.create(
        appointment_type=kind, location=kind.location, resource=kind.resources.get(name="Schalter 1"),
        start=start, end=end, blocked_until=end, status=Booking.Status.CONFIRMED,
        name="Erika Muster", email="erika.muster@example.org",
        token_hash=token_hash(secrets.token_urlsafe(32)), confirmed_at=start,
    )  # fmt: skip


def test_clerk_checks_in_calls_up_and_finishes_an_appointment(
    page: Page, server: str, assert_accessible: Check, new_context: Callable[..., BrowserContext]
) -> None:
    booking = booking_today()
    time = f"{timezone.localtime(booking.start, TZ):%H:%M}"

    page.goto(f"{server}/verwaltung/termine/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Termine")
    expect(page.get_by_role("link", name="Standesamt Barleben")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Bürgerbüro Barleben").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bürgerbüro Barleben")
    row = page.get_by_role("row").filter(has_text="Erika Muster").filter(has_text=time)
    expect(row).to_contain_text("Meldebescheinigung")
    expect(row).to_contain_text("bestätigt")
    assert_accessible(page)

    page.get_by_role("button", name=f"Ankunft erfassen Erika Muster {time}").click()
    expect(page.get_by_role("status").first).to_contain_text("Wartenummer: 1")
    expect(page.get_by_role("heading", name="1 Person wartet")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Ihr Schalter").select_option(label="Schalter 2")
    page.get_by_role("button", name="Nächste Nummer aufrufen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Nummer 1 ist an Schalter 2 aufgerufen."
    )
    expect(row).to_contain_text("aufgerufen, Nummer 1")
    assert_accessible(page)

    screen = new_context().new_page()
    response = screen.goto(f"{server}/aufruf/buergerbuero/")
    assert response is not None
    assert response.headers["refresh"] == "10"  # reloads itself, also without JavaScript
    expect(screen.get_by_role("heading", level=1)).to_have_text("Bürgerbüro Barleben")
    expect(screen.locator(".callup__now")).to_have_text("1 → Schalter 2")
    content = screen.content()
    assert "Erika" not in content
    assert "Muster" not in content
    assert_accessible(screen)

    page.get_by_role("button", name="Erledigt 1", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("Nummer 1 ist erledigt.")
    expect(row).to_contain_text("erledigt")
    assert_accessible(page)

    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.DONE
    ticket = Ticket.objects.get(booking=booking)
    assert ticket.status == Ticket.Status.DONE
    assert ticket.desk is not None
    assert ticket.desk.name == "Schalter 2"


def test_week_blocked_times_day_cancellation_and_statistics_pages(
    page: Page, server: str, assert_accessible: Check
) -> None:
    booking = booking_today()
    page.goto(f"{server}/verwaltung/termine/{booking.location_id}/woche/")
    log_in_with_password(page, "buergerbuero", DEMO_PASSWORD)
    device = TOTPDevice.objects.get(user__username="buergerbuero", confirmed=True)
    page.get_by_label(CODE_LABEL).fill(current_code(device))
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Woche vom")
    expect(page.get_by_role("cell", name="Erika Muster")).to_be_visible()
    # The subline stands under the heading's text, not run into it.
    heading = page.evaluate(
        """() => { const h = document.querySelector('h1'), s = h.querySelector('.kern-subline');
                   const r = document.createRange(); r.selectNodeContents(h.firstChild);
                   return [r.getBoundingClientRect().bottom, s.getBoundingClientRect().top]; }"""
    )
    assert heading[1] >= heading[0] - 1, heading
    assert_accessible(page)

    page.get_by_role("link", name="Sperrzeiten").click()
    page.get_by_label("Schalter oder Person").select_option(label="Schalter 2")
    page.get_by_label("Datum").fill("2099-01-05")  # a Monday far ahead, nothing booked
    page.get_by_label("Von").fill("10:00")
    page.get_by_label("Bis").fill("09:00")
    page.get_by_label("Grund").fill("Teamsitzung")
    page.get_by_role("button", name="Zeit sperren").click()
    expect(page.get_by_role("alert")).to_contain_text("Das Ende muss nach dem Beginn liegen.")
    assert_accessible(page)
    page.get_by_label("Bis").fill("11:00")
    page.get_by_role("button", name="Zeit sperren").click()
    expect(page.get_by_role("status").first).to_contain_text("Schalter 2 ist am")

    page.get_by_role("link", name="Tag absagen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tag absagen")
    assert_accessible(page)
    page.get_by_label("Datum").fill("2099-01-06")
    page.get_by_label("Grund").fill("Betriebsausflug")
    page.get_by_role("button", name="Weiter").click()
    expect(page.get_by_role("status").first).to_contain_text("0 Termine werden abgesagt")
    assert_accessible(page)
    page.get_by_role("button", name="Tag jetzt absagen").click()
    expect(page.get_by_role("status").first).to_contain_text("Der Tag ist geschlossen.")

    page.get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistik")
    expect(page.get_by_role("img", name="Auslastung je Tag")).to_be_visible()
    assert_accessible(page)

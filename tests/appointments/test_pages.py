"""The citizen's booking pages under /termine/ with the Django test client."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from rathaus.appointments import services
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import Booking
from rathaus.core.models import OutgoingEmail
from tests.support import APPOINTMENT_EMAIL as EMAIL
from tests.support import details_url, link, person_check, reserve


def test_the_whole_flow_book_confirm_ics_and_cancel_twice(client, passport):
    index = client.get("/termine/")
    assert index.status_code == 200
    assert "Bürgerbüro Barleben" in index.text
    assert "Reisepass beantragen" in index.text
    assert "biometrisches Passfoto" in index.text  # documents to bring
    month_url = reverse("appointments:month", args=["buergerbuero", passport.pk])
    assert month_url in index.text

    start = free_slots(passport)[0].start
    local = start.astimezone(TZ)
    month = client.get(month_url, {"monat": f"{local:%Y-%m}"})
    assert month.status_code == 200
    assert "<caption" in month.text
    day_url = reverse("appointments:day", args=["buergerbuero", passport.pk, f"{local:%Y-%m-%d}"])
    assert day_url in month.text
    day = client.get(day_url)
    assert details_url(passport, start) in day.text

    held = reserve(client, passport, start)
    assert held.status_code == 302
    assert held.url == reverse("appointments:held")
    assert EMAIL in client.get(held.url).text
    booking = Booking.objects.get(email=EMAIL)
    assert booking.status == Booking.Status.HELD
    assert booking.start == start
    hold = booking.hold_expires_at - booking.created_at
    assert dt.timedelta(minutes=14) < hold <= dt.timedelta(minutes=15, seconds=5)

    mail = OutgoingEmail.objects.get(to=EMAIL)
    confirm_url = link(mail, "bestaetigen/")
    assert "Reisepass beantragen" in mail.text_body
    # Opening the link (a mail scanner may do that) does not confirm; the button does.
    assert client.get(confirm_url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.HELD
    confirmed = client.post(confirm_url)
    manage_url = confirmed.url
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    confirmation = OutgoingEmail.objects.filter(to=EMAIL).exclude(pk=mail.pk).get()
    assert manage_url in confirmation.text_body
    assert "biometrisches Passfoto" in confirmation.text_body

    manage = client.get(manage_url)
    assert manage.status_code == 200
    assert "bestätigt" in manage.text
    ics_url = reverse("appointments:ics", args=[manage_url.strip("/").split("/")[-1]])
    assert ics_url in manage.text
    download = client.get(ics_url)
    assert download["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(download.content)
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == start
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
    assert "Ernst-Thälmann-Straße 22" in str(event["location"])
    assert "biometrisches Passfoto" in str(event["description"])

    cancel_url = reverse("appointments:cancel", args=[manage_url.strip("/").split("/")[-1]])
    assert "Termin wirklich absagen?" in client.get(cancel_url).text
    first = client.post(cancel_url, follow=True)
    assert "Ihr Termin ist abgesagt" in first.text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    second = client.post(cancel_url, follow=True)
    assert "bereits abgesagt" in second.text
    assert booking.start in [slot.start for slot in free_slots(passport)]


def test_a_forged_or_unknown_link_is_a_404(client, barleben):
    forged = "x" * 43
    for name in ("manage", "confirm", "cancel", "ics"):
        assert client.get(reverse(f"appointments:{name}", args=[forged])).status_code == 404
    assert client.post(reverse("appointments:cancel", args=[forged])).status_code == 404


def test_a_slot_taken_meanwhile_shows_the_day_with_the_nearest_free_times(client, passport):
    start = free_slots(passport)[0].start
    page = client.get(details_url(passport, start))
    for n in range(2):  # both desks
        services.book(passport, start, name="Schnell", email=f"schnell{n}@example.org")
    data = {"name": "Erika Muster", "email": EMAIL, **person_check(page.text)}
    response = client.post(details_url(passport, start), data)
    assert response.status_code == 409
    assert "wurde gerade eben von jemand anderem gebucht" in response.text
    assert "nächsten freien Zeiten" in response.text
    following = free_slots(passport)[0].start
    assert details_url(passport, following) in response.text
    assert not Booking.objects.filter(email=EMAIL).exists()


def test_invalid_times_and_too_many_bookings_have_clear_messages(client, passport):
    past = timezone.localtime(timezone.now(), TZ) - dt.timedelta(days=1)
    past = past.replace(hour=9, minute=0, second=0, microsecond=0)
    response = reserve(client, passport, past)
    assert response.status_code == 400
    assert "kann nicht gebucht werden" in response.text

    slots = free_slots(passport)
    for slot in slots[:2]:
        services.book(passport, slot.start, name="Erika", email=EMAIL)
    response = reserve(client, passport, slots[2].start)
    assert response.status_code == 409
    assert "Höchstzahl" in response.text


def test_the_details_form_shows_errors_and_needs_the_person_check(client, passport):
    url = details_url(passport, free_slots(passport)[0].start)
    response = client.post(url, {"name": "", "email": "kein-email"})
    assert response.status_code == 200
    assert 'id="error-summary"' in response.text
    assert 'href="#id_name"' in response.text
    response = client.post(url, {"name": "Erika", "email": EMAIL, "question_answer": "99"})
    assert "Bitte bestätigen Sie, dass Sie ein Mensch sind" in response.text
    assert not Booking.objects.exists()


def test_the_calendar_marks_christmas_as_closed_and_limits_the_months(client, passport):
    location = passport.location
    location.booking_horizon_days = 800
    location.save()
    today = timezone.localtime(timezone.now(), TZ).date()
    year = today.year if today < dt.date(today.year, 12, 25) else today.year + 1
    christmas = dt.date(year, 12, 25)
    url = reverse("appointments:month", args=["buergerbuero", passport.pk])
    page = client.get(url, {"monat": f"{christmas:%Y-%m}"})
    cell = re.search(r'<td class="[^"]*--(\w+)">(?:(?!</td>).)*?>25<.*?</td>', page.text, re.S)
    assert cell is not None
    assert cell.group(1) == "closed"
    assert "Geschlossen: Erster Weihnachtstag" in cell.group(0)  # the holiday, by name

    location.booking_horizon_days = 10
    location.save()
    now = client.get(url)
    assert "Vorheriger Monat" not in now.text
    far = client.get(url, {"monat": f"{today.year + 3}-01"})  # beyond the horizon: this month
    assert far.status_code == 200
    assert f"?monat={today:%Y-%m}" not in far.text


def test_a_month_without_free_times_explains_why(client, passport):
    location = passport.location
    location.booking_horizon_days = 1
    location.save()
    Booking.objects.all().delete()
    for i, slot in enumerate(free_slots(passport)):  # everything within the horizon is taken
        for n, _resource in enumerate(slot.resource_ids):
            services.book(passport, slot.start, name="X", email=f"x{i}-{n}@example.org")
    page = client.get(reverse("appointments:month", args=["buergerbuero", passport.pk]))
    assert page.status_code == 200
    assert "In diesem Monat sind keine Zeiten frei" in page.text
    assert "bis zu 1 Tage im Voraus" in page.text
    assert "Nächster Monat" not in page.text or "monat=" in page.text


def test_navigation_has_appointments(client, barleben):
    assert 'href="/termine/"' in client.get("/").text


def test_too_many_requests_get_a_friendly_page_with_retry_after(client, passport, settings):
    settings.RATHAUS_RATE_LIMIT_AVAILABILITY = 3
    url = reverse("appointments:month", args=["buergerbuero", passport.pk])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(url)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert "Zu viele Anfragen" in limited.text
    assert "Bitte versuchen Sie es in 1 Minute noch einmal" in limited.text
    # Another client address has its own limit.
    assert client.get(url, REMOTE_ADDR="192.0.2.44").status_code == 200


def test_booking_attempts_are_limited_per_hour(client, passport, settings):
    settings.RATHAUS_RATE_LIMIT_BOOKING = 2
    slots = free_slots(passport)
    for n in range(2):
        response = reserve(client, passport, slots[n].start, email=f"p{n}@example.org")
        assert response.status_code == 302
    page = client.get(details_url(passport, slots[2].start))  # showing the form is not limited
    assert page.status_code == 200
    data = {"name": "E", "email": "p2@example.org", **person_check(page.text)}
    limited = client.post(details_url(passport, slots[2].start), data)
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 3600  # until the hour's window ends
    assert Booking.objects.count() == 2

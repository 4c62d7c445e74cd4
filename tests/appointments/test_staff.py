"""The staff side under /verwaltung/termine/ and the call-up display, with the test client.

The clock stands on a Monday morning in the Barleben demo (Bürgerbüro: two desks, 9–12 Uhr).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rathaus.appointments import services, staff_services
from rathaus.appointments.availability import free_slots
from rathaus.appointments.models import (
    AppointmentType,
    Block,
    Booking,
    Closure,
    Location,
    NoShowCount,
    Occupancy,
    PersonQuota,
    Ticket,
)
from rathaus.core.models import AuditEvent, OutgoingEmail
from tests.support import berlin, log_in

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

DAY = dt.date(2026, 11, 30)  # a Monday without holiday
EVE = berlin(DAY - dt.timedelta(days=1), 18)


@pytest.fixture
def clock():
    with time_machine.travel(berlin(DAY, 8, 30), tick=True) as traveller:
        yield traveller


@pytest.fixture
def office(barleben) -> Location:
    return Location.objects.get(authority=barleben, slug="buergerbuero")


def kind(location: Location, slug: str = "meldebescheinigung") -> AppointmentType:
    """Meldebescheinigung: 10 minutes without buffer, a slot every 10 minutes."""
    return AppointmentType.objects.get(location=location, slug=slug)


def confirmed(location, start, email, name="Erika Muster", slug="meldebescheinigung") -> Booking:
    held = services.book(kind(location, slug), start, name=name, email=email, now=EVE)
    return services.confirm(held.manage_token, now=EVE)


def day_url(location: Location, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/verwaltung/termine/{location.pk}/" + (f"?{query}" if query else "")


def act(client: Client, location: Location, **data) -> str:
    response = client.post(f"/verwaltung/termine/{location.pk}/aktion/", data, follow=True)
    assert response.status_code == 200
    return response.text


def test_staff_see_only_locations_of_their_units(office, clock):
    registry = Location.objects.get(authority=office.authority, slug="standesamt")
    clerk = log_in(Client(), "buergerbuero")
    page = clerk.get("/verwaltung/termine/")
    assert "Bürgerbüro Barleben" in page.text
    assert "Standesamt Barleben" not in page.text
    assert clerk.get(day_url(office)).status_code == 200
    assert clerk.get(day_url(registry)).status_code == 404
    assert clerk.post(f"/verwaltung/termine/{registry.pk}/aktion/", {}).status_code == 404
    for path in ("woche/", "sperrzeiten/", "tag-absagen/", "statistik/"):
        assert clerk.get(f"/verwaltung/termine/{registry.pk}/{path}").status_code == 404

    registrar = log_in(Client(), "standesamt")
    assert registrar.get(day_url(office)).status_code == 404
    assert registrar.get(day_url(registry)).status_code == 200
    # A unit above the location's unit sees it too: Bereich Digitales → Digitalwerkstatt.
    workshop = Location.objects.get(authority=office.authority, slug="digitalwerkstatt")
    assert log_in(Client(), "digitales").get(day_url(workshop)).status_code == 200
    # A member of another authority's unit sees none of Barleben's locations.
    assert log_in(Client(), "versammlung").get(day_url(office)).status_code == 404
    # Not logged in: to the login page.
    response = Client().get(day_url(office))
    assert response.status_code == 302
    assert response["Location"].startswith("/verwaltung/anmelden/")


def test_the_desk_journey_check_in_call_done_and_no_show(office, clock):
    first = confirmed(office, berlin(DAY, 9), "erika@example.org")
    second = confirmed(office, berlin(DAY, 9, 20), "max@example.org", name="Max Muster")
    absent = confirmed(office, berlin(DAY, 9, 20), "Absent@Example.org", name="Paula Fern")
    clerk = log_in(Client(), "buergerbuero")
    page = clerk.get(day_url(office)).text
    assert all(name in page for name in ("Erika Muster", "Max Muster", "Paula Fern"))

    text = act(clerk, office, action="check_in", booking=second.pk)
    assert "Wartenummer: 1" in text
    assert "Wartenummer: 2" in act(clerk, office, action="check_in", booking=first.pk)
    # Checking in twice gives the same number.
    assert "Wartenummer: 1" in act(clerk, office, action="check_in", booking=second.pk)
    walk_in_type = kind(office, "meldebescheinigung")
    text = act(clerk, office, action="walk_in", appointment_type=walk_in_type.pk)
    assert "Wartenummer W1" in text or "W1" in text
    assert Ticket.objects.get(series="W").appointment_type == walk_in_type

    desk = office.resources.get(name="Schalter 2")
    # The next is whoever is due first: Erika's appointment (9:00) before Max's (9:20), though
    # Max checked in first; the walk-in (8:30) came before both.
    order = []
    for _ in range(3):
        act(clerk, office, action="call_next", desk=desk.pk)
        order.append(Ticket.objects.filter(status="called").latest("called_at").label)
        Ticket.objects.filter(status="called").update(status="done")
    assert order == ["W1", "2", "1"]
    assert "Niemand wartet." in act(clerk, office, action="call_next", desk=desk.pk)

    Ticket.objects.update(status="called")
    ticket = Ticket.objects.get(booking=first)
    display = Client().get(f"/aufruf/{office.slug}/")
    assert display.status_code == 200
    assert display["Refresh"] == "10"
    assert "Refresh" not in Client().get(f"/aufruf/{office.slug}/?anhalten")
    assert "Schalter 2" in display.text
    for name in ("Erika", "Max", "Paula", "Muster", "erika@example.org"):
        assert name not in display.text

    act(clerk, office, action="finish", ticket=ticket.pk)
    first.refresh_from_db()
    ticket.refresh_from_db()
    assert (first.attendance, ticket.status) == ("done", "done")
    assert ticket.finished_at is not None

    clock.move_to(berlin(DAY, 9, 25))  # within the staff session's 60 minutes
    act(clerk, office, action="no_show", booking=absent.pk)
    absent.refresh_from_db()
    assert absent.attendance == "no_show"
    counter = NoShowCount.objects.get(email="absent@example.org")
    assert counter.count == 1
    assert "bereits abgeschlossen" in act(clerk, office, action="no_show", booking=absent.pk)
    assert NoShowCount.objects.get(email="absent@example.org").count == 1
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "appointments.checked_in", "appointments.walk_in", "appointments.called",
        "appointments.done", "appointments.no_show",
    } <= actions  # fmt: skip


def test_no_show_cannot_be_marked_before_the_appointment(office, clock):
    later = confirmed(office, berlin(DAY, 11), "later@example.org")
    clerk = log_in(Client(), "buergerbuero")
    text = act(clerk, office, action="no_show", booking=later.pk)
    assert "erst nach Beginn" in text
    later.refresh_from_db()
    assert later.attendance == ""


def test_only_todays_confirmed_appointments_are_checked_in(office, clock):
    tomorrow = confirmed(office, berlin(DAY + dt.timedelta(days=1), 9), "t@example.org")
    held = services.book(kind(office), berlin(DAY, 9, 20), name="H", email="h@example.org", now=EVE)
    clerk = log_in(Client(), "buergerbuero")
    assert "nur für Termine von heute" in act(clerk, office, action="check_in", booking=tomorrow.pk)
    assert "nur für bestätigte Termine" in act(clerk, office, action="check_in", booking=held.pk)
    assert not Ticket.objects.exists()
    assert "Bitte wählen Sie Ihren Schalter." in act(clerk, office, action="call_next", desk="x")


def test_cancelling_a_day_notifies_everyone_frees_the_slots_and_is_audited(office, clock):
    monday_noon_bookings = [
        confirmed(office, berlin(DAY, 10), "anna@example.org", name="Anna"),
        confirmed(office, berlin(DAY, 10), "bert@example.org", name="Bert"),  # other desk
        confirmed(office, berlin(DAY, 11, 10), "carla@example.org", name="Carla"),
    ]
    unconfirmed = services.book(
        kind(office), berlin(DAY, 11, 40), name="Dora", email="dora@example.org",
        now=berlin(DAY, 9, 25),
    )  # fmt: skip
    earlier = confirmed(office, berlin(DAY, 9), "early@example.org")  # already begun at 9:30
    other_day = confirmed(office, berlin(DAY + dt.timedelta(days=1), 10), "tue@example.org")
    clock.move_to(berlin(DAY, 9, 30))
    OutgoingEmail.objects.all().delete()
    clerk = log_in(Client(), "buergerbuero")
    url = f"/verwaltung/termine/{office.pk}/tag-absagen/"

    form = clerk.get(url)
    assert form.status_code == 200
    # The date picker proposes today, in the ISO form <input type="date"> understands.
    assert f'type="date" name="date" value="{DAY.isoformat()}"' in form.text
    missing = clerk.post(url, {"step": "check", "date": DAY.isoformat(), "reason": ""})
    assert "Dieses Feld ist zwingend erforderlich." in missing.text

    preview = clerk.post(url, {"step": "check", "date": DAY.isoformat(), "reason": "Krankheit"})
    assert preview.status_code == 200
    assert "4 Termine werden abgesagt" in preview.text
    assert Booking.objects.filter(status="cancelled").count() == 0  # nothing happened yet

    done = clerk.post(
        url, {"step": "confirm", "date": DAY.isoformat(), "resource": "", "reason": "Krankheit"}
    )
    assert done.status_code == 302
    affected = [*monday_noon_bookings, unconfirmed]
    for booking in affected:
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        assert not Occupancy.objects.filter(booking=booking).exists()
    earlier.refresh_from_db()
    other_day.refresh_from_db()
    assert earlier.status == other_day.status == "confirmed"
    assert PersonQuota.objects.get(email="anna@example.org").active == 0

    mails = OutgoingEmail.objects.order_by("to")
    assert [mail.to for mail in mails] == sorted(b.email for b in affected)
    assert all("Krankheit" in mail.text_body for mail in mails)
    assert all("http://testserver/termine/" in mail.text_body for mail in mails)
    assert "abgesagt" in mails[0].subject

    assert Closure.objects.filter(location=office, resource=None, date=DAY).exists()
    assert free_slots(kind(office), DAY, DAY) == []
    event = AuditEvent.objects.get(action="appointments.day_cancelled")
    assert event.actor.username == "buergerbuero"
    assert sorted(event.details["cancelled"]) == sorted(b.pk for b in affected)
    assert event.details["reason"] == "Krankheit"
    follow = clerk.get(done["Location"])
    assert "4 Termine wurden abgesagt" in follow.text


def test_cancelling_one_desk_keeps_the_other(office, clock):
    desk_one = office.resources.get(name="Schalter 1")
    bookings = [
        confirmed(office, berlin(DAY, 10), "a@example.org"),
        confirmed(office, berlin(DAY, 10), "b@example.org"),
    ]
    cancelled = staff_services.cancel_day(
        office, DAY, "Schulung", None, resource=desk_one, portal_url="http://x/termine/"
    )
    assert cancelled.cancelled == 1
    states = {b.resource_id: Booking.objects.get(pk=b.pk).status for b in bookings}
    assert states[desk_one.pk] == "cancelled"
    assert sorted(states.values()) == ["cancelled", "confirmed"]
    slots = free_slots(kind(office), DAY, DAY)
    assert slots
    assert all(desk_one.pk not in slot.resource_ids for slot in slots)


def test_cancelling_a_day_with_one_appointment_says_so_in_the_singular(office, clock):
    confirmed(office, berlin(DAY, 10), "a@example.org")
    clerk = log_in(Client(), "buergerbuero")
    data = {"step": "confirm", "date": DAY.isoformat(), "resource": "", "reason": "Krankheit"}
    page = clerk.post(f"/verwaltung/termine/{office.pk}/tag-absagen/", data, follow=True)
    assert "1 Termin wurde abgesagt. Die betroffene Person erhält eine E-Mail." in page.text


def test_a_blocked_time_is_not_offered_and_bookings_in_it_are_reported(office, clock):
    desk = office.resources.get(name="Schalter 1")
    other = office.resources.get(name="Schalter 2")
    kept = confirmed(office, berlin(DAY, 10, 40), "kept@example.org")
    clerk = log_in(Client(), "buergerbuero")
    url = f"/verwaltung/termine/{office.pk}/sperrzeiten/"
    wrong = clerk.post(url, {"resource": desk.pk, "date": DAY.isoformat(), "start": "11:00",
                             "end": "10:00", "reason": "Teamsitzung"})  # fmt: skip
    assert "Das Ende muss nach dem Beginn liegen." in wrong.text
    data = {"resource": kept.resource_id, "date": DAY.isoformat(), "start": "10:00",
            "end": "11:00", "reason": "Teamsitzung"}  # fmt: skip
    page = clerk.post(url, data, follow=True)
    assert "Teamsitzung" in page.text
    assert "10:40 Erika Muster" in page.text  # reported, not lost
    kept.refresh_from_db()
    assert kept.status == "confirmed"
    blocked = Block.objects.get()
    blocked_desk = blocked.resource
    for slot in free_slots(kind(office), DAY, DAY):
        if berlin(DAY, 10) <= slot.start < berlin(DAY, 11):
            assert blocked_desk.pk not in slot.resource_ids
    free_desk = other if blocked_desk == desk else desk
    assert any(free_desk.pk in s.resource_ids for s in free_slots(kind(office), DAY, DAY))
    # The cells are taken: even a booking that skipped the schedule check cannot get in.
    assert Occupancy.objects.filter(block=blocked).count() == 12 - 2  # 10:40–10:50 is kept's
    # At 10:20 only the other desk can be booked, and only once.
    moment = berlin(DAY, 10, 20)
    got = services.book(kind(office), moment, name="X", email="x@example.org", now=EVE)
    assert got.resource == free_desk
    with pytest.raises(services.SlotTaken):
        services.book(kind(office), moment, name="Y", email="y@example.org", now=EVE)
    # Freed again.
    clerk.post(url, {"remove": blocked.pk})
    assert not Block.objects.exists()
    assert not Occupancy.objects.filter(block__isnull=False).exists()
    assert {"appointments.blocked", "appointments.unblocked"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_day_and_week_lists_filter_by_desk_with_a_fixed_number_of_queries(office, clock):
    desk = office.resources.get(name="Schalter 1")
    for hour in (9, 10, 11):
        confirmed(office, berlin(DAY, hour), f"p{hour}@example.org", name=f"Person {hour}")
        confirmed(office, berlin(DAY, hour), f"q{hour}@example.org", name=f"Other {hour}")
    clerk = log_in(Client(), "buergerbuero")
    all_rows = clerk.get(day_url(office))
    assert len(re.findall(r'scope="row">Person \d+', all_rows.text)) == 3
    assert len(re.findall(r'scope="row">Other \d+', all_rows.text)) == 3
    mine = clerk.get(day_url(office, ressource=str(desk.pk)))
    assert len(re.findall(r'"kern-table__cell">Schalter 1</td>', mine.text)) == 3
    assert len(re.findall(r'scope="row">(?:Person|Other) \d+', mine.text)) == 3
    assert '"kern-table__cell">Schalter 2</td>' not in mine.text
    with CaptureQueriesContext(connection) as few:
        clerk.get(day_url(office))
    for hour in (9, 10, 11):
        confirmed(office, berlin(DAY + dt.timedelta(days=1), hour), f"r{hour}@example.org")
        confirmed(office, berlin(DAY, hour, 20), f"s{hour}@example.org")
    with CaptureQueriesContext(connection) as more:
        clerk.get(day_url(office))
    assert len(more.captured_queries) == len(few.captured_queries)
    week = clerk.get(f"/verwaltung/termine/{office.pk}/woche/?woche={DAY.isoformat()}")
    assert week.status_code == 200
    assert "9 Termine" in week.text
    assert "3 Termine" in week.text
    bad = clerk.get(day_url(office, tag="morgen"))
    assert "ist kein Datum" in bad.text


def test_statistics_show_utilisation_no_shows_lead_and_waiting_time(office, clock):
    bookings = [
        confirmed(office, berlin(DAY, 9), f"s{n}@example.org", slug="personalausweis")
        for n in range(2)
    ]
    staff_services.check_in(bookings[0], None, now=berlin(DAY, 8, 50))
    ticket = Ticket.objects.get()
    desk = office.resources.first()
    staff_services.call(ticket, desk, None, now=berlin(DAY, 9, 2))
    staff_services.finish(ticket, None, now=berlin(DAY, 9, 20))
    staff_services.mark_no_show(bookings[1], None, now=berlin(DAY, 9, 30))
    clerk = log_in(Client(), "buergerbuero")
    page = clerk.get(
        f"/verwaltung/termine/{office.pk}/statistik/?first={DAY.isoformat()}&last={DAY.isoformat()}"
    )
    assert page.status_code == 200
    text = page.text
    # Two desks 9–12: 360 offered minutes; two bookings of 20 + 5 minutes: 50 booked.
    assert "6,0 Std." in text
    assert "0,8 Std." in text
    assert "14 %" in text  # 50 / 360
    assert "50 %" in text  # one of two outcomes a no-show
    assert "12 Min." in text  # waited 8:50 → 9:02
    assert "30 Min." in text  # booked at 8:30 for 9:00
    assert 'role="img"' in text  # the chart
    start = text.rindex("<svg", 0, text.index('aria-labelledby="chart-title'))
    chart = text[start : text.index("</svg>", start)]
    coordinates = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', chart)
    assert "145.8" in coordinates  # the bar of 14 %, 22.2 high, in SVG's decimal point
    assert [value for value in coordinates if not re.fullmatch(r"\d+(\.\d+)?", value)] == []
    assert 'y1="88.0"' in chart  # the 50 % line
    assert "Die Zahlen als Tabelle" in text  # and its text alternative
    too_long = clerk.get(
        f"/verwaltung/termine/{office.pk}/statistik/?first=2026-01-01&last=2026-12-31"
    )
    assert "höchstens 92 Tage" in too_long.text

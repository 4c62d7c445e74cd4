"""Combined appointments: several combinable services of one location in one visit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from rathaus.appointments import services, statistics
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import (
    AppointmentType,
    Booking,
    BookingItem,
    Occupancy,
    OpeningHours,
    PersonQuota,
    PhoneQuota,
    Resource,
    Visit,
)
from rathaus.core.models import OutgoingEmail
from tests.support import APPOINTMENT_EMAIL as EMAIL
from tests.support import APPOINTMENTS_API as BASE
from tests.support import (
    MONDAY,
    Office,
    berlin,
    link,
    log_in,
    person_check,
    solved,
    token_from_mail,
)
from tests.support import api_post as post

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

NOW = berlin(MONDAY - dt.timedelta(days=1), 12)
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def combined(office: Office) -> Office:
    """Both types combinable; desk C serves only the 20-minute type, 9–12 every weekday."""
    AppointmentType.objects.filter(location=office.location).update(combinable=True)
    office.kind.refresh_from_db()
    office.short.refresh_from_db()
    desk_c = Resource.objects.create(location=office.location, name="C")
    desk_c.appointment_types.add(office.kind)
    for weekday in range(5):
        OpeningHours.objects.create(
            resource=desk_c, weekday=weekday, start=dt.time(9), end=dt.time(12)
        )
    return office


def visit(office: Office) -> Visit:
    return Visit([office.kind, office.short])


def book(office: Office, start: dt.datetime, email: str = "p@example.org", **kwargs) -> Booking:
    return services.book(visit(office), start, name="P", email=email, now=NOW, **kwargs)


def test_a_visit_adds_durations_and_keeps_the_largest_buffer(combined):
    both = visit(combined)
    assert both.duration_minutes == 30  # 20 + 10
    assert both.buffer_minutes == 10  # max(10, 0)
    assert both.block_minutes == 40
    assert both.name == "Ausweis + Kurz"
    assert both.key == f"{combined.kind.pk}-{combined.short.pk}"


def test_only_desks_that_serve_all_services_are_offered_and_booked(combined):
    desk_c = Resource.objects.get(name="C")
    slots = free_slots(visit(combined), MONDAY, MONDAY, now=NOW)
    # 9–12 with a step of 40 minutes: 9:00, 9:40, 10:20, 11:00 (11:40 would end after 12).
    assert [slot.start for slot in slots] == [
        berlin(MONDAY, 9), berlin(MONDAY, 9, 40), berlin(MONDAY, 10, 20), berlin(MONDAY, 11)
    ]  # fmt: skip
    assert all(desk_c.pk not in slot.resource_ids for slot in slots)
    assert all(set(slot.resource_ids) == {combined.desk_a.pk, combined.desk_b.pk} for slot in slots)
    # Desk C still serves the single type.
    assert desk_c.pk in free_slots(combined.kind, MONDAY, MONDAY, now=NOW)[0].resource_ids

    first = book(combined, berlin(MONDAY, 9), "a@example.org")
    second = book(combined, berlin(MONDAY, 9), "b@example.org")
    assert {first.resource_id, second.resource_id} == {combined.desk_a.pk, combined.desk_b.pk}
    assert first.end - first.start == dt.timedelta(minutes=30)
    assert first.blocked_until - first.start == dt.timedelta(minutes=40)
    assert Occupancy.objects.filter(booking=first).count() == 8  # 40 minutes in 5-minute cells
    # Desk C is free at 9:00, but it cannot do both services: the visit is taken.
    with pytest.raises(services.SlotTaken):
        book(combined, berlin(MONDAY, 9), "c@example.org")
    assert berlin(MONDAY, 9) not in [s.start for s in free_slots(visit(combined), now=NOW)]
    assert list(first.items.values_list("appointment_type_id", "position")) == [
        (combined.kind.pk, 0),
        (combined.short.pk, 1),
    ]
    # A single booking of the short type at 9:30 would collide with the combined one (9:00–9:40).
    with pytest.raises(services.SlotTaken):
        services.book(combined.short, berlin(MONDAY, 9, 30), name="S", email="s@x.org", now=NOW)


def test_only_combinable_types_of_one_place_and_at_most_three_go_together(combined):
    AppointmentType.objects.filter(pk=combined.short.pk).update(combinable=False)
    combined.short.refresh_from_db()
    with pytest.raises(services.NotCombinable):
        book(combined, berlin(MONDAY, 9))
    with pytest.raises(services.NotCombinable):
        services.book(
            Visit([combined.kind, combined.kind]), berlin(MONDAY, 9), name="P",
            email="p@example.org", now=NOW,
        )  # fmt: skip
    extra = [
        AppointmentType.objects.create(
            location=combined.location,
            slug=f"x{n}",
            name=f"X{n}",
            duration_minutes=5,
            combinable=True,
        )
        for n in range(3)
    ]
    with pytest.raises(services.NotCombinable):
        services.book(Visit([combined.kind, *extra]), berlin(MONDAY, 9), name="P",
                      email="p@example.org", now=NOW)  # fmt: skip
    assert not Booking.objects.exists()
    assert not PersonQuota.objects.filter(active__gt=0).exists()


def test_the_limit_counts_per_service_and_is_given_back(combined):
    AppointmentType.objects.filter(pk=combined.short.pk).update(max_active_per_person=3)
    combined.short.refresh_from_db()
    one = book(combined, berlin(MONDAY, 9), phone="039203 1234")
    book(combined, berlin(MONDAY, 10, 20), phone="039203 1234")
    quota = dict(PersonQuota.objects.values_list("appointment_type_id", "active"))
    assert quota == {combined.kind.pk: 2, combined.short.pk: 2}
    assert dict(PhoneQuota.objects.values_list("appointment_type_id", "active")) == quota
    # The 20-minute type has reached its limit of 2, alone or combined; the short one has not.
    with pytest.raises(services.TooManyBookings):
        book(combined, berlin(MONDAY, 11))
    with pytest.raises(services.TooManyBookings):
        services.book(combined.kind, berlin(TUESDAY, 9), name="P", email="p@example.org", now=NOW)
    services.book(combined.short, berlin(TUESDAY, 9), name="P", email="P@example.org", now=NOW)
    assert PersonQuota.objects.get(appointment_type=combined.short).active == 3
    services.cancel(one.manage_token, now=NOW)
    quota = dict(PersonQuota.objects.values_list("appointment_type_id", "active"))
    assert quota == {combined.kind.pk: 1, combined.short.pk: 2}
    assert PhoneQuota.objects.get(appointment_type=combined.short).active == 1
    services.book(combined.kind, berlin(TUESDAY, 9), name="P", email="p@example.org", now=NOW)


def test_an_expired_combined_hold_gives_back_every_service(combined):
    book(combined, berlin(MONDAY, 9), hold_minutes=5)
    assert services.expire_holds(NOW + dt.timedelta(minutes=6)) == 1
    assert set(PersonQuota.objects.values_list("active", flat=True)) == {0}
    assert not Occupancy.objects.exists()


def test_moving_keeps_the_services_and_the_limit(combined):
    old = book(combined, berlin(MONDAY, 9))
    token = old.manage_token
    moved = services.reschedule(token, berlin(MONDAY, 10, 20), now=NOW)
    assert moved.visit.ids == (combined.kind.pk, combined.short.pk)
    assert moved.blocked_until - moved.start == dt.timedelta(minutes=40)
    assert Occupancy.objects.filter(booking=moved).count() == 8
    assert not Occupancy.objects.filter(booking=old).exists()
    assert set(PersonQuota.objects.values_list("active", flat=True)) == {1}
    # A start on the grid of the short type alone is no start of the visit.
    with pytest.raises(services.InvalidSlot):
        services.reschedule(token, berlin(MONDAY, 9, 10), now=NOW)
    services.cancel(token, now=NOW)
    assert set(PersonQuota.objects.values_list("active", flat=True)) == {0}


# --- pages, API, staff (Barleben demo) ------------------------------------------------------------


@pytest.fixture
def passes(barleben) -> Visit:
    return Visit(
        [
            AppointmentType.objects.get(location__slug="buergerbuero", slug="personalausweis"),
            AppointmentType.objects.get(location__slug="buergerbuero", slug="reisepass"),
        ]
    )


def test_a_combined_visit_through_the_pages(client, passes):
    index = client.get("/termine/")
    combine_url = reverse("appointments:combine", args=["buergerbuero"])
    assert combine_url in index.text
    assert f'name="typ" value="{passes.ids[0]}"' in index.text
    wohnsitz = AppointmentType.objects.get(slug="wohnsitz-anmelden")
    assert f'name="typ" value="{wohnsitz.pk}"' not in index.text  # not combinable
    chosen = client.get(combine_url, {"typ": [str(pk) for pk in passes.ids]})
    month_url = reverse("appointments:month", args=["buergerbuero", passes.key])
    assert chosen.status_code == 302
    assert chosen.url == month_url
    assert "Personalausweis beantragen + Reisepass beantragen" in client.get(month_url).text

    start = free_slots(passes)[0].start
    local = start.astimezone(TZ)
    day_url = reverse("appointments:day", args=["buergerbuero", passes.key, f"{local:%Y-%m-%d}"])
    details_url = f"{day_url}{local:%H%M}/"
    assert details_url in client.get(day_url).text
    page = client.get(details_url)
    assert "40 Minuten" in page.text  # 20 + 20 minutes (and the larger buffer of 5 after it)
    held = client.post(
        details_url,
        {"name": "Erika Muster", "email": EMAIL, "phone": "", **person_check(page.text)},
    )
    assert held.status_code == 302
    booking = Booking.objects.get(email=EMAIL)
    assert booking.end - booking.start == dt.timedelta(minutes=40)
    assert booking.blocked_until - booking.start == dt.timedelta(minutes=45)
    assert booking.visit == passes

    mail = OutgoingEmail.objects.get(to=EMAIL)
    assert "Personalausweis beantragen + Reisepass beantragen" in mail.text_body
    assert "2 Leistungen bei einem Termin" in mail.text_body
    manage_url = client.post(link(mail, "bestaetigen/")).url
    manage = client.get(manage_url)
    assert "<li>Personalausweis beantragen</li><li>Reisepass beantragen</li>" in manage.text
    token = manage_url.strip("/").split("/")[-1]
    event = Calendar.from_ical(client.get(reverse("appointments:ics", args=[token])).content).walk(
        "VEVENT"
    )[0]
    assert "Personalausweis beantragen + Reisepass beantragen" in str(event["summary"])
    assert "Personalausweis beantragen\nReisepass beantragen" in str(event["description"])
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=40)

    # Moving shows the free times of the visit and keeps both services.
    move = client.get(reverse("appointments:reschedule", args=[token]))
    assert "Personalausweis beantragen + Reisepass beantragen" in move.text
    target = next(slot.start for slot in free_slots(passes) if slot.start != start).astimezone(TZ)
    move_url = reverse(
        "appointments:reschedule_time", args=[token, f"{target:%Y-%m-%d}", f"{target:%H%M}"]
    )
    assert client.get(move_url).status_code == 200
    assert client.post(move_url).status_code == 302
    moved = Booking.objects.get(email=EMAIL, status=Booking.Status.CONFIRMED)
    assert moved.start == target
    assert moved.visit == passes


def test_wrong_choices_get_a_clear_answer(client, passes):
    combine_url = reverse("appointments:combine", args=["buergerbuero"])
    nothing = client.get(combine_url)
    assert nothing.status_code == 400
    assert "Bitte wählen Sie mindestens eine Leistung." in nothing.text
    melde = AppointmentType.objects.get(slug="meldebescheinigung", location__slug="buergerbuero")
    melde.location.types.filter(slug="wohnsitz-anmelden").update(combinable=True)
    four = list(melde.location.types.filter(combinable=True).values_list("pk", flat=True))
    assert len(four) == 4
    too_many = client.get(combine_url, {"typ": [str(pk) for pk in four]})
    assert too_many.status_code == 400
    assert "höchstens 3 Leistungen" in too_many.text
    assert too_many.text.count(" checked") == 4  # the choice is kept
    one = client.get(combine_url, {"typ": [str(passes.ids[0])]})
    assert one.url == reverse("appointments:month", args=["buergerbuero", passes.ids[0]])
    wohnsitz = AppointmentType.objects.get(slug="wohnsitz-anmelden")
    wohnsitz.combinable = False
    wohnsitz.save()
    key = f"{passes.ids[0]}-{wohnsitz.pk}"
    assert client.get(f"/termine/buergerbuero/{key}/").status_code == 404
    assert client.get(f"/termine/buergerbuero/{passes.ids[0]}-{passes.ids[0]}/").status_code == 404
    # Single-type URLs work as before.
    assert client.get(f"/termine/buergerbuero/{passes.ids[0]}/").status_code == 200


def test_the_api_lists_and_holds_combined_visits(client, passes):
    today = dt.datetime.now(TZ).date()
    last = today + dt.timedelta(days=20)
    types = ",".join(str(pk) for pk in passes.ids)
    listed = client.get(
        f"{BASE}/availability", {"types": types, "location": "buergerbuero", "from": today,
                                 "to": last},
    )  # fmt: skip
    assert listed.status_code == 200
    body = listed.json()
    assert body["types"] == list(passes.ids)
    expected = free_slots(passes, today, last)
    assert [dt.datetime.fromisoformat(s["start"]) for s in body["slots"]] == [
        slot.start for slot in expected
    ]
    first = body["slots"][0]
    duration = dt.datetime.fromisoformat(first["end"]) - dt.datetime.fromisoformat(first["start"])
    assert duration == dt.timedelta(minutes=40)

    request = {"types": list(passes.ids), "location": "buergerbuero", "start": first["start"],
               "name": "Ada Api", "email": "api@example.org"}  # fmt: skip
    held = post(client, f"{BASE}/bookings", {**request, "altcha": solved(client)})
    assert held.status_code == 202, held.content
    assert held.json()["types"] == list(passes.ids)
    token = token_from_mail("api@example.org")
    confirmed = post(client, f"{BASE}/bookings/{token}/confirm")
    assert confirmed.json()["types"] == list(passes.ids)

    both = post(client, f"{BASE}/bookings",
                {**request, "type": passes.ids[0], "altcha": solved(client)})  # fmt: skip
    assert both.status_code == 422
    wohnsitz = AppointmentType.objects.get(slug="wohnsitz-anmelden")
    not_combinable = client.get(
        f"{BASE}/availability", {"types": f"{passes.ids[0]},{wohnsitz.pk}",
                                 "location": "buergerbuero"},
    )  # fmt: skip
    assert not_combinable.status_code == 422
    assert "cannot be booked together" in not_combinable.json()["detail"]
    elsewhere = client.get(
        f"{BASE}/availability", {"types": f"{passes.ids[0]},999999", "location": "buergerbuero"}
    )
    assert elsewhere.status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    assert "types" in schema["components"]["schemas"]["BookingIn"]["properties"]


def test_staff_lists_and_statistics_count_combined_visits(passes):
    location = passes.location
    day = dt.date(2026, 11, 30)
    eve = berlin(day - dt.timedelta(days=1), 18)
    held = services.book(passes, berlin(day, 9), name="Erika Muster", email="e@x.org", now=eve)
    services.confirm(held.manage_token, now=eve)
    melde = AppointmentType.objects.get(slug="meldebescheinigung", location=location)
    single = services.book(melde, berlin(day, 10), name="Max Muster", email="m@x.org", now=eve)
    services.confirm(single.manage_token, now=eve)
    assert BookingItem.objects.count() == 2

    figures = statistics.compute(location, day, day)
    assert figures.appointments == 2
    assert figures.combined == 1
    assert figures.services == 3
    assert figures.booked == 45 + 10  # the real length of each, buffer included

    clerk = log_in(Client(), "buergerbuero")
    page = clerk.get(f"/verwaltung/termine/{location.pk}/?tag={day.isoformat()}")
    assert page.status_code == 200
    assert re.search(r"Personalausweis beantragen \+ Reisepass beantragen", page.text)
    week = clerk.get(f"/verwaltung/termine/{location.pk}/woche/?woche={day.isoformat()}")
    assert "Personalausweis beantragen + Reisepass beantragen" in week.text
    stats = clerk.get(
        f"/verwaltung/termine/{location.pk}/statistik/?first={day.isoformat()}&last={day.isoformat()}"
    )
    assert "Davon mit mehreren Leistungen" in stats.text


def test_the_details_page_says_the_limit_counts_per_service(client, passes):
    for slot in free_slots(passes.types[0])[-2:]:  # the identity card twice, late in the horizon
        services.book(passes.types[0], slot.start, name="E", email=EMAIL)
    start = free_slots(passes)[0].start.astimezone(TZ)
    url = reverse(
        "appointments:details",
        args=["buergerbuero", passes.key, f"{start:%Y-%m-%d}", f"{start:%H%M}"],
    )
    page = client.get(url)
    data = {"name": "Erika Muster", "email": EMAIL, "phone": "", **person_check(page.text)}
    refused = client.post(url, data)
    assert refused.status_code == 409
    assert "Die Grenze gilt für jede der gewählten Leistungen einzeln." in refused.text
    assert not Booking.objects.filter(items__isnull=False).exists()


def test_the_calendar_of_a_combinable_service_offers_to_add_another(client, passes):
    single = client.get(reverse("appointments:month", args=["buergerbuero", passes.ids[0]]))
    assert "Weitere Leistung hinzufügen" in single.text
    assert f'name="typ" value="{passes.ids[0]}" checked' in single.text
    assert f'name="typ" value="{passes.ids[1]}">' in single.text
    both = client.get(reverse("appointments:month", args=["buergerbuero", passes.key]))
    assert f'name="typ" value="{passes.ids[1]}" checked' in both.text
    wohnsitz = AppointmentType.objects.get(slug="wohnsitz-anmelden")
    other = client.get(reverse("appointments:month", args=["buergerbuero", wohnsitz.pk]))
    assert "Weitere Leistung hinzufügen" not in other.text


def test_free_times_take_five_queries_for_one_service_and_for_several(
    combined, django_assert_num_queries
):
    assert combined.kind.location  # loaded with the type, as the pages do (select_related)
    for what in (combined.kind, visit(combined)):
        with django_assert_num_queries(5):  # resources, hours, closures, blocks, bookings
            assert free_slots(what, MONDAY, MONDAY + dt.timedelta(days=20), now=NOW)

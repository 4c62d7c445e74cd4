"""Moving an appointment by its link, and the waiting list, through the pages."""

from __future__ import annotations

import re

from django.urls import reverse

from rathaus.appointments import services
from rathaus.appointments.availability import TZ, free_slots
from rathaus.appointments.models import Booking, WaitingListEntry
from rathaus.core.models import OutgoingEmail
from tests.support import APPOINTMENT_EMAIL as EMAIL
from tests.support import link, person_check, reserve


def _confirmed(client, kind):
    start = free_slots(kind)[0].start
    reserve(client, kind, start)
    confirm_url = link(OutgoingEmail.objects.get(to=EMAIL), "bestaetigen/")
    manage_url = client.post(confirm_url).url
    return manage_url.strip("/").split("/")[-1], start


def test_moving_by_the_manage_link(client, passport):
    token, start = _confirmed(client, passport)
    manage = client.get(reverse("appointments:manage", args=[token]))
    move_url = reverse("appointments:reschedule", args=[token])
    assert move_url in manage.text
    month = client.get(move_url)
    assert month.status_code == 200
    assert "Neue Zeit wählen" in month.text
    target = next(slot.start for slot in free_slots(passport) if slot.start.date() != start.date())
    local = target.astimezone(TZ)
    day_url = reverse("appointments:reschedule_day", args=[token, f"{local:%Y-%m-%d}"])
    assert (
        f'href="{move_url}{local:%Y-%m-%d}/"'
        in client.get(move_url, {"monat": f"{local:%Y-%m}"}).text
    )
    time_url = reverse("appointments:reschedule_time",
                       args=[token, f"{local:%Y-%m-%d}", f"{local:%H%M}"])  # fmt: skip
    assert time_url in client.get(day_url).text
    assert "Termin verschieben?" in client.get(time_url).text
    done = client.post(time_url, follow=True)
    assert "Ihr Termin hat eine neue Zeit" in done.text
    moved = Booking.objects.get(status=Booking.Status.CONFIRMED)
    assert moved.start == target
    old = Booking.objects.get(rescheduled_to=moved)
    assert old.start == start
    assert old.status == Booking.Status.CANCELLED
    mail = OutgoingEmail.objects.filter(to=EMAIL).latest("id")
    assert mail.attachments.get().filename == "termin.ics"
    assert reverse("appointments:manage", args=[token]) in mail.text_body


def test_moving_into_a_slot_taken_meanwhile_offers_the_nearest_free_times(client, passport):
    token, start = _confirmed(client, passport)
    target = next(slot for slot in free_slots(passport) if slot.start != start)
    for n, _desk in enumerate(target.resource_ids):
        services.book(passport, target.start, name="Schnell", email=f"s{n}@example.org")
    local = target.start.astimezone(TZ)
    time_url = reverse("appointments:reschedule_time",
                       args=[token, f"{local:%Y-%m-%d}", f"{local:%H%M}"])  # fmt: skip
    response = client.post(time_url)
    assert response.status_code == 409
    assert "wurde gerade eben von jemand anderem gebucht" in response.text
    assert "nächsten freien Zeiten" in response.text
    move_base = reverse("appointments:reschedule", args=[token])
    assert re.search(rf'href="{move_base}\d{{4}}-\d\d-\d\d/\d{{4}}/"', response.text)
    assert Booking.objects.get(email=EMAIL, status=Booking.Status.CONFIRMED).start == start


def test_a_cancelled_booking_cannot_be_moved(client, passport):
    token, _start = _confirmed(client, passport)
    services.cancel(token)
    response = client.get(reverse("appointments:reschedule", args=[token]), follow=True)
    assert "Nur ein aktiver Termin kann verschoben werden" in response.text


def test_joining_the_waiting_list_and_getting_an_offer(client, passport):
    url = reverse("appointments:waiting_join", args=["buergerbuero", passport.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {"name": "Wilma Warte", "email": "wilma@example.org", **person_check(page.text)}
    joined = client.post(url, data)
    assert "wilma@example.org" in joined.text
    mail = OutgoingEmail.objects.get(to="wilma@example.org")
    entry_url = re.search(r"http://testserver(/termine/warteliste/\S+/)", mail.text_body).group(1)
    assert "noch nicht bestätigt" in client.get(entry_url).text
    entry = WaitingListEntry.objects.get()
    assert entry.status == WaitingListEntry.Status.UNCONFIRMED  # GET does not confirm
    client.post(entry_url, {"action": "confirm"})
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.WAITING
    again = client.get(url)
    twice = client.post(url, {**data, **person_check(again.text)})
    assert "bereits auf der Warteliste" in twice.text

    slot = free_slots(passport)[0]
    booking = services.book(passport, slot.start, name="Kurt", email="kurt@example.org")
    services.cancel(booking.manage_token)
    offer_mail = OutgoingEmail.objects.filter(to="wilma@example.org").latest("id")
    confirm_url = link(offer_mail, "bestaetigen/")
    client.post(confirm_url)
    entry.refresh_from_db()
    assert entry.status == WaitingListEntry.Status.BOOKED
    assert entry.offer.status == Booking.Status.CONFIRMED
    assert "gebucht" in client.get(entry_url).text


def test_leaving_the_waiting_list_by_its_link(client, passport):
    url = reverse("appointments:waiting_join", args=["buergerbuero", passport.pk])
    page = client.get(url)
    client.post(url, {"name": "W", "email": "w@example.org", **person_check(page.text)})
    mail = OutgoingEmail.objects.get(to="w@example.org")
    entry_url = re.search(r"http://testserver(/termine/warteliste/\S+/)", mail.text_body).group(1)
    left = client.post(entry_url, {"action": "leave"}, follow=True)
    assert "Sie haben die Warteliste verlassen" in left.text
    assert WaitingListEntry.objects.get().status == WaitingListEntry.Status.LEFT
    assert client.get("/termine/warteliste/" + "x" * 43 + "/").status_code == 404

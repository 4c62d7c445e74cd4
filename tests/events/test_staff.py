"""Staff run the events (/verwaltung/veranstaltungen/): create a draft, publish, change, cancel
(everyone registered is told), a series with its dates and a cancelled date, the attendance list
with marking and the certificate of attendance as PDF; every change is audited; only the role
"Veranstaltungen" (or administrators) of the authority."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from rathaus.core import roles
from rathaus.core.models import AuditEvent, OutgoingEmail
from rathaus.events.keepers import ROLE
from rathaus.events.models import Event, Registration, Series
from tests.factories import PASSWORD, AuthorityFactory, CourseFactory, RegistrationFactory
from tests.factories.core import OrgUnitFactory
from tests.support import clerk_of, log_in

pytestmark = pytest.mark.django_db
LIST = "/verwaltung/veranstaltungen/"


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def keeper(town, username="werkstatt", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Digitalwerkstatt")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def event_form(**changes) -> dict[str, str]:
    start = timezone.localtime() + dt.timedelta(days=5)
    data = {
        "title": "Smartphone-Kurs für Senioren", "description": "Schritt für Schritt.",
        "kind": "course", "audience": "seniors", "place_name": "Digitalwerkstatt Villa 147",
        "room": "1. Etage (Festsaal)", "street": "Breiteweg 147", "postal_code": "39179",
        "city": "Barleben", "registration_required": "on", "capacity": "12", "max_places": "2",
        "appointment_type": "", "starts_at": start.strftime("%Y-%m-%dT10:00"),
        "ends_at": start.strftime("%Y-%m-%dT12:00"), "registration_deadline": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_keeper_creates_publishes_and_cancels_an_event(town):
    client = keeper(town)
    assert f'href="{LIST}"' in client.get("/verwaltung/").content.decode()
    response = client.post(f"{LIST}neu/", event_form())
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.state == Event.State.DRAFT
    assert Client().get(f"/veranstaltungen/{event.uid}/").status_code == 404
    client.post(f"{LIST}{event.pk}/veroeffentlichen/")
    event.refresh_from_db()
    assert event.state == Event.State.PUBLISHED
    assert Client().get(f"/veranstaltungen/{event.uid}/").status_code == 200

    client.post(f"{LIST}{event.pk}/", event_form(capacity="15"))
    event.refresh_from_db()
    assert event.capacity == 15
    assert event.sequence == 2

    registered = RegistrationFactory(event=event, email="gisela@example.org")
    waiting = RegistrationFactory(event=event, email="horst@example.org",
                                  status=Registration.Status.WAITING)  # fmt: skip
    RegistrationFactory(event=event, email="weg@example.org", status=Registration.Status.CANCELLED)
    response = client.post(f"{LIST}{event.pk}/absagen/", {"reason": ""})
    assert response.status_code == 422
    client.post(f"{LIST}{event.pk}/absagen/", {"reason": "Die Kursleiterin ist krank."})
    event.refresh_from_db()
    assert event.state == Event.State.CANCELLED
    told = sorted(OutgoingEmail.objects.values_list("to", flat=True))
    assert told == [registered.email, waiting.email]
    assert "Die Kursleiterin ist krank." in OutgoingEmail.objects.first().text_body
    actions = set(
        AuditEvent.objects.filter(object_id=str(event.pk)).values_list("action", flat=True)
    )
    assert {"events.event.created", "events.event.published", "events.event.changed",
            "events.event.cancelled"} <= actions  # fmt: skip


def test_an_end_before_the_start_is_refused_and_kept(town):
    client = keeper(town)
    data = event_form()
    data["ends_at"] = data["starts_at"].replace("T10:00", "T09:00")
    response = client.post(f"{LIST}neu/", data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Das Ende muss nach dem Beginn liegen" in page
    assert "Smartphone-Kurs für Senioren" in page
    assert not Event.objects.exists()


def test_a_series_makes_its_dates_and_a_cancelled_date_tells_the_registered(town):
    client = keeper(town)
    first = timezone.localdate() + dt.timedelta(days=1)
    data = event_form(title="Offene Sprechzeit Digitalwerkstatt", kind="open_hours",
                      audience="all", registration_required="on", capacity="10")  # fmt: skip
    for name in ("starts_at", "ends_at", "registration_deadline"):
        del data[name]
    data.update({"weekdays": ["1", "3"], "start_time": "15:00", "end_time": "18:00",
                 "first_day": first.isoformat(),
                 "last_day": (first + dt.timedelta(days=13)).isoformat(), "publish": "on"})  # fmt: skip
    response = client.post(f"{LIST}reihen/neu/", data)
    assert response.status_code == 302, response.content.decode()
    series = Series.objects.get()
    dates = list(series.occurrences.order_by("starts_at"))
    assert len(dates) == 4  # two weeks of Tuesdays and Thursdays
    assert {timezone.localtime(d.starts_at).weekday() for d in dates} == {1, 3}
    assert {timezone.localtime(d.starts_at).hour for d in dates} == {15}
    assert all(d.state == Event.State.PUBLISHED for d in dates)
    # saving again makes no date twice
    client.post(f"{LIST}reihen/{series.pk}/", data)
    assert series.occurrences.count() == 4

    RegistrationFactory(event=dates[0], email="gisela@example.org")
    day = timezone.localtime(dates[0].starts_at).date()
    response = client.post(f"{LIST}reihen/{series.pk}/ausfall/",
                           {"day": day.isoformat(), "reason": "Feiertag"})  # fmt: skip
    assert response.status_code == 302
    dates[0].refresh_from_db()
    assert dates[0].state == Event.State.CANCELLED
    assert OutgoingEmail.objects.get().to == "gisela@example.org"
    response = client.post(f"{LIST}reihen/{series.pk}/ausfall/", {"day": "2001-01-02"})
    assert response.status_code == 422
    assert "nicht im Zeitraum" in response.content.decode()


def test_attendance_marking_and_the_certificate_of_attendance(town):
    client = keeper(town)
    start = timezone.now() - dt.timedelta(hours=3)
    event = CourseFactory(authority=town, title="Smartphone-Kurs für Senioren", starts_at=start,
                          ends_at=start + dt.timedelta(hours=2))  # fmt: skip
    gisela = RegistrationFactory(event=event, name="Gisela Beispiel")
    RegistrationFactory(event=event, name="Horst Muster", status=Registration.Status.WAITING)
    page = client.get(f"{LIST}{event.pk}/teilnehmende/").content.decode()
    assert "Gisela Beispiel" in page
    assert "Horst Muster" in page
    assert (
        client.get(f"{LIST}{event.pk}/teilnehmende/{gisela.pk}/bescheinigung.pdf").status_code
        == 404
    )
    client.post(f"{LIST}{event.pk}/teilnehmende/{gisela.pk}/", {"anwesend": "ja"})
    gisela.refresh_from_db()
    assert gisela.attended is True
    response = client.get(f"{LIST}{event.pk}/teilnehmende/{gisela.pk}/bescheinigung.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Teilnahmebescheinigung" in text
    assert "Gisela Beispiel" in text
    assert "Smartphone-Kurs für Senioren" in text
    assert "Gemeinde Barleben" in text
    assert AuditEvent.objects.filter(action="events.registration.attendance").exists()
    assert AuditEvent.objects.filter(action="events.certificate.issued").exists()


def test_only_keepers_of_the_authority(town):
    other = AuthorityFactory(slug="nachbarort")
    foreign = CourseFactory(authority=other)
    clerk = keeper(town, "sachbearbeitung", role=roles.CLERK)
    assert clerk.get(LIST).status_code == 403
    client = keeper(town)
    assert client.get(f"{LIST}{foreign.pk}/").status_code == 404
    assert client.get(f"{LIST}{foreign.pk}/teilnehmende/").status_code == 404


def test_a_new_time_is_e_mailed_to_everyone_registered(town):
    client = keeper(town)
    event = CourseFactory(authority=town)
    registered = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Registration.Status.CANCELLED)
    start = timezone.localtime(event.starts_at) + dt.timedelta(days=1)
    data = event_form(
        title=event.title,
        description=event.description,
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    )
    assert client.post(f"{LIST}{event.pk}/", data).status_code == 302
    mail = OutgoingEmail.objects.get()
    assert mail.to == registered.email
    assert mail.subject == f"Geändert: {event.title}"
    assert "/veranstaltungen/abmelden/" in mail.text_body
    # a change of the description alone tells nobody
    client.post(f"{LIST}{event.pk}/", {**data, "description": "Mit Kaffee."})
    assert OutgoingEmail.objects.count() == 1

"""A citizen registers for an event (/veranstaltungen/<uid>/): the form with the person check →
the confirmation e-mail → confirmed by a button → registered, or on the waiting list when the
places are taken; cancelling with the link of any e-mail moves the waiting list up; and what
goes wrong: an invalid e-mail address, too many places, after the deadline, a cancelled event,
cancelling twice, a link never confirmed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core.models import OutgoingEmail
from rathaus.events import services
from rathaus.events.models import Event, Registration
from tests.factories import AuthorityFactory, CourseFactory, RegistrationFactory
from tests.support import human_check

# Confirming and cancelling lock the event's row: run on PostgreSQL too.
pytestmark = [pytest.mark.django_db, pytest.mark.database]
Status = Registration.Status


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def url(event: Event) -> str:
    return f"/veranstaltungen/{event.uid}/"


def form(**changes) -> dict[str, str]:
    data = {"name": "Gisela Beispiel", "email": "gisela@example.org", "places": "1",
            "consent": "on", **human_check()}  # fmt: skip
    data.update(changes)
    return data


def link(email: str, pattern: str) -> str:
    text = OutgoingEmail.objects.filter(to=email).latest("id").text_body
    found = re.search(rf"http://testserver({pattern})", text)
    assert found, text
    return found[1]


def register(client: Client, event: Event, **changes) -> str:
    """Register and confirm; returns the cancellation link of the last e-mail."""
    data = form(**changes)
    response = client.post(url(event), data)
    assert response.status_code == 302, response.content.decode()
    client.post(link(data["email"], r"/veranstaltungen/bestaetigen/[^/\s]+/"))
    return link(data["email"], r"/veranstaltungen/abmelden/[^/\s]+/")


def test_register_confirm_cancel_and_the_waiting_list_moves_up(town):
    event = CourseFactory(authority=town, capacity=2, title="Smartphone-Kurs für Senioren")
    client = Client()
    page = client.get(url(event)).content.decode()
    assert "Smartphone-Kurs für Senioren" in page
    assert "2 von 2 Plätzen sind frei" in page

    response = client.post(url(event), form(places="2"))
    assert response.status_code == 302
    assert response["Location"] == "/veranstaltungen/angemeldet/"
    assert "gisela@example.org" in client.get("/veranstaltungen/angemeldet/").content.decode()
    registration = Registration.objects.get()
    assert registration.status == Status.PENDING  # counts only after the confirmation
    assert "2 von 2 Plätzen sind frei" in client.get(url(event)).content.decode()

    confirm = link("gisela@example.org", r"/veranstaltungen/bestaetigen/[^/\s]+/")
    # Opening the link (a mail scanner) changes nothing: a button confirms.
    assert "Anmeldung bestätigen" in client.get(confirm).content.decode()
    assert Registration.objects.get().status == Status.PENDING
    page = client.post(confirm).content.decode()
    assert "Sie sind angemeldet" in page
    registration.refresh_from_db()
    assert registration.status == Status.REGISTERED
    assert "0 von 2 Plätzen sind frei" in client.get(url(event)).content.decode()
    # the link opened again says so and changes nothing
    assert "bereits bestätigt" in client.post(confirm).content.decode()

    # Full: the next one goes on the waiting list.
    page = client.get(url(event)).content.decode()
    assert "Auf die Warteliste" in page
    client.post(url(event), form(name="Horst Muster", email="horst@example.org"))
    client.post(link("horst@example.org", r"/veranstaltungen/bestaetigen/[^/\s]+/"))
    horst = Registration.objects.get(email="horst@example.org")
    assert horst.status == Status.WAITING
    assert "Warteliste" in OutgoingEmail.objects.filter(to="horst@example.org").latest("id").subject

    # Gisela cancels with the link from her e-mail: Horst moves up and is told.
    cancel = link("gisela@example.org", r"/veranstaltungen/abmelden/[^/\s]+/")
    assert "Ja, Anmeldung stornieren" in client.get(cancel).content.decode()
    assert Registration.objects.get(pk=registration.pk).status == Status.REGISTERED
    page = client.post(cancel).content.decode()
    assert "Ihre Anmeldung ist storniert" in page
    horst.refresh_from_db()
    assert horst.status == Status.REGISTERED
    assert horst.moved_up_at is not None
    moved = OutgoingEmail.objects.filter(to="horst@example.org").latest("id")
    assert "Platz ist für Sie frei" in moved.subject
    assert "/veranstaltungen/abmelden/" in moved.text_body  # every e-mail can cancel

    # Cancelling twice is harmless and says so.
    page = client.post(cancel).content.decode()
    assert "bereits storniert" in page
    assert Registration.objects.get(pk=registration.pk).status == Status.CANCELLED
    assert Registration.objects.get(pk=horst.pk).status == Status.REGISTERED


def test_an_invalid_email_address_is_explained_and_nothing_typed_is_lost(town):
    event = CourseFactory(authority=town)
    response = Client().post(url(event), form(email="gisela(at)example", name="Gisela Beispiel"))
    assert response.status_code == 422
    page = response.content.decode()
    assert "gültige E-Mail-Adresse" in page
    assert 'value="gisela(at)example"' in page
    assert 'value="Gisela Beispiel"' in page
    assert not Registration.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_more_places_than_allowed_are_refused(town):
    event = CourseFactory(authority=town, max_places=2)
    response = Client().post(url(event), form(places="3"))
    assert response.status_code == 422
    assert "zwischen 1 und 2 Plätze" in response.content.decode()
    assert not Registration.objects.exists()
    with pytest.raises(services.RegistrationRefused):
        services.register(event, name="A", email="a@example.org", places=5, consent_text="ja")


def test_without_the_person_check_nothing_is_registered(town):
    event = CourseFactory(authority=town)
    data = form()
    del data["question_answer"]
    response = Client().post(url(event), data)
    assert response.status_code == 422
    assert "dass Sie ein Mensch sind" in response.content.decode()
    assert not Registration.objects.exists()


def test_registration_after_the_deadline_is_refused(town):
    start = timezone.now() + dt.timedelta(days=2)
    event = CourseFactory(authority=town, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                          registration_deadline=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    page = Client().get(url(event)).content.decode()
    assert "Anmeldeschluss ist vorbei" in page
    response = Client().post(url(event), form())
    assert response.status_code == 409
    assert "Anmeldeschluss ist vorbei" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_cancelled_event_takes_no_registrations(town):
    event = CourseFactory(authority=town, state=Event.State.CANCELLED, cancel_reason="Krankheit")
    page = Client().get(url(event)).content.decode()
    assert "abgesagt" in page
    assert "Krankheit" in page
    with pytest.raises(services.RegistrationRefused):
        services.register(event, name="A", email="a@example.org", places=1, consent_text="ja")


def test_a_draft_is_not_public(town):
    event = CourseFactory(authority=town, state=Event.State.DRAFT)
    assert Client().get(url(event)).status_code == 404


def test_a_link_not_confirmed_in_time_expires(town):
    event = CourseFactory(authority=town)
    registration = services.register(event, name="Ingrid Demo", email="ingrid@example.org",
                                     places=1, consent_text="ja")  # fmt: skip
    later = timezone.now() + dt.timedelta(hours=services.CONFIRM_HOURS + 1)
    assert services.expire_unconfirmed(later) == 1
    registration.refresh_from_db()
    assert registration.status == Status.EXPIRED
    response = Client().post(f"/veranstaltungen/bestaetigen/{registration.token}/")
    assert response.status_code == 404
    assert "Dieser Link gilt nicht" in response.content.decode()


def test_an_unknown_or_forged_link_is_refused(town):
    assert Client().post("/veranstaltungen/bestaetigen/erfunden/").status_code == 404
    assert Client().post("/veranstaltungen/abmelden/erfunden/").status_code == 404


def test_reminders_go_out_once_the_day_before(town):
    start = timezone.now() + dt.timedelta(hours=20)
    event = CourseFactory(authority=town, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    registered = RegistrationFactory(event=event)
    RegistrationFactory(event=event, status=Status.WAITING)
    later = CourseFactory(authority=town)  # in a week
    RegistrationFactory(event=later)
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    mail = OutgoingEmail.objects.get()
    assert mail.to == registered.email
    assert "Erinnerung" in mail.subject
    assert "/veranstaltungen/abmelden/" in mail.text_body


def test_registrations_are_deleted_after_the_retention_period(town):
    start = timezone.now() - dt.timedelta(days=services.RETENTION_DAYS + 2)
    old = CourseFactory(authority=town, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    RegistrationFactory(event=old)
    kept = RegistrationFactory(event=CourseFactory(authority=town))
    assert services.delete_old() == 1
    assert list(Registration.objects.all()) == [kept]


def test_a_logged_in_citizen_registers_without_the_person_check(town):
    from tests.factories import AccountFactory

    account = AccountFactory()
    client = Client()
    client.force_login(account.user)
    event = CourseFactory(authority=town)
    page = client.get(url(event)).content.decode()
    assert account.user.email in page
    assert "altcha-widget" not in page
    response = client.post(url(event), {"name": "Kim Beispiel", "email": account.user.email,
                                        "places": "1", "consent": "on"})  # fmt: skip
    assert response.status_code == 302
    assert Registration.objects.get().account == account
    # the citizen's data export lists the registration
    from rathaus.accounts import gdpr

    [exported] = gdpr.export_data(account)["events"]
    assert exported["event"] == event.title
    assert exported["status"] == Status.PENDING

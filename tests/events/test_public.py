"""The public pages of events: the upcoming events with filters by kind and target group, the
calendar feed and one event's .ics parsed back (RFC 5545), the link to book an appointment, and
the read-only API in the OpenAPI schema."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from rathaus.events.models import Audience, Event, Kind
from tests.factories import (
    AppointmentTypeFactory,
    AuthorityFactory,
    CourseFactory,
    RegistrationFactory,
)

# counts queries (the event list and the feeds), which differ by database
pytestmark = [pytest.mark.django_db, pytest.mark.database]


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def test_the_list_shows_upcoming_public_events_and_filters(town):
    course = CourseFactory(authority=town, title="Smartphone-Kurs für Senioren")
    workshop = CourseFactory(authority=town, title="Ferienworkshop", kind=Kind.WORKSHOP,
                             audience=Audience.YOUNG)  # fmt: skip
    CourseFactory(authority=town, title="Entwurf im Büro", state=Event.State.DRAFT)
    past = timezone.now() - dt.timedelta(days=3)
    CourseFactory(authority=town, title="Längst vorbei", starts_at=past,
                  ends_at=past + dt.timedelta(hours=1))  # fmt: skip
    CourseFactory(authority=AuthorityFactory(slug="nachbarort"), title="Anderswo")
    page = Client().get("/veranstaltungen/").content.decode()
    assert course.title in page
    assert workshop.title in page
    for hidden in ("Entwurf im Büro", "Längst vorbei", "Anderswo"):
        assert hidden not in page
    page = Client().get("/veranstaltungen/?fuer=kinder-jugendliche").content.decode()
    assert workshop.title in page
    assert course.title not in page
    page = Client().get("/veranstaltungen/?art=kurs").content.decode()
    assert course.title in page
    assert workshop.title not in page
    response = Client().get("/veranstaltungen/?art=quatsch")
    assert response.status_code == 400
    assert "Diesen Filter gibt es nicht" in response.content.decode()
    # reached through "Mitmachen" in the main navigation
    assert 'href="/mitmachen/"' in Client().get("/").content.decode()
    assert 'href="/veranstaltungen/"' in Client().get("/mitmachen/").content.decode()


def test_the_calendar_feed_parses_back_with_every_public_event(town):
    course = CourseFactory(authority=town, title="Smartphone-Kurs für Senioren")
    cancelled = CourseFactory(authority=town, title="Workshop", state=Event.State.CANCELLED)
    CourseFactory(authority=town, title="Entwurf", state=Event.State.DRAFT)
    response = Client().get("/veranstaltungen/kalender.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    entries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"Smartphone-Kurs für Senioren", "Abgesagt: Workshop"}
    entry = entries[course.title]
    assert entry.decoded("dtstart") == course.starts_at
    assert entry.decoded("dtend") == course.ends_at
    assert str(entry["uid"]) == f"event-{course.uid}@barleben.rathaus"
    assert "Breiteweg 147" in str(entry["location"])
    assert str(entry["status"]) == "CONFIRMED"
    assert str(entries["Abgesagt: Workshop"]["status"]) == "CANCELLED"
    assert str(entries["Abgesagt: Workshop"]["url"]).endswith(f"/veranstaltungen/{cancelled.uid}/")
    assert calendar.walk("VTIMEZONE")

    single = Client().get(f"/veranstaltungen/{course.uid}/termin.ics")
    assert single.status_code == 200
    assert "attachment" in single["Content-Disposition"]
    [only] = Calendar.from_ical(single.content).walk("VEVENT")
    assert str(only["summary"]) == course.title


def test_open_hours_link_to_the_appointment_type(town):
    kind = AppointmentTypeFactory(location__authority=town, name="Digitalsprechstunde")
    hours = CourseFactory(authority=town, kind=Kind.OPEN_HOURS, registration_required=False,
                          capacity=None, appointment_type=kind)  # fmt: skip
    page = Client().get(f"/veranstaltungen/{hours.uid}/").content.decode()
    assert "Termin buchen: Digitalsprechstunde" in page
    assert f'href="/termine/{kind.location.slug}/{kind.pk}/"' in page
    assert "Keine Anmeldung nötig" in page
    assert 'name="consent"' not in page


def test_the_api_lists_published_events_with_their_free_places(town):
    course = CourseFactory(authority=town, capacity=12)
    CourseFactory(authority=town, state=Event.State.DRAFT)
    response = Client().get("/api/v1/events?authority=barleben")
    assert response.status_code == 200
    [found] = response.json()
    assert found["uid"] == str(course.uid)
    assert found["free_places"] == 12
    assert found["registration_open"] is True
    assert Client().get(f"/api/v1/events/{course.uid}").json()["title"] == course.title
    draft = Event.objects.get(state=Event.State.DRAFT)
    assert Client().get(f"/api/v1/events/{draft.uid}").status_code == 404
    schema = Client().get("/api/v1/openapi.json").json()
    assert "/api/v1/events" in schema["paths"]
    # the schema's lists of kinds and target groups are the models'
    from typing import get_args

    from rathaus.events import api

    assert set(get_args(api.EventKind)) == set(Kind.values)
    assert set(get_args(api.TargetGroup)) == set(Audience.values)


def test_the_list_and_the_api_do_not_query_per_event(town, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.RATHAUS_PAGE_CACHE_SECONDS = 0

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(path).status_code == 200
        return len(captured)

    CourseFactory(authority=town)
    few = (queries("/veranstaltungen/"), queries("/api/v1/events?authority=barleben"))
    for _ in range(5):
        RegistrationFactory(event=CourseFactory(authority=town))
    assert (queries("/veranstaltungen/"), queries("/api/v1/events?authority=barleben")) == few

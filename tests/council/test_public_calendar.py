"""The meetings as iCalendar: every not-deleted meeting of the request's council (or of one
committee), cancelled ones with STATUS:CANCELLED, stable UIDs, Berlin times; one meeting's
"add to my calendar" file."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from icalendar import Calendar

from tests.factories import (
    AuthorityFactory,
    BodyFactory,
    MeetingFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def body(settings):
    settings.RATHAUS_DEFAULT_AUTHORITY = "barleben"
    town = AuthorityFactory(slug="barleben", name="Gemeinde Barleben")
    return BodyFactory(authority=town, name="Gemeinderat Barleben")


def events(response) -> dict[str, object]:
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_every_meeting_with_its_state_and_berlin_times(body):
    council = OrganizationFactory(body=body, name="Gemeinderat")
    start = dt.datetime(2026, 12, 15, 18, 0, tzinfo=BERLIN)
    held = MeetingFactory(body=body, name="5. Sitzung", start=start,
                          end=start + dt.timedelta(hours=3))  # fmt: skip
    held.organizations.add(council)
    cancelled = MeetingFactory(body=body, name="Sondersitzung", cancelled=True)
    MeetingFactory(body=body, name="Gelöscht", deleted=True)
    MeetingFactory(body=BodyFactory(), name="Woanders")

    found = events(Client().get("/rat/sitzungen.ics"))

    assert set(found) == {"5. Sitzung", "Abgesagt: Sondersitzung"}
    event = found["5. Sitzung"]
    assert event["UID"] == f"council-meeting-{held.pk}@barleben.rathaus"
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == start
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTEND") == start + dt.timedelta(hours=3)
    assert "DTSTAMP" in event
    assert "Ernst-Thälmann-Straße 22" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(f"/rat/sitzungen/{held.pk}/")
    assert "Gemeinderat" in str(event["DESCRIPTION"])
    gone = found["Abgesagt: Sondersitzung"]
    assert gone["STATUS"] == "CANCELLED"
    assert gone["UID"] == f"council-meeting-{cancelled.pk}@barleben.rathaus"


def test_the_feed_of_one_committee_and_a_bad_committee(body):
    building = OrganizationFactory(body=body, name="Bauausschuss")
    MeetingFactory(body=body, name="Bau").organizations.add(building)
    MeetingFactory(body=body, name="Rat")
    client = Client()

    assert set(events(client.get(f"/rat/sitzungen.ics?gremium={building.pk}"))) == {"Bau"}
    for bad in ("abc", "999999", str(OrganizationFactory(body=BodyFactory()).pk)):
        response = client.get(f"/rat/sitzungen.ics?gremium={bad}")
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"


def test_the_feed_answers_304_when_nothing_changed(body):
    meeting = MeetingFactory(body=body, name="Sitzung")
    client = Client()
    etag = client.get("/rat/sitzungen.ics")["ETag"]
    assert client.get("/rat/sitzungen.ics", HTTP_IF_NONE_MATCH=etag).status_code == 304
    meeting.name = "Sitzung, verlegt"
    meeting.save()
    changed = client.get("/rat/sitzungen.ics", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert "Sitzung, verlegt" in events(changed)


def test_one_meeting_as_a_file_for_the_calendar(body):
    meeting = MeetingFactory(body=body, name="5. Sitzung")
    MeetingFactory(body=body, name="Andere")
    response = Client().get(f"/rat/sitzungen/{meeting.pk}/termin.ics")
    assert set(events(response)) == {"5. Sitzung"}
    assert "attachment" in response["Content-Disposition"]
    deleted = MeetingFactory(body=body, deleted=True)
    assert Client().get(f"/rat/sitzungen/{deleted.pk}/termin.ics").status_code == 404

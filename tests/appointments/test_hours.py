"""The hours a location publishes for appointments are the hours its calendar offers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from rathaus.appointments.hours import location_hours, merged, weekly_hours
from rathaus.appointments.models import Location, OpeningHours

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

WEEKDAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]


def hours(weekday: int, start: str, end: str) -> OpeningHours:
    return OpeningHours(
        weekday=weekday, start=dt.time.fromisoformat(start), end=dt.time.fromisoformat(end)
    )


def test_overlapping_and_touching_intervals_are_one():
    nine, ten, twelve, one, six = (dt.time(h) for h in (9, 10, 12, 13, 18))
    assert merged([(ten, twelve), (nine, twelve), (twelve, one), (one, six)]) == [(nine, six)]
    assert merged([(one, six), (nine, twelve)]) == [(nine, twelve), (one, six)]


def test_two_desks_with_the_same_hours_read_as_one_line_per_day_in_german():
    entries = [
        hours(1, "13:00", "18:00"),
        hours(0, "09:00", "12:00"),
        hours(0, "09:00", "12:00"),
        hours(1, "09:00", "12:00"),
        hours(3, "09:30", "12:00"),
    ]
    with translation.override("de"):
        lines = [str(day) for day in weekly_hours(entries)]
    assert lines == ["Montag 9–12 Uhr", "Dienstag 9–12 und 13–18 Uhr", "Donnerstag 9:30–12 Uhr"]


def _published(text: str) -> dict[int, list[tuple[dt.time, dt.time]]]:
    """Weekday → intervals, read from a German opening-hours text of the demo."""
    result: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for line in text.splitlines():
        days = [n for n, name in enumerate(WEEKDAYS_DE) if name in line]
        spans = [
            (dt.time(int(h1), int(m1 or 0)), dt.time(int(h2), int(m2 or 0)))
            for h1, m1, h2, m2 in re.findall(r"(\d+)(?::(\d+))?–(\d+)(?::(\d+))?", line)
        ]
        for day in days:
            result.setdefault(day, []).extend(spans)
    return result


@pytest.mark.django_db
def test_the_demo_offers_appointments_only_within_the_published_opening_hours(barleben):
    checked = 0
    for location in Location.objects.filter(authority=barleben).select_related("org_unit"):
        published = _published(location.org_unit.opening_hours)
        for day in location_hours(location.pk):
            entries = OpeningHours.objects.filter(
                resource__location=location, resource__active=True, weekday=day.weekday
            )
            for entry in entries:
                assert any(
                    start <= entry.start and entry.end <= end
                    for start, end in published.get(day.weekday, [])
                ), f"{location}: {entry} is not in the published hours"
                checked += 1
    assert checked > 10


@pytest.mark.django_db
def test_the_appointments_page_shows_the_bookable_hours_of_each_location(barleben):
    page = Client().get("/termine/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Termine gibt es zu diesen Zeiten:" in text
    assert "<li>Dienstag 9–12 und 13–18 Uhr</li>" in text  # Bürgerbüro, two desks
    assert "<li>Dienstag 15–18 Uhr</li>" in text  # Digitalwerkstatt
    assert "Mittwoch" not in text  # the town hall is closed on Wednesdays

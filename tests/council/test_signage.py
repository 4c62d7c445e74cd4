"""The council's next meetings on the screens of the notice board (``council.meetings``):
within the days of the option (default 14), committee, day and time in words, place; cancelled
ones marked; deleted ones and those of other councils left out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.core import signage
from tests.factories import AuthorityFactory
from tests.factories.council import (
    BodyFactory,
    LocationFactory,
    MeetingFactory,
    OrganizationFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # counts queries: PostgreSQL too


def _at(days: int, hour: int = 18) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_next_meetings_in_words_within_the_days_ahead(django_assert_max_num_queries):
    town = AuthorityFactory()
    body = BodyFactory(authority=town)
    place = LocationFactory(body=body, description="Rathaus Barleben, Ratssaal")
    council = OrganizationFactory(body=body, name="Gemeinderat")
    building = OrganizationFactory(body=body, name="Bauausschuss")
    tomorrow = MeetingFactory(body=body, start=_at(1), end=_at(1, 21), location=place)
    tomorrow.organizations.add(council)
    cancelled = MeetingFactory(body=body, start=_at(10), end=_at(10, 21), location=place,
                               cancelled=True)  # fmt: skip
    cancelled.organizations.add(building)
    MeetingFactory(body=body, start=_at(20), end=_at(20, 21))  # beyond 14 days
    MeetingFactory(body=body, start=_at(-2), end=_at(-2, 21))  # past
    MeetingFactory(body=body, start=_at(2), end=_at(2, 21), deleted=True)
    MeetingFactory(body=BodyFactory(authority=AuthorityFactory()), start=_at(1), end=_at(1, 21))
    source = signage.get("council.meetings")
    with django_assert_max_num_queries(2):
        slides = source.slides(town, {})
    assert [slide.title for slide in slides] == ["Gemeinderat", "Bauausschuss"]
    first, second = slides
    assert first.heading == "Sitzung"
    assert first.lines == ["morgen, 18:00 Uhr", "Rathaus Barleben, Ratssaal"]
    assert first.path == f"/rat/sitzungen/{tomorrow.pk}/"
    assert second.heading == "Sitzung abgesagt"
    assert second.severity == "warning"
    # said once, in the heading: the lines are the day and the place
    assert second.lines[0].endswith(", 18:00 Uhr")
    assert second.lines[0].count(",") == 2  # "Donnerstag, 17. Dezember, 18:00 Uhr"
    assert second.lines[1] == "Rathaus Barleben, Ratssaal"
    assert not any("abgesagt" in line.lower() for line in second.lines)
    # the label on the screen's footer is for passers-by
    assert str(source.label) == "Nächste Sitzungen des Gemeinderates"
    assert [s.title for s in source.slides(town, {"days": 3})] == ["Gemeinderat"]
    assert len(source.slides(town, {"days": 30})) == 3
    # nonsense in the options: the default
    assert len(source.slides(town, {"days": "viele"})) == 2


def test_a_meeting_under_way_still_shows_and_one_without_an_organisation_by_its_name():
    town = AuthorityFactory()
    body = BodyFactory(authority=town)
    now = timezone.now()
    MeetingFactory(body=body, name="5. Sitzung des Gemeinderates",
                   start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=2))  # fmt: skip
    slides = signage.get("council.meetings").slides(town, {})
    assert [slide.title for slide in slides] == ["5. Sitzung des Gemeinderates"]
    assert slides[0].lines[0].startswith("heute, ")

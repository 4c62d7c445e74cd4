"""The rules of the assembly notice: the form's own rules and the check ``assemblies.notice``
(48-hour rule of § 12 (1) VersammlG LSA, dates, route, GeoJSON line), through the form's spec
as the pages and the API use it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from rathaus.assemblies import install, rules
from rathaus.forms import packages
from rathaus.forms.engine import FormSpec

NOW = dt.datetime(2027, 5, 3, 12, 0, tzinfo=dt.UTC)  # a Monday, 14:00 in Berlin


@pytest.fixture(scope="module")
def spec() -> FormSpec:
    package = packages.read(install.FORM_PACKAGE)
    return FormSpec(package["schema"], package["layout"])


def notice(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "notice_path": "regular",
        "organiser_kind": "person",
        "name": "Ilse Beispiel",
        "address": {"street": "Breiteweg 1", "postal_code": "39179", "place": "Barleben"},
        "email": "ilse@example.org",
        "leader_name": "Ilse Beispiel",
        "police_phone": "0170 1234567",
        "topic": "Für einen sicheren Schulweg",
        "start_date": "2027-05-20",
        "start_time": "15:00",
        "end_date": "2027-05-20",
        "end_time": "17:00",
        "announcement_date": "2027-05-06",
        "announcement_time": "09:00",
        "expected_participants": 100,
        "stewards": 4,
        "assembly_form": "stationary",
        "place": "Barleben, vor dem Rathaus",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors(spec: FormSpec, data: dict[str, Any], now: dt.datetime = NOW) -> dict[str, list[str]]:
    with mock.patch.object(timezone, "now", return_value=now):
        return spec.errors(data)


def test_a_complete_notice_is_valid(spec: FormSpec) -> None:
    assert errors(spec, notice()) == {}


def test_a_start_in_the_past_is_refused(spec: FormSpec) -> None:
    found = errors(spec, notice(start_date="2027-05-03", start_time="13:59",
                                announcement_date=None, announcement_time=None,
                                notice_path="urgent", urgency_reason="Der Anlass ist neu."))  # fmt: skip
    assert found == {"start_date": ["Der Beginn liegt in der Vergangenheit. Bitte prüfen Sie "
                                    "Datum und Uhrzeit."],
                     "announcement_date": ["Bitte geben Sie an, wann Sie die Versammlung "
                                           "bekannt geben wollen."],
                     "announcement_time": ["Bitte geben Sie die Uhrzeit der Bekanntgabe an."]}  # fmt: skip


def test_the_end_must_be_after_the_start(spec: FormSpec) -> None:
    found = errors(spec, notice(end_time="15:00"))
    assert found == {"end_date": ["Das Ende muss nach dem Beginn liegen."]}
    assert errors(spec, notice(end_date="2027-05-19", end_time="18:00")) == found


def test_the_announcement_must_be_before_the_start(spec: FormSpec) -> None:
    found = errors(spec, notice(announcement_date="2027-05-20", announcement_time="15:30"))
    assert found == {
        "announcement_date": ["Die Bekanntgabe muss vor dem Beginn der Versammlung liegen."]
    }


@pytest.mark.parametrize(
    ("day", "time", "valid"),
    [
        ("2027-05-05", "14:00", True),  # exactly 48 hours after the notice (14:00 in Berlin)
        ("2027-05-05", "13:59", False),  # a minute short
        ("2027-05-04", "09:00", False),
    ],
)
def test_the_announcement_comes_at_least_48_hours_after_the_notice(
    spec: FormSpec, day: str, time: str, valid: bool
) -> None:
    found = errors(spec, notice(announcement_date=day, announcement_time=time))
    if valid:
        assert found == {}
    else:
        assert list(found) == ["announcement_date"]
        message = found["announcement_date"][0]
        assert "mindestens 48 Stunden" in message
        assert "Eilversammlung" in message
        assert "5. Mai 2027 14:00" in message  # the earliest announcement, in Berlin time


def test_weekends_count_in_saxony_anhalt(spec: FormSpec) -> None:
    """Friday 14:00 → Sunday 14:00 is enough: § 12 VersammlG LSA leaves out no days."""
    friday = dt.datetime(2027, 5, 7, 12, 0, tzinfo=dt.UTC)
    data = notice(announcement_date="2027-05-09", announcement_time="14:00")
    assert errors(spec, data, now=friday) == {}


def test_an_urgent_assembly_needs_its_reason_but_no_48_hours(spec: FormSpec) -> None:
    short = {"announcement_date": "2027-05-03", "announcement_time": "18:00",
             "start_date": "2027-05-04", "start_time": "17:00",
             "end_date": "2027-05-04", "end_time": "18:00"}  # fmt: skip
    found = errors(spec, notice(notice_path="urgent", **short))
    assert found == {"urgency_reason": [
        "Bitte begründen Sie, warum Sie die Frist von 48 Stunden nicht einhalten können. Ohne "
        "Begründung ist nur die Anmeldung mit Frist möglich."]}  # fmt: skip
    reason = "Der Gemeinderat entscheidet morgen; die Tagesordnung kam gestern."
    assert errors(spec, notice(notice_path="urgent", urgency_reason=reason, **short)) == {}


def test_a_spontaneous_assembly_has_no_announcement_and_may_have_begun_today(
    spec: FormSpec,
) -> None:
    data = notice(notice_path="spontaneous", announcement_date=None, announcement_time=None,
                  leader_name=None, start_date="2027-05-03", start_time="13:30",
                  end_date="2027-05-03", end_time="15:00")  # fmt: skip
    assert errors(spec, data) == {}
    yesterday = {**data, "start_date": "2027-05-02", "end_date": "2027-05-03"}
    assert errors(spec, yesterday) == {
        "start_date": ["Der Beginn liegt in der Vergangenheit. Bitte prüfen Sie das Datum."]
    }
    # the announcement questions are not asked: their answers are hidden answers
    assert spec.hidden_answers({**data, "announcement_date": "2027-05-10"}) == ["announcement_date"]


def test_a_procession_needs_a_street(spec: FormSpec) -> None:
    procession = notice(assembly_form="procession", place=None,
                        assembly_point="Schulplatz", closing_point="Rathaus")  # fmt: skip
    assert errors(spec, procession) == {
        "route": ["Bitte nennen Sie mindestens eine Straße, durch die der Aufzug zieht."]
    }
    assert errors(spec, {**procession, "route": [{"street": "Breiteweg"}]}) == {}
    assert "route.0.street" in errors(spec, {**procession, "route": [{}]})


def line(*points: Any) -> str:
    return json.dumps({"type": "LineString", "coordinates": list(points)})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not json", "Der Weg auf der Karte kann nicht gelesen werden."),
        ('{"type": "Point", "coordinates": [11.6, 52.2]}', "muss eine Linie"),
        (line([11.6, 52.2]), "mindestens zwei Punkte"),
        (line([11.6, 52.2], ["11.7", 52.2]), "ein Paar von Zahlen"),
        (line([52.2, 11.6], [52.21, 11.62]), "außerhalb Deutschlands"),  # lat/lon swapped
        (line([2.35, 48.85], [2.36, 48.86]), "außerhalb Deutschlands"),  # Paris
    ],
)
def test_a_bad_route_line_is_refused_with_a_clear_message(
    spec: FormSpec, value: str, message: str
) -> None:
    procession = notice(assembly_form="procession", place=None, assembly_point="Schulplatz",
                        closing_point="Rathaus", route=[{"street": "Breiteweg"}],
                        route_line=value)  # fmt: skip
    found = errors(spec, procession)
    assert list(found) == ["route_line"]
    assert message in found["route_line"][0]


def test_a_route_line_in_germany_is_kept(spec: FormSpec) -> None:
    value = line([11.6275, 52.204], [11.6222, 52.2016], [11.6171, 52.2001])
    procession = notice(assembly_form="procession", place=None, assembly_point="Schulplatz",
                        closing_point="Rathaus", route=[{"street": "Breiteweg"}],
                        route_line=value)  # fmt: skip
    assert errors(spec, procession) == {}
    assert rules.parse_line(value) == [(11.6275, 52.204), (11.6222, 52.2016), (11.6171, 52.2001)]


def test_the_check_is_not_sent_to_the_browser(spec: FormSpec) -> None:
    kinds = {rule["kind"] for index in range(len(spec.steps)) for rule in spec.browser_rules(index)}
    assert "check" not in kinds
    assert "required_if" in kinds


def test_a_layout_naming_an_unknown_check_or_script_is_refused() -> None:
    from rathaus.forms.engine.definition import definition_problems

    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    layout = {
        "steps": [{"id": "s", "elements": [{"field": "a", "widget": "text", "label": "A"}]}],
        "rules": [{"kind": "check", "check": "nowhere", "field": "a"}],
        "scripts": ["nothing"],
    }
    problems = definition_problems(schema, layout)
    assert any("'nowhere', which is not a registered check" in p for p in problems)
    assert any("'nothing', which is not registered" in p for p in problems)


def test_the_demo_notices_keep_the_rules(spec: FormSpec) -> None:
    from rathaus.assemblies.demo import demo_notices

    now = timezone.now()
    notices = demo_notices(timezone.localdate(now))
    assert [errors(spec, data, now=now) for data in notices] == [{}, {}]
    assert [spec.hidden_answers(data) for data in notices] == [[], []]


def test_an_hour_without_its_leading_zero_is_checked_too(spec: FormSpec) -> None:
    """ "9:00" passes the time question; the 48-hour rule must still see it."""
    found = errors(spec, notice(announcement_date="2027-05-04", announcement_time="9:00"))
    assert list(found) == ["announcement_date"]
    assert errors(spec, notice(start_time="9:30", end_time="8:00")) == {
        "end_date": ["Das Ende muss nach dem Beginn liegen."]
    }


def test_the_earliest_announcement_shown_is_rounded_up_to_a_full_minute(spec: FormSpec) -> None:
    """At 14:00:30 the earliest announcement is 14:00:30 two days later: 14:01 is shown,
    and 14:01 is then accepted."""
    now = NOW + dt.timedelta(seconds=30)
    found = errors(spec, notice(announcement_date="2027-05-05", announcement_time="14:00"), now)
    assert "5. Mai 2027 14:01" in found["announcement_date"][0]
    assert (
        errors(spec, notice(announcement_date="2027-05-05", announcement_time="14:01"), now) == {}
    )

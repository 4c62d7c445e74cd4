"""Public holidays of the authority's Land close its calendars, and the calendar names them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rathaus.appointments import calendar
from rathaus.appointments.availability import free_slots, holiday_name, is_holiday
from rathaus.core.models import Authority
from tests.factories import PASSWORD, OrgUnitFactory
from tests.support import MONDAY, berlin, clerk_of, log_in

SUNDAY_NOON = berlin(MONDAY - dt.timedelta(days=1), 12)
REFORMATIONSTAG = dt.date(2025, 10, 31)  # a Friday; a holiday in ST, SN, TH …, not in BY
BUSS_UND_BETTAG = dt.date(2025, 11, 19)  # a Wednesday; a holiday in Saxony only


def _in_land(office, state: str) -> None:
    Authority.objects.filter(pk=office.location.authority_id).update(state=state)


def test_the_holidays_are_those_of_the_authoritys_land(office):
    assert office.location.authority.state == "ST"  # the default
    assert free_slots(office.kind, REFORMATIONSTAG, REFORMATIONSTAG, now=SUNDAY_NOON) == []
    _in_land(office, "BY")
    assert free_slots(office.kind, REFORMATIONSTAG, REFORMATIONSTAG, now=SUNDAY_NOON)
    assert is_holiday(REFORMATIONSTAG, "ST")
    assert not is_holiday(REFORMATIONSTAG, "BY")


def test_a_saxon_office_is_closed_on_buss_und_bettag(office):
    office.location.booking_horizon_days = 60
    office.location.save()
    assert free_slots(office.kind, BUSS_UND_BETTAG, BUSS_UND_BETTAG, now=SUNDAY_NOON)
    _in_land(office, "SN")
    assert free_slots(office.kind, BUSS_UND_BETTAG, BUSS_UND_BETTAG, now=SUNDAY_NOON) == []
    assert holiday_name(BUSS_UND_BETTAG, "SN") == "Buß- und Bettag"


def _day(month: calendar.Month, day: dt.date) -> calendar.Day:
    return next(d for week in month.weeks for d in week if d is not None and d.date == day)


def test_the_calendar_names_the_holiday_of_a_closed_day(office):
    october = calendar.month_view(office.kind, dt.date(2025, 10, 1), now=SUNDAY_NOON)
    friday = _day(october, REFORMATIONSTAG)
    assert friday.state == calendar.DayState.CLOSED
    assert friday.holiday == "Reformationstag"
    sunday = _day(october, REFORMATIONSTAG - dt.timedelta(days=5))
    assert sunday.state == calendar.DayState.CLOSED  # no opening hours: no holiday to name
    assert sunday.holiday == ""
    _in_land(office, "BY")
    october = calendar.month_view(office.kind, dt.date(2025, 10, 1), now=SUNDAY_NOON)
    assert _day(october, REFORMATIONSTAG).state == calendar.DayState.FREE
    assert _day(october, REFORMATIONSTAG).holiday == ""


def test_holiday_names_follow_the_language():
    christmas = dt.date(2026, 12, 25)
    with translation.override("de"):
        assert holiday_name(christmas, "BY") == "Erster Weihnachtstag"
    with translation.override("en"):
        assert holiday_name(christmas, "BY") == "Christmas Day"
    assert holiday_name(dt.date(2026, 12, 23), "BY") == ""


def test_the_land_must_match_the_regional_key(office):
    authority = office.location.authority
    assert authority.ars.startswith("15")  # Sachsen-Anhalt
    authority.state = "BY"
    with pytest.raises(ValidationError) as refused:
        authority.full_clean()
    assert "state" in refused.value.message_dict
    authority.state = "ST"
    authority.full_clean()


def test_staff_edit_the_land_in_the_admin(db):
    unit = OrgUnitFactory()
    user = clerk_of(unit, "verwaltung", is_staff=True, is_superuser=True)
    client = log_in(Client(), user.username, PASSWORD)
    authority = unit.authority
    url = reverse("admin:core_authority_change", args=[authority.pk])
    form = client.get(url).context["adminform"].form
    assert form["state"].value() == "ST"
    assert ("BY", "Bayern") in form.fields["state"].choices
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"hosts-TOTAL_FORMS": "0", "hosts-INITIAL_FORMS": "0"})
    data["state"] = "BY"
    response = client.post(url, data)
    assert response.status_code == 200  # ARS 15… is Sachsen-Anhalt: refused at the field
    assert "state" in response.context["adminform"].form.errors
    data["ars"] = "091620000000"  # München
    data["ags"] = "09162000"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    authority.refresh_from_db()
    assert authority.state == "BY"

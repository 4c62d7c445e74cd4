"""The stage the applicant sees beside the status ("versandt"): the BPMN topic ``set_stage``,
its timeline entry, and "Meine Anträge"."""

from __future__ import annotations

import pytest

from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account
from rathaus.cases import process_tasks
from rathaus.cases.models import Case, CaseEvent
from rathaus.core.models import OrgUnit
from rathaus.core.service_tasks import Context, HandlerFailed, service_tasks
from tests.factories import CaseFactory
from tests.support import citizen_client, get_page

pytestmark = pytest.mark.django_db


def stage(case: Case, label: str) -> None:
    service_tasks.get("set_stage")(Context(case=case, actor=None, params={"label": label}, data={}))


@pytest.fixture
def order(barleben) -> Case:
    account = Account.objects.get(user__username=CITIZEN_EMAIL)
    unit = OrgUnit.objects.get(authority=barleben, slug="standesamt")
    return CaseFactory(org_unit=unit, account=account, status=Case.Status.IN_PROGRESS)


def test_set_stage_is_a_registered_topic() -> None:
    assert service_tasks.get("set_stage") is process_tasks.set_stage


def test_set_stage_sets_the_word_and_records_it_for_staff_and_applicant(order: Case) -> None:
    stage(order, "versandt")
    order.refresh_from_db()
    assert order.public_stage == "versandt"
    assert order.status == Case.Status.IN_PROGRESS
    event = CaseEvent.objects.get(case=order, kind="stage_set")
    assert (event.old, event.new, event.visible_to_applicant) == ("", "versandt", True)
    stage(order, "versandt")  # the same word again records nothing
    assert CaseEvent.objects.filter(case=order, kind="stage_set").count() == 1
    stage(order, "zur Abholung bereit")
    assert CaseEvent.objects.filter(case=order, kind="stage_set").last().old == "versandt"


def test_set_stage_needs_a_label(order: Case) -> None:
    with pytest.raises(HandlerFailed, match="label"):
        stage(order, "  ")
    with pytest.raises(HandlerFailed, match="60 Zeichen"):
        stage(order, "x" * 61)


def test_my_applications_show_the_stage_beside_the_status(order: Case, client) -> None:
    citizen = citizen_client()
    reference = order.submission.reference
    assert "Versandt" not in get_page(citizen, "/konto/antraege/")
    stage(order, "versandt")
    listing = get_page(citizen, "/konto/antraege/")
    assert "In Bearbeitung" in listing
    assert "Versandt" in listing
    page = get_page(citizen, f"/konto/antraege/{reference}/")
    assert "In Bearbeitung – versandt" in page
    assert "Ihr Antrag: versandt" in page


def test_the_staff_timeline_names_the_stage(order: Case) -> None:
    from django.test import Client

    from tests.factories import PASSWORD
    from tests.support import clerk_of, log_in

    stage(order, "versandt")
    clerk_of(order.org_unit, "urkundenclerk")
    staff = log_in(Client(), "urkundenclerk", PASSWORD)
    page = get_page(staff, f"/verwaltung/vorgaenge/{order.number}/?tab=verlauf")
    assert "Zwischenstand für die antragstellende Person: versandt" in page

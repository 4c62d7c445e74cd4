"""Lanes visible to staff (ADR 0037): the task list offers a clerk only tasks of their lanes and
names each task's lane; the case and task pages show the lane; one rule (``core.lanes``) decides,
also when a task is completed. A real Camunda 7 model with a Camunda Form runs through the staff
pages."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from rathaus.core import roles
from rathaus.core.lanes import lane_rule
from rathaus.processes import engine
from rathaus.processes.models import ProcessInstance, ProcessTask
from tests.factories import (
    PASSWORD,
    CaseFactory,
    FormVersionFactory,
    MembershipFactory,
    OrgUnitFactory,
    ProcessInstanceFactory,
    ProcessTaskFactory,
)
from tests.support import clerk_of, log_in, post_data

pytestmark = [pytest.mark.django_db, pytest.mark.database]  # lane names compare in the database
REAL = Path(__file__).resolve().parent.parent / "data" / "bpmn" / "real"
TASKS = "/verwaltung/vorgaenge/?ansicht=aufgaben"


@pytest.fixture
def unit():
    return OrgUnitFactory(name="Bürgerbüro", slug="buergerbuero")


@pytest.fixture
def other(unit):
    return OrgUnitFactory(authority=unit.authority, name="Ordnungsamt", slug="ordnungsamt")


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "kim")


def my_case(unit, clerk, lane: str) -> ProcessTask:
    """An assigned case of the clerk whose only open task lies in ``lane``."""
    instance = ProcessInstanceFactory(case=CaseFactory(org_unit=unit, assignee=clerk))
    ProcessTask.objects.filter(instance=instance).update(status="cancelled")
    return ProcessTaskFactory(instance=instance, lane=lane, title=f"Aufgabe {lane or 'ohne'}")


def test_the_rule_filters_tasks_as_it_allows_them(unit, other, clerk) -> None:
    lanes = ["", "Bürgerbüro", "ordnungsamt", roles.HEAD, roles.CLERK, "Antragsteller"]
    tasks = [my_case(unit, clerk, lane) for lane in lanes]
    rule = lane_rule(clerk)
    allowed = {task.lane for task in tasks if rule.allows(task.lane, unit.authority_id)}
    assert allowed == {"", "Bürgerbüro", roles.CLERK, "Antragsteller"}
    assert allowed == {t.lane for t in rule.filter(ProcessTask.objects.filter(status="open"))}
    assert allowed == {t.lane for t in tasks if engine.lane_allows(t, clerk)}


def test_my_tasks_offers_only_tasks_of_my_lanes_and_names_the_lane(unit, other, clerk) -> None:
    mine = my_case(unit, clerk, "Bürgerbüro")
    theirs = my_case(unit, clerk, "Ordnungsamt")
    client = log_in(Client(), clerk.username, PASSWORD)
    page = client.get(TASKS).content.decode()
    assert mine.case.number in page
    assert "Aufgabe Bürgerbüro" in page
    assert "Zuständig: Bürgerbüro" in page
    assert theirs.case.number not in page
    MembershipFactory(user=clerk, org_unit=other)
    assert theirs.case.number in client.get(TASKS).content.decode()


def test_my_tasks_reads_as_many_queries_for_12_cases_as_for_2(unit, clerk) -> None:
    client = log_in(Client(), clerk.username, PASSWORD)

    def count() -> int:
        client.get(TASKS)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(TASKS).status_code == 200
        return len(queries.captured_queries)

    for lane in ("", roles.CLERK):
        my_case(unit, clerk, lane)
    few = count()
    for index in range(10):
        my_case(unit, clerk, ["", "Bürgerbüro", roles.CLERK][index % 3])
    assert count() == few


def test_the_case_and_task_pages_show_the_lane_and_refuse_other_lanes(unit, other, clerk) -> None:
    task = my_case(unit, clerk, "Ordnungsamt")
    client = log_in(Client(), clerk.username, PASSWORD)
    case_page = client.get(f"/verwaltung/vorgaenge/{task.case.number}/").content.decode()
    url = f"/verwaltung/vorgaenge/{task.case.number}/aufgaben/{task.pk}/"
    assert "Ordnungsamt" in case_page
    assert url not in case_page
    task_page = client.get(url).content.decode()
    assert "Zuständig: Ordnungsamt" in task_page
    assert "Nur die Mitglieder der Zuständigkeit „Ordnungsamt“" in task_page
    assert 'name="csrfmiddlewaretoken"' not in task_page.split("<h1", 1)[1].split("</main>")[0]
    response = client.post(url, {})
    assert response.status_code == 302
    assert ProcessTask.objects.get(pk=task.pk).status == "open"
    own = my_case(unit, clerk, "Bürgerbüro")
    own_url = f"/verwaltung/vorgaenge/{own.case.number}/aufgaben/{own.pk}/"
    assert own_url in client.get(f"/verwaltung/vorgaenge/{own.case.number}/").content.decode()


def test_a_camunda_form_is_filled_in_on_the_staff_task_page(unit, clerk, tmp_path) -> None:
    folder = tmp_path / "invoice"
    (folder / "forms").mkdir(parents=True)
    shutil.copyfile(REAL / "camunda7-invoice-approval.bpmn", folder / "process.bpmn")
    for form in (REAL / "forms" / "camunda7-invoice-approval").glob("*.form"):
        shutil.copyfile(form, folder / "forms" / form.name)
    case = CaseFactory(org_unit=unit, assignee=clerk, form_version=FormVersionFactory())
    report = StringIO()
    with translation.override("en"):
        call_command("import_process", str(folder), slug="invoice", stdout=report,
                     form=case.submission.form_version.definition.slug)  # fmt: skip
    assert "“start-form” is not named by any user task" in report.getvalue()
    instance = engine.start(case)
    assert instance is not None
    task = ProcessTask.objects.get(instance=instance, status="open")
    client = log_in(Client(), clerk.username, PASSWORD)
    url = f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/"
    page = client.get(url).content.decode()
    assert "Approve Invoice" in page
    assert "Creditor" in page
    assert "C-123" in page
    refused = client.post(url, post_data(page, creditor="Stadtwerke", amount="zwölf",
                                         approved="true"))  # fmt: skip
    assert refused.status_code == 422  # the pattern of the Camunda Form is checked
    answers = {"creditor": "Stadtwerke", "amount": "120", "invoiceNumber": "C-7",
               "approved": "true", "approvedBy": "Kim"}  # fmt: skip
    response = client.post(url, post_data(page, **answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.COMPLETED
    task.refresh_from_db()
    assert task.answers == answers

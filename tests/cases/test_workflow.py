"""The status table of cases: every allowed change works, every other one is refused — in the
service, on the staff page (a message) and in the API (409) — and "decided" needs the decision."""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from django.template.loader import get_template
from django.test import Client
from django.utils import translation

from rathaus.cases import actions, process_tasks, services, staff_actions, workflow
from rathaus.cases.events import CaseAssigned, CaseChanged, CaseStatusChanged
from rathaus.cases.models import Case, CaseEvent
from rathaus.cases.timeline import UNKNOWN_PUBLIC, UNKNOWN_STAFF, event_kinds
from rathaus.core import events
from rathaus.core.models import AuditEvent
from rathaus.core.service_tasks import Context, HandlerFailed
from tests.factories import PASSWORD, CaseDocumentFactory, CaseFactory, OrgUnitFactory
from tests.support import api, clerk_of, log_in, make_key

pytestmark = [pytest.mark.django_db, pytest.mark.database]

S = Case.Status
REFUSED = [pair for pair in itertools.permutations(S.values, 2) if pair not in workflow.TRANSITIONS]


@pytest.fixture
def unit(db):
    return OrgUnitFactory(name="Bürgerbüro", slug="buergerservice")


@pytest.fixture
def clerk(unit):
    return clerk_of(unit, "sachbearbeitung", first_name="Kim", last_name="Beispiel")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def case_in(unit, status: str, *, decision: bool = False) -> Case:
    case = CaseFactory(org_unit=unit, status=status)
    if decision:
        CaseDocumentFactory(case=case)
    return case


def test_the_table_is_what_the_documentation_says():
    assert workflow.targets(S.NEW) == [S.IN_PROGRESS, S.WAITING, S.DECIDED, S.CLOSED]
    assert workflow.targets(S.IN_PROGRESS) == [S.WAITING, S.DECIDED, S.CLOSED]
    assert workflow.targets(S.WAITING) == [S.IN_PROGRESS, S.DECIDED, S.CLOSED]
    assert workflow.targets(S.DECIDED) == [S.IN_PROGRESS, S.WAITING, S.CLOSED]
    assert workflow.targets(S.CLOSED) == []
    # Nothing leads back to "new"; every way into "decided" has the decision guard.
    assert not [pair for pair in workflow.TRANSITIONS if pair[1] == S.NEW]
    assert all(
        guard is workflow.DECISION_NEEDED
        for (_old, new), guard in workflow.TRANSITIONS.items()
        if new == S.DECIDED
    )


@pytest.mark.parametrize(("old", "new"), list(workflow.TRANSITIONS))
def test_every_allowed_transition_works(unit, clerk, media, old, new):
    case = case_in(unit, old, decision=new == S.DECIDED)
    services.set_status(case, clerk, new)
    case.refresh_from_db()
    assert case.status == new
    assert (case.closed_at is not None) == (new == S.CLOSED)
    event = CaseEvent.objects.get(case=case)
    assert (event.kind, event.old, event.new, event.actor) == ("status", old, new, clerk)
    assert event.visible_to_applicant
    assert AuditEvent.objects.filter(action="case.status", object_id=str(case.pk)).exists()


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_a_transition_not_in_the_table_is_refused(unit, clerk, media, old, new):
    case = case_in(unit, old, decision=True)
    with pytest.raises(workflow.TransitionRefused) as refused:
        services.set_status(case, clerk, new)
    assert (refused.value.current, refused.value.target) == (old, new)
    assert refused.value.allowed == workflow.targets(old)
    case.refresh_from_db()
    assert case.status == old
    assert not CaseEvent.objects.filter(case=case).exists()


@pytest.mark.parametrize("old", [S.NEW, S.IN_PROGRESS, S.WAITING])
def test_decided_without_a_decision_document_is_refused(unit, clerk, old):
    case = case_in(unit, old)
    with translation.override("de"), pytest.raises(workflow.TransitionRefused) as refused:
        services.set_status(case, clerk, S.DECIDED)
    assert "Bescheid erstellen" in str(refused.value)
    case.refresh_from_db()
    assert case.status == old


def test_refusals_name_the_statuses_and_a_closed_case_says_so(unit, clerk):
    with translation.override("de"):
        with pytest.raises(workflow.TransitionRefused) as back:
            services.set_status(case_in(unit, S.IN_PROGRESS), clerk, S.NEW)
        with pytest.raises(workflow.TransitionRefused) as closed:
            services.set_status(case_in(unit, S.CLOSED), clerk, S.IN_PROGRESS)
    assert "neu" in str(back.value)
    assert "abgeschlossen" in str(back.value)  # one of the possible statuses
    assert str(closed.value) == "Der Vorgang ist abgeschlossen."


def test_staff_page_shows_the_refusal_and_offers_only_allowed_statuses(unit, clerk):
    case = case_in(unit, S.IN_PROGRESS)
    client = log_in(Client(), clerk.username, PASSWORD)
    url = f"/verwaltung/vorgaenge/{case.number}/"
    page = client.get(url).content.decode()
    assert 'value="waiting"' in page
    assert 'value="new"' not in page  # nothing leads back to "new"
    assert 'value="decided"' not in page  # only with the decision ("Bescheid erstellen")
    response = client.post(url, {"action": "status", "status": "new"}, follow=True)
    assert response.status_code == 200
    assert "kann nicht" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS


def test_api_answers_a_refused_transition_with_409(unit, clerk):
    case = case_in(unit, S.IN_PROGRESS)
    key = make_key(clerk.username, client=log_in(Client(), clerk.username, PASSWORD))
    response = api(key).post(f"/api/v1/cases/{case.number}/status", {"status": "decided"},
                             content_type="application/json")  # fmt: skip
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["current_status"] == "in_progress"
    assert body["requested_status"] == "decided"
    assert body["allowed_statuses"] == ["waiting", "decided", "closed"]
    case.refresh_from_db()
    assert case.status == S.IN_PROGRESS
    assert not CaseEvent.objects.filter(case=case).exists()
    services.set_status(case, clerk, S.WAITING)
    with translation.override("de"):
        timeline = api(key).get(f"/api/v1/cases/{case.number}").json()["timeline"]
    assert [(entry["kind"], entry["label"]) for entry in timeline] == [
        ("status", "Status geändert")
    ]


def test_a_process_step_with_a_refused_transition_fails_with_the_reason(unit):
    case = case_in(unit, S.CLOSED)
    with pytest.raises(HandlerFailed):
        process_tasks.set_status(Context(case=case, actor=None, params={"status": "waiting"},
                                         data={}))  # fmt: skip
    case.refresh_from_db()
    assert case.status == S.CLOSED


def test_only_registered_event_kinds_are_written(unit):
    case = case_in(unit, S.NEW)
    with pytest.raises(ValueError, match="no registered case event kind"):
        services.record_event(case, "made_up")
    assert not CaseEvent.objects.filter(case=case).exists()


def test_every_event_kind_has_its_snippets_and_a_label():
    assert {"opened", "status", "decided", "process_started", "task_completed"} <= set(event_kinds)
    for id, kind in event_kinds.items():
        get_template(kind.staff_template)
        if kind.public_template:
            get_template(kind.public_template)
        assert str(event_kinds.label(id)) != id
    get_template(UNKNOWN_STAFF)
    get_template(UNKNOWN_PUBLIC)


def test_staff_actions_are_a_registry(unit, clerk):
    assert {"claim", "assign", "status", "note", "decide"} <= set(staff_actions.staff_actions)
    case = case_in(unit, S.NEW)
    with translation.override("de"):
        with pytest.raises(actions.CaseActionRefused, match="Unbekannte Aktion"):
            staff_actions.perform("made_up", case, clerk, {})
        with pytest.raises(actions.CaseActionRefused, match="gültiges Datum"):
            staff_actions.perform("due", case, clerk, {"due_date": "morgen"})
        done = staff_actions.perform("claim", case, clerk, {})
    assert done == "Sie bearbeiten jetzt diesen Vorgang."
    case.refresh_from_db()
    assert (case.assignee, case.status) == (clerk, S.IN_PROGRESS)


def close_then_fail(case: Case, clerk: object) -> None:
    with transaction.atomic():
        services.set_status(case, clerk, S.CLOSED)
        raise RuntimeError("rolled back")


def test_domain_events_reach_subscribers_only_after_the_commit(
    unit, clerk, media, django_capture_on_commit_callbacks
):
    heard: list[object] = []
    case = case_in(unit, S.NEW)
    with events.subscribed(CaseChanged, heard.append):
        with django_capture_on_commit_callbacks(execute=True):
            services.claim(case, clerk)
            services.set_status(case, clerk, S.WAITING)
            assert heard == []  # the transaction is still open
        assert [type(event) for event in heard] == [
            CaseAssigned,
            CaseStatusChanged,
            CaseStatusChanged,
        ]
        assert heard[0] == CaseAssigned(case_id=case.pk, number=case.number,
                                        authority_id=case.authority_id, actor_id=clerk.pk,
                                        old_assignee_id=None, assignee_id=clerk.pk)  # fmt: skip
        assert (heard[2].old, heard[2].new) == (S.IN_PROGRESS, S.WAITING)
        heard.clear()
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            pytest.raises(RuntimeError),
        ):
            close_then_fail(case, clerk)
        assert callbacks == []
        assert heard == []
        case.refresh_from_db()
        assert case.status == S.WAITING


def test_completing_a_process_task_takes_an_unassigned_case_like_a_claim(unit, clerk):
    case = case_in(unit, S.NEW)
    services.take_over(case, clerk)
    case.refresh_from_db()
    assert (case.assignee, case.status) == (clerk, S.IN_PROGRESS)
    assert list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True)) == [
        "assigned",
        "status",
    ]
    colleague = clerk_of(unit, "kollegin")
    services.take_over(case, colleague)  # already someone's: nothing changes
    case.refresh_from_db()
    assert case.assignee == clerk
    assert CaseEvent.objects.filter(case=case).count() == 2

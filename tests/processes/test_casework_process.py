"""A case worked on along the default process, through the pages staff and citizens use."""

from __future__ import annotations

import re
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.accounts.models import Message
from rathaus.cases import services
from rathaus.cases.models import Case, CaseDocument, DocumentRequest
from rathaus.core.models import AuditEvent
from rathaus.processes.models import ProcessInstance, ProcessTask
from tests.support import (
    MELDEBESCHEINIGUNG,
    citizen_client,
    log_in,
    pdf,
    post_data,
    run_in_threads,
    submit,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]


def open_task(case: Case) -> ProcessTask:
    return ProcessTask.objects.get(case=case, status="open")


def complete(clerk: Client, case: Case, data: dict, expect: int = 302) -> ProcessTask:
    task = open_task(case)
    url = f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/"
    page = clerk.get(url)
    assert page.status_code == 200
    assert task.title in page.content.decode()
    response = clerk.post(url, post_data(page.content.decode(), **data))
    assert response.status_code == expect, response.content.decode()[:2000]
    return task


def test_meldebescheinigung_from_submission_to_closed_case(barleben, settings, tmp_path):
    citizen = citizen_client()
    submission = submit(citizen, "meldebescheinigung", MELDEBESCHEINIGUNG)
    assert services.route(str(submission.pk)) == "routed"
    case = Case.objects.get(submission=submission)
    assert case.org_unit.slug == "buergerbuero"
    instance = ProcessInstance.objects.get(case=case)
    assert instance.version.model.is_default

    clerk = log_in(Client(), "buergerbuero")
    page = clerk.get(f"/verwaltung/vorgaenge/{case.number}/").content.decode()
    assert "Vollständigkeit prüfen" in page  # the open task, next to the other actions
    page = clerk.get(f"/verwaltung/vorgaenge/{case.number}/?tab=prozess").content.decode()
    assert 'id="process-diagram"' in page  # the viewer, with the list of steps as fallback
    assert re.search(r"Vollständigkeit prüfen – <strong>jetzt</strong>", page)
    clerk.post(f"/verwaltung/vorgaenge/{case.number}/", {"action": "claim"})

    # Incomplete: the form insists on naming the missing documents.
    complete(clerk, case, {"complete": "no"}, expect=422)
    complete(clerk, case, {"complete": "no",
                           "missing_documents": "Kopie Ihres Personalausweises"})  # fmt: skip
    case.refresh_from_db()
    assert case.status == "waiting"
    request = DocumentRequest.objects.get(case=case, status="open")
    assert request.documents == "Kopie Ihres Personalausweises"
    message = Message.objects.filter(account=case.applicant, reference=case.number).latest("pk")
    assert "Kopie Ihres Personalausweises" in message.body
    instance.refresh_from_db()
    assert instance.waiting_for == ["documents_received"]
    assert instance.next_timer_at is not None  # the reminder after 14 days

    # The citizen sees the request in "Meine Anträge" and uploads the document.
    detail = f"/konto/antraege/{submission.reference}/"
    waiting_page = citizen.get(detail).content.decode()
    assert "Kopie Ihres Personalausweises" in waiting_page
    assert "Wartet auf Ihre Antwort oder Unterlagen" in waiting_page
    refused = citizen.post(detail, {"request": request.pk,
                                    "files": SimpleUploadedFile("ausweis.pdf", b"MZ\x90\x00",
                                                                "application/pdf")})  # fmt: skip
    assert refused.status_code == 422
    refusal = refused.content.decode()
    assert "Der Inhalt der Datei passt nicht zu ihrem Namen oder Typ." in refusal
    assert "type_mismatch" not in refusal  # the code is for programs, not for the citizen
    # The virus scanner is down: 503 with a time to try again, the comment stays in the form.
    settings.RATHAUS_VIRUS_SCANNER = "clamav"
    settings.RATHAUS_CLAMD_ADDRESS = str(tmp_path / "no-clamd.sock")
    later = citizen.post(detail, {"request": request.pk, "comment": "Vorder- und Rückseite",
                                  "files": SimpleUploadedFile("ausweis.pdf", pdf(),
                                                              "application/pdf")})  # fmt: skip
    assert later.status_code == 503
    assert later["Retry-After"] == "300"
    assert "Bitte versuchen Sie es später erneut." in later.content.decode()
    assert "Vorder- und Rückseite" in later.content.decode()
    settings.RATHAUS_VIRUS_SCANNER = "none"
    response = citizen.post(detail, {"request": request.pk, "comment": "Vorder- und Rückseite",
                                     "files": SimpleUploadedFile("ausweis.pdf", pdf(),
                                                                 "application/pdf")})  # fmt: skip
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "fulfilled"
    assert [u.original_name for u in request.uploads.all()] == ["ausweis.pdf"]
    case.refresh_from_db()
    assert case.status == "in_progress"
    timeline = citizen.get(detail).content.decode()
    assert "Ihre Unterlagen sind eingegangen." in timeline
    assert "Wir haben Unterlagen bei Ihnen angefordert." in timeline
    # The clerk can open the file; the citizen answered once and cannot answer again.
    upload = request.uploads.get()
    assert (
        clerk.get(f"/verwaltung/vorgaenge/{case.number}/nachgereicht/{upload.pk}/").status_code
        == 200
    )
    again = citizen.post(detail, {"request": request.pk, "files": SimpleUploadedFile(
        "zwei.pdf", pdf(), "application/pdf")})  # fmt: skip
    assert again.status_code == 302
    assert request.uploads.count() == 1

    # The process is back at the check; complete now, then decide.
    assert open_task(case).element_id == "Task_CheckCompleteness"
    complete(clerk, case, {"complete": "yes"})
    assert open_task(case).element_id == "Task_Decide"
    # Deciding shows the letter first; "Senden" makes and sends it.
    task = open_task(case)
    url = f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/"
    page = clerk.get(url).content.decode()
    preview = clerk.post(url, post_data(page, outcome="granted", reasons=""))
    assert preview.status_code == 200
    shown = preview.content.decode()
    assert "Vorschau des Bescheids" in shown
    assert "Laut Melderegister ist folgende Person gemeldet" in shown
    assert not CaseDocument.objects.filter(case=case).exists()
    assert clerk.post(url, post_data(shown)).status_code == 302

    case.refresh_from_db()
    assert case.status == "closed"
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert not ProcessTask.objects.filter(case=case, status="open").exists()
    decision = CaseDocument.objects.get(case=case, kind="decision")
    assert decision.file.read_bytes().startswith(b"%PDF")
    letter = Message.objects.filter(account=case.applicant, reference=case.number).latest("pk")
    assert letter.attachments.count() == 1
    kinds = list(case.events.values_list("kind", flat=True))
    for kind in ("process_started", "task_completed", "documents_requested",
                 "documents_received", "decided", "process_step"):  # fmt: skip
        assert kind in kinds
    assert AuditEvent.objects.filter(action="case.task_completed", object_id=str(case.pk)).exists()


@pytest.fixture
def case(barleben) -> Case:
    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(submission.pk))
    return Case.objects.get(submission=submission)


def test_a_task_is_completed_once(case):
    clerk = log_in(Client(), "buergerbuero")
    task = complete(clerk, case, {"complete": "yes"})
    response = clerk.post(f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/",
                          {"complete": "yes"}, follow=True)  # fmt: skip
    assert "hat diese Aufgabe inzwischen erledigt" in response.content.decode()
    assert ProcessTask.objects.filter(case=case, element_id="Task_Decide").count() == 1


def test_staff_of_other_units_cannot_see_or_complete_tasks(case):
    other = log_in(Client(), "standesamt")
    task = open_task(case)
    url = f"/verwaltung/vorgaenge/{case.number}/aufgaben/{task.pk}/"
    assert other.get(url).status_code == 404
    assert other.post(url, {"complete": "yes"}).status_code == 404
    assert other.get(f"/verwaltung/vorgaenge/{case.number}/prozess.bpmn").status_code == 404
    assert open_task(case).pk == task.pk


def colleague(unit_slug: str = "buergerbuero"):
    from django.contrib.auth import get_user_model

    from rathaus.core import roles
    from rathaus.core.models import Membership, OrgUnit

    user = get_user_model().objects.create_user("kollegin", is_staff=True, first_name="Kim",
                                                last_name="Kollegin")  # fmt: skip
    Membership.objects.create(user=user, org_unit=OrgUnit.objects.get(slug=unit_slug),
                              role=roles.role(roles.CLERK))  # fmt: skip
    return user


def test_only_the_assignee_completes_tasks_of_an_assigned_case(case):
    from django.contrib.auth import get_user_model

    from rathaus.processes import engine

    clerk = get_user_model().objects.get(username="buergerbuero")
    services.claim(case, clerk)
    with pytest.raises(engine.TaskRefused, match="nur diese Person"):
        engine.complete_task(open_task(case), colleague(), {"complete": True})
    engine.complete_task(open_task(case), clerk, {"complete": True})
    assert open_task(case).element_id == "Task_Decide"


def test_a_failing_step_is_shown_and_can_be_retried(case):
    from rathaus.processes import handlers

    clerk = log_in(Client(), "buergerbuero")
    clerk.post(f"/verwaltung/vorgaenge/{case.number}/", {"action": "claim"})

    def broken(context):
        raise handlers.HandlerFailed("Der Postdienst ist nicht erreichbar.")

    with handlers.service_tasks.override("request_documents", broken):
        complete(clerk, case, {"complete": "no",
                               "missing_documents": "Geburtsurkunde"})  # fmt: skip
        instance = ProcessInstance.objects.get(case=case)
        assert instance.status == "failed"
        assert instance.error_task == "Unterlagen nachfordern"
        assert not DocumentRequest.objects.filter(case=case).exists()
        page = clerk.get(f"/verwaltung/vorgaenge/{case.number}/").content.decode()
        assert "Der Postdienst ist nicht erreichbar." in page
    clerk.post(f"/verwaltung/vorgaenge/{case.number}/prozess/wiederholen/")
    instance.refresh_from_db()
    assert instance.status == "running", instance.error
    assert DocumentRequest.objects.get(case=case).documents == "Geburtsurkunde"


def test_reminder_runs_by_the_worker_timer(case):
    import datetime

    import time_machine as tm
    from django.utils import timezone

    from rathaus.processes import engine

    clerk = log_in(Client(), "buergerbuero")
    clerk.post(f"/verwaltung/vorgaenge/{case.number}/", {"action": "claim"})
    complete(clerk, case, {"complete": "no",
                           "missing_documents": "Geburtsurkunde"})  # fmt: skip
    assert engine.fire_due_timers() == 0
    with tm.travel(timezone.now() + datetime.timedelta(days=15), tick=False):
        assert engine.fire_due_timers() == 1
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds.count("documents_reminded") == 1
    instance = ProcessInstance.objects.get(case=case)
    assert instance.waiting_for == ["documents_received"]
    assert instance.next_timer_at > timezone.now() + datetime.timedelta(days=20)


def test_two_clerks_completing_the_same_task_at_once_one_wins(case):
    """Both requests reach the database together; the instance lock and the conditional
    UPDATE of the task let exactly one through (PostgreSQL row locks, SQLite's write lock)."""

    from django.contrib.auth import get_user_model

    from rathaus.processes import engine

    clerks = [get_user_model().objects.get(username="buergerbuero"), colleague()]
    task = open_task(case)
    outcomes: list[str] = []

    def work(user) -> None:
        try:
            engine.complete_task(ProcessTask.objects.get(pk=task.pk), user, {"complete": True})
            outcomes.append("done")
        except engine.TaskRefused as refused:
            outcomes.append(f"refused: {refused}")

    assert run_in_threads(*(partial(work, user) for user in clerks), together=True) == []
    assert sorted(outcomes)[0] == "done"
    assert len(outcomes) == 2
    assert outcomes.count("done") == 1
    assert "inzwischen erledigt" in next(o for o in outcomes if o != "done")
    assert ProcessTask.objects.filter(case=case, element_id="Task_Decide").count() == 1
    assert case.events.filter(kind="task_completed").count() == 1


def test_an_anliegen_runs_its_own_model_and_the_answer_is_e_mailed(barleben):
    from rathaus.core.models import OutgoingEmail
    from tests.support import ANLIEGEN

    submission = submit(Client(), "anliegen", ANLIEGEN)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert ProcessInstance.objects.get(case=case).version.model.slug == "barleben-anliegen"
    clerk = log_in(Client(), "buergerbuero")
    complete(clerk, case, {"done": "solved", "reply": "Der Bauhof tauscht die Lampe morgen."})
    case.refresh_from_db()
    assert case.status == "closed"
    mail = OutgoingEmail.objects.filter(to="kim@example.org").latest("pk")
    assert "Der Bauhof tauscht die Lampe morgen." in mail.text_body
    assert case.events.filter(kind="replied", visible_to_applicant=True).exists()


def test_my_tasks_lists_my_cases_with_open_tasks(case):
    clerk = log_in(Client(), "buergerbuero")
    tasks_view = "/verwaltung/vorgaenge/?ansicht=aufgaben"
    assert case.number not in clerk.get(tasks_view).content.decode()  # not taken yet
    clerk.post(f"/verwaltung/vorgaenge/{case.number}/", {"action": "claim"})
    assert case.number in clerk.get(tasks_view).content.decode()
    complete(clerk, case, {"complete": "no", "missing_documents": "Geburtsurkunde"})
    # Waiting for the applicant: no task for the clerk now.
    assert case.number not in clerk.get(tasks_view).content.decode()


def test_case_numbers_with_slashes_work_on_every_page(barleben):
    from rathaus.core.models import OrgUnit

    unit = OrgUnit.objects.get(slug="buergerbuero")
    unit.case_number_pattern = "EMA/{year}/{number}"
    unit.save()
    submission = submit(citizen_client(), "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert case.number.startswith("EMA/")
    clerk = log_in(Client(), "buergerbuero")
    assert clerk.get(f"/verwaltung/vorgaenge/{case.number}/").status_code == 200
    assert clerk.get(f"/verwaltung/vorgaenge/{case.number}/prozess.bpmn").status_code == 200
    complete(clerk, case, {"complete": "yes"})
    assert open_task(case).element_id == "Task_Decide"

"""The shipped default process, tested as a unit: given answers, which path does it take?"""

from __future__ import annotations

import pytest

from rathaus.processes.packages import DEFAULT_DIRECTORY
from rathaus.processes.testing import ModelRun

CHECK, DECIDE = "Task_CheckCompleteness", "Task_Decide"


@pytest.fixture
def run() -> ModelRun:
    return ModelRun.from_directory(DEFAULT_DIRECTORY, data={"answers": {"name": "Erika"}})


def test_starts_with_the_completeness_check(run: ModelRun) -> None:
    assert run.open_tasks == [CHECK]
    assert run.services == []


def test_complete_application_is_decided_delivered_and_closed(run: ModelRun) -> None:
    run.complete(CHECK, complete=True)
    assert run.open_tasks == [DECIDE]
    run.complete(DECIDE, outcome="granted")
    assert run.services == [("generate_decision", {}), ("set_status", {"status": "closed"})]
    assert run.completed
    assert "Task_RequestDocuments" not in run.path


def test_missing_documents_are_requested_and_the_check_repeats(run: ModelRun) -> None:
    run.complete(CHECK, complete=False, missing_documents="Kopie des Personalausweises")
    assert run.services == [("request_documents", {})]
    assert run.open_tasks == []
    assert run.waiting_for == ["documents_received"]
    run.message("documents_received")
    assert run.open_tasks == [CHECK]
    run.complete(CHECK, complete=True)
    assert run.open_tasks == [DECIDE]


def test_applicant_is_reminded_after_14_days_and_still_awaited(run: ModelRun) -> None:
    run.complete(CHECK, complete=False, missing_documents="Meldebestätigung des Vermieters")
    run.wait(days=13)
    assert run.services == [("request_documents", {})]
    run.wait(days=15)
    assert run.services == [("request_documents", {}), ("remind_applicant", {})]
    assert run.waiting_for == ["documents_received"]
    run.message("documents_received")
    assert run.open_tasks == [CHECK]


def test_undecided_case_is_escalated_after_30_days_and_stays_open(run: ModelRun) -> None:
    run.complete(CHECK, complete=True)
    run.wait(days=31)
    assert ("escalate", {}) in run.services
    assert run.open_tasks == [DECIDE]
    run.complete(DECIDE, outcome="refused", reasons="Die Person ist hier nicht gemeldet.")
    assert run.completed


def test_the_task_forms_hold_the_clerk_to_the_rules(run: ModelRun) -> None:
    with pytest.raises(AssertionError, match="missing_documents"):
        run.complete(CHECK, complete=False)
    run.complete(CHECK, complete=True)
    with pytest.raises(AssertionError, match="reasons"):
        run.complete(DECIDE, outcome="refused")


def test_the_anliegen_model_answers_when_an_answer_is_wanted():
    from rathaus.processes.demo import ANLIEGEN_DIRECTORY

    wanted = ModelRun.from_directory(ANLIEGEN_DIRECTORY, data={"answers": {"reply_wanted": True}})
    assert wanted.open_tasks == ["Task_Answer"]
    wanted.complete("Task_Answer", done="solved", reply="Die Lampe wird am Montag repariert.")
    assert wanted.services == [("reply_to_applicant", {}), ("set_status", {"status": "closed"})]
    assert wanted.completed
    silent = ModelRun.from_directory(ANLIEGEN_DIRECTORY, data={"answers": {"reply_wanted": False}})
    silent.wait(days=6)
    assert silent.services == [("escalate", {"reason": "Anliegen seit 5 Tagen unbeantwortet"})]
    silent.complete("Task_Answer", done="noted", reply="Danke für den Hinweis, wir prüfen es.")
    assert silent.services[-1] == ("set_status", {"status": "closed"})
    assert ("reply_to_applicant", {}) not in silent.services


def test_open_payment_waits_for_payment_received_before_the_check() -> None:
    run = ModelRun.from_directory(
        DEFAULT_DIRECTORY, data={"answers": {"name": "Erika"}, "payment_open": True}
    )
    assert run.open_tasks == []
    assert run.waiting_for == ["payment_received"]
    run.message("payment_received")
    assert run.open_tasks == [CHECK]
    assert run.path[:3] == ["Start_Received", "Gateway_PaymentOpen", "Catch_PaymentReceived"]


def test_nothing_to_pay_goes_straight_to_the_check(run: ModelRun) -> None:
    assert run.waiting_for == []
    assert "Catch_PaymentReceived" not in run.path
    assert run.open_tasks == [CHECK]

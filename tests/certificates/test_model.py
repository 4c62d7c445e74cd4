"""The certificate order's process model, tested as a unit (no database): which path for which
order — paid at once, checked first (sibling or other person), refused — and collection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from rathaus.certificates.install import PROCESS_DIRECTORY
from rathaus.processes.handlers import service_tasks
from rathaus.processes.testing import ModelRun

CHECK, LOOKUP, DISPATCH = "Task_CheckEntitlement", "Task_Lookup", "Task_Dispatch"
SENT_MESSAGE = {
    "subject": "Ihre Urkunde wurde versandt",
    "body": "Guten Tag,\n\nIhre Urkunde zur Bestellung {number} ist mit der Post an Sie "
    "versandt worden. Bitte rechnen Sie mit einigen Tagen für die Zustellung.\n\n"
    "Mit freundlichen Grüßen\n{unit}",
}


@pytest.fixture(autouse=True)
def _payment_topic() -> Iterator[None]:
    """The model names ``request_payment``, which the payments integration registers; until it
    is installed, the check of the model needs a handler under that name (never run: the
    ModelRun records service tasks)."""
    registered = "request_payment" in service_tasks
    with (
        contextlib.nullcontext()
        if registered
        else service_tasks.override("request_payment", lambda context: None)
    ):
        yield


def order(relationship: str, payment_open: bool, delivery: str = "post") -> ModelRun:
    answers = {"kind": "birth", "copies": 2, "relationship": relationship, "delivery": delivery}
    return ModelRun.from_directory(
        PROCESS_DIRECTORY, data={"answers": answers, "payment_open": payment_open}
    )


def register_and_dispatch(run: ModelRun, dispatch: str = "sent") -> None:
    assert run.open_tasks == [LOOKUP]
    run.complete(LOOKUP, found=True, register_number="G 123/1987", register_year=1987,
                 register_office="Standesamt Barleben")  # fmt: skip
    assert run.open_tasks == [DISPATCH]
    run.complete(DISPATCH, dispatch=dispatch, dispatched_on="2026-12-07")


def test_a_direct_order_waits_for_the_payment_then_goes_to_the_register_office() -> None:
    run = order("descendant", payment_open=True)
    assert run.open_tasks == []
    assert run.waiting_for == ["payment_received"]
    run.message("payment_received")
    register_and_dispatch(run)
    assert run.services == [
        ("set_stage", {"label": "versandt"}),
        ("send_message", SENT_MESSAGE),
        ("set_status", {"status": "closed"}),
    ]
    assert run.completed
    assert CHECK not in run.path


def test_nothing_to_pay_goes_straight_to_the_register_lookup() -> None:
    run = order("self", payment_open=False)
    assert run.waiting_for == []
    register_and_dispatch(run)
    assert run.completed


def test_collection_sets_the_stage_ready_for_collection() -> None:
    run = order("spouse", payment_open=True, delivery="pickup")
    run.message("payment_received")
    register_and_dispatch(run, dispatch="ready")
    assert run.services[0] == ("set_stage", {"label": "zur Abholung bereit"})
    assert run.services[1][0] == "send_message"
    assert run.services[1][1]["subject"] == "Ihre Urkunde liegt zur Abholung bereit"
    assert run.services[-1] == ("set_status", {"status": "closed"})


def request_payment_opens_a_payment(run: ModelRun) -> None:
    """What ``request_payment`` does to the process data when there is a fee to pay (the run
    records the service task; this sets ``payment_open`` as the handler would)."""
    engine = run.workflow.script_engine
    record = engine.run_service

    def run_service(task, topic, params):  # type: ignore[no-untyped-def]
        record(task, topic, params)
        if topic == "request_payment":
            task.set_data(payment_open=True)

    engine.run_service = run_service  # type: ignore[method-assign]


@pytest.mark.parametrize("relationship", ["sibling", "other"])
def test_entitled_after_the_check_pays_then_the_work_goes_on(relationship: str) -> None:
    run = order(relationship, payment_open=False)
    assert run.open_tasks == [CHECK]
    assert run.waiting_for == []
    assert run.services == []
    request_payment_opens_a_payment(run)
    run.complete(CHECK, entitled=True)
    assert run.services == [("request_payment", {})]
    assert run.waiting_for == ["payment_received"]
    assert run.open_tasks == []
    run.message("payment_received")
    register_and_dispatch(run)
    assert run.services[1:] == [
        ("set_stage", {"label": "versandt"}),
        ("send_message", SENT_MESSAGE),
        ("set_status", {"status": "closed"}),
    ]
    assert run.completed


def test_entitled_with_nothing_to_pay_goes_on_at_once() -> None:
    run = order("sibling", payment_open=False)
    run.complete(CHECK, entitled=True)
    assert run.services == [("request_payment", {})]
    assert run.waiting_for == []
    assert run.open_tasks == [LOOKUP]


def test_refused_after_the_check_gets_a_decision_and_is_closed() -> None:
    run = order("other", payment_open=False)
    run.complete(CHECK, entitled=False, reasons="Ein rechtliches Interesse ist nicht belegt.")
    assert run.services == [
        ("generate_decision", {"outcome": "refused"}),
        ("set_status", {"status": "closed"}),
    ]
    assert run.completed
    assert LOOKUP not in run.path
    assert "Task_RequestPayment" not in run.path


def test_an_entry_that_cannot_be_found_refunds_the_fee_and_ends_with_a_decision() -> None:
    run = order("descendant", payment_open=True)
    run.message("payment_received")
    assert run.open_tasks == [LOOKUP]
    reason = "Die Geburt ist beim Standesamt Magdeburg beurkundet."
    run.complete(LOOKUP, found=False, reasons=reason)
    assert run.services == [
        ("refund_payment", {}),
        ("generate_decision", {"outcome": "refused"}),
        ("set_status", {"status": "closed"}),
    ]
    assert run.completed
    assert DISPATCH not in run.path


def test_a_found_entry_needs_its_register_number_and_a_missing_one_its_reasons() -> None:
    run = order("descendant", payment_open=True)
    run.message("payment_received")
    with pytest.raises(AssertionError, match="Registernummer"):
        run.complete(LOOKUP, found=True)
    with pytest.raises(AssertionError, match="warum keine Urkunde"):
        run.complete(LOOKUP, found=False)
    assert run.open_tasks == [LOOKUP]


def test_a_refusal_needs_reasons() -> None:
    run = order("other", payment_open=False)
    with pytest.raises(AssertionError, match="begründen"):
        run.complete(CHECK, entitled=False)

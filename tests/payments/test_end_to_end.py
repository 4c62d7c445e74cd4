"""End to end: a child orders two copies of a Geburtsurkunde at the certificate portal, pays at
the payment sandbox (a separate process, used as a real provider would be), closes the browser
after paying; the late and repeated notifications reach the webhook, the case's process starts
work once, the Standesamt's tasks run, and the citizen sees "versandt" in "Meine Anträge"."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from rathaus.accounts.models import Message
from rathaus.cases.models import Case, CaseEvent
from rathaus.core.models import OrgUnit
from rathaus.payments.models import Fee, Notification, PaymentRequest, StatusChange
from rathaus.processes import engine
from rathaus.processes.models import ProcessInstance, ProcessTask
from tests.support import citizen_client, get_page, run_queued, submit

pytestmark = pytest.mark.database  # the live server, the sandbox and the worker's tasks

S = PaymentRequest.Status

ORDER: dict[str, Any] = {
    "kind": "birth",
    "international": False,
    "copies": 2,
    "person_first_name": "Erna",
    "person_family_name": "Beispiel",
    "event_date": "1950-03-14",
    "event_place": "Barleben",
    "relationship": "descendant",
    "delivery": "post",
    "delivery_address": {"street": "Breiteweg 12", "postal_code": "39179", "place": "Barleben"},
    "first_name": "Ilse",
    "family_name": "Beispiel",
    "email": "ilse.beispiel@example.org",
}

TASKS = (
    "rathaus.cases.tasks.route_submission",
    "rathaus.cases.tasks.send_receipt",
    "rathaus.payments.tasks.nudge",
    "rathaus.payments.tasks.send_confirmation",
)


def choose(page_url: str, choice: str) -> tuple[int, str]:
    """Post the payer's choice on the sandbox's page as its form does."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(page_url, data=urlencode({"choice": choice}).encode(), timeout=10) as r:
            return r.status, r.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not reached in time")
        time.sleep(0.1)


def open_tasks(case: Case) -> list[str]:
    return list(
        ProcessTask.objects.filter(instance__case=case, status=ProcessTask.Status.OPEN)
        .order_by("pk")
        .values_list("element_id", flat=True)
    )


def test_an_order_paid_late_and_twice_starts_work_once_and_ends_versandt(barleben, payment_sandbox):
    citizen = citizen_client()
    submission = submit(citizen, "urkunde-bestellen", ORDER)
    payment = PaymentRequest.objects.get(submission=submission)
    fee = Fee.objects.get(authority=barleben, code="geburtsurkunde")
    assert payment.amount_cents == fee.total_for(2)
    assert payment.provider == "sandbox"
    assert payment.status == S.CREATED

    # the worker opens the case; its process waits for the payment
    run_queued(*TASKS)
    case = Case.objects.get(submission=submission)
    assert case.org_unit == OrgUnit.objects.get(authority=barleben, slug="standesamt")
    instance = ProcessInstance.objects.get(case=case)
    assert "payment_received" in instance.waiting_for
    assert open_tasks(case) == []

    # the citizen pays on the sandbox's page, then closes the browser (no way back)
    pay_page = f"/zahlung/{payment.pk}/"
    assert payment.kassenzeichen in get_page(citizen, pay_page)
    answer = citizen.post(pay_page)
    assert answer.status_code == 302
    sandbox_page = answer["Location"]
    assert sandbox_page.startswith(f"{payment_sandbox}/pay/")
    status, back = choose(sandbox_page, "pay")
    assert status == 303
    assert f"/zahlung/{payment.pk}/zurueck/" in back

    # the notifications come late, twice and out of order; the payment counts once
    wait_for(lambda: payment.notifications.count() >= 4)
    payment.refresh_from_db()
    assert payment.status == S.PAID
    assert StatusChange.objects.filter(request=payment, to_status=S.PAID).count() == 1
    applied = payment.notifications.filter(outcome=Notification.Outcome.APPLIED)
    assert list(applied.values_list("status", flat=True)) == ["PAYED"]

    # the process starts work once, however often it is told
    run_queued(*TASKS)
    run_queued(*TASKS)
    assert open_tasks(case) == ["Task_Lookup"]
    assert CaseEvent.objects.filter(case=case, kind="payment_received").count() == 1
    assert ProcessInstance.objects.filter(case=case).count() == 1
    confirmation = Message.objects.filter(account=submission.account, subject__contains="Zahlung")
    assert confirmation.count() == 1
    assert payment.kassenzeichen in confirmation.get().subject

    # the Standesamt looks the entry up, prints and sends the certificates
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="standesamt")
    lookup = ProcessTask.objects.get(instance__case=case, element_id="Task_Lookup")
    engine.complete_task(lookup, clerk, {"found": True, "register_number": "G 123/1950",
                                         "register_year": 1950,
                                         "register_office": "Standesamt Barleben"})  # fmt: skip
    assert open_tasks(case) == ["Task_Dispatch"]
    dispatch = ProcessTask.objects.get(instance__case=case, element_id="Task_Dispatch")
    engine.complete_task(dispatch, clerk, {"dispatch": "sent", "dispatched_on": "2026-12-07"})
    case.refresh_from_db()
    assert case.public_stage == "versandt"
    assert case.status == Case.Status.CLOSED

    # the citizen sees it in "Meine Anträge" and in the mailbox
    listing = get_page(citizen, "/konto/antraege/")
    assert "Versandt" in listing
    assert "bezahlt" in listing
    assert Message.objects.filter(
        account=submission.account, subject__icontains="versandt"
    ).exists()

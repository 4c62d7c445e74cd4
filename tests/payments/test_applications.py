"""Paying for an application (ADR 0048): sending a form with a fee asks for the payment after
the submission is stored, the receipt leads to paying, and the case's process waits for the
message ``payment_received``."""

from __future__ import annotations

import pytest
from django.test import Client

from rathaus.accounts.models import Message
from rathaus.cases import services as case_services
from rathaus.cases.models import Case, CaseEvent
from rathaus.core.service_tasks import Context, HandlerFailed, service_tasks
from rathaus.forms import services as form_services
from rathaus.forms.models import Submission
from rathaus.payments import services
from rathaus.payments.models import PaymentRequest
from rathaus.processes.models import ProcessInstance
from tests.factories.payments import FeeFactory
from tests.support import (
    citizen_client,
    fill_step,
    follow_post,
    get_page,
    run_queued,
    start_application,
    submit,
)

pytestmark = [pytest.mark.django_db, pytest.mark.database]

NUDGE = "rathaus.payments.tasks.nudge"

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "email": {"type": "string", "format": "email"},
        "copies": {"type": "integer", "minimum": 1, "maximum": 10},
        "delivery": {"type": "string", "enum": ["post", "collect"]},
    },
    "required": ["name", "email", "copies", "delivery"],
}
LAYOUT = {
    "steps": [
        {
            "id": "bestellung",
            "title": "Bestellung",
            "elements": [
                {"field": "name", "widget": "text", "label": "Name"},
                {"field": "email", "widget": "email", "label": "E-Mail"},
                {"field": "copies", "widget": "number", "label": "Anzahl der Urkunden"},
                {"field": "delivery", "widget": "radio", "label": "Zustellung"},
            ],
        }
    ]
}
CERTIFICATE = {"fee": "geburt", "quantity": "copies"}
POSTAGE = {"label": "Versand", "amount_cents": 250, "when": {"field": "delivery", "equals": "post"}}
ANSWERS = {"name": "Ilse Beispiel", "email": "ilse@example.org", "copies": 2, "delivery": "post"}


def ours():
    """The payment requests the test made (the demo brings the cash office's own)."""
    return PaymentRequest.objects.exclude(source__startswith="demo:")


@pytest.fixture
def fee_table(barleben):
    return FeeFactory(authority=barleben, code="geburt", amount_cents=1200, further_copy_cents=600)


def fee_form(authority, fee: dict, slug: str = "urkunde"):
    version = form_services.create_definition(
        authority=authority, slug=slug, title="Urkunde bestellen", schema=SCHEMA, layout=LAYOUT,
        receipt_email_field="email", fee=fee,
    )  # fmt: skip
    return form_services.publish(version)


def send_through_the_pages(client: Client, slug: str = "urkunde", **answers) -> str:
    step = start_application(client, slug)
    values = {"name": "Ilse Beispiel", "email": "ilse@example.org", "copies": "2",
              "delivery": "post", **answers}  # fmt: skip
    check = fill_step(client, step, values)
    return follow_post(client, check, {})


def test_sending_stores_the_submission_and_asks_for_the_fee_once(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE, POSTAGE]})
    client = Client()
    step = start_application(client, "urkunde")
    check = fill_step(client, step, {"name": "Ilse Beispiel", "email": "ilse@example.org",
                                     "copies": "2", "delivery": "post"})  # fmt: skip
    receipt = follow_post(client, check, {})
    again = client.post(check, {})  # the button pressed twice
    assert again.status_code == 302
    submission = Submission.objects.get()
    request = ours().get()
    assert request.submission == submission
    assert request.source == f"submission:{submission.pk}"
    assert request.amount_cents == 1200 + 600 + 250
    assert [(i.description, i.quantity, i.unit_cents) for i in request.items.all()] == [
        ("Geburtsurkunde", 1, 1200),
        ("Geburtsurkunde, weitere Ausfertigung", 1, 600),
        ("Versand", 1, 250),
    ]
    assert request.payer_email == "ilse@example.org"
    assert request.account is None
    assert submission.reference in request.purpose
    html = get_page(client, receipt)
    assert "Jetzt bezahlen" in html
    assert f'href="/zahlung/antrag/{submission.pk}/"' in html


def test_a_missing_fee_table_entry_loses_nothing(barleben):
    fee_form(barleben, {"items": [CERTIFICATE]})  # no entry "geburt" in the fee table
    client = Client()
    receipt = send_through_the_pages(client)
    assert Submission.objects.count() == 1
    assert not ours().exists()
    assert "Jetzt bezahlen" not in get_page(client, receipt)


def test_a_fee_due_later_or_of_nothing_asks_nothing_at_sending(barleben, fee_table):
    fee_form(barleben, {"items": [POSTAGE], "pay_now_if": {"field": "copies", "equals": 5}})
    send_through_the_pages(Client())
    fee_form(barleben, {"items": [POSTAGE]}, slug="abholen")
    send_through_the_pages(Client(), "abholen", delivery="collect")  # the postage only
    fee_form(barleben, {"items": [{"label": "Nichts", "amount_cents": 0}]}, slug="frei")
    send_through_the_pages(Client(), "frei")
    assert Submission.objects.count() == 3
    assert not ours().exists()


def test_an_account_pays_for_its_own_application(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE]})
    citizen = citizen_client()
    submission = submit(citizen, "urkunde", ANSWERS)
    request = ours().get(submission=submission)
    assert request.account == submission.account
    assert request.payer_name
    stranger = Client()
    assert stranger.get(f"/zahlung/antrag/{submission.pk}/").status_code == 302  # to the login
    assert Client().get(f"/zahlung/antrag/{Submission().pk}/").status_code == 404


def test_the_pay_link_leads_to_the_open_request_then_to_its_receipt(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE]})
    client = Client()
    send_through_the_pages(client)
    submission = Submission.objects.get()
    request = ours().get()
    response = client.get(f"/zahlung/antrag/{submission.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/zahlung/{request.pk}/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert request.kassenzeichen in page.content.decode()
    services.mark_received(request, user=None)
    assert client.get(f"/zahlung/antrag/{submission.pk}/")["Location"].startswith(
        f"/zahlung/{request.pk}/quittung/"
    )
    assert Client().get(f"/zahlung/antrag/{submission.pk}/").status_code == 404


# --- the case's process ----------------------------------------------------------------------


def waiting(case: Case) -> list[str]:
    return list(ProcessInstance.objects.get(case=case).waiting_for)


def test_the_process_waits_for_the_payment_and_moves_on_once_paid(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE]})
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    assert case_services.route(str(submission.pk)) == "routed"
    case = Case.objects.get(submission=submission)
    request = ours().get(submission=submission)
    assert request.case == case
    assert waiting(case) == ["payment_received"]
    assert not ProcessInstance.objects.get(case=case).tasks.exists()
    run_queued(NUDGE)  # nothing paid yet: the process keeps waiting
    assert waiting(case) == ["payment_received"]
    services.mark_received(request, user=None)
    run_queued(NUDGE)
    assert waiting(case) == []
    instance = ProcessInstance.objects.get(case=case)
    assert "Vollständigkeit prüfen" in [task.title for task in instance.tasks.all()]
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("payment_requested") == 1
    assert kinds.count("payment_received") == 1


def test_paid_before_the_case_opened_the_process_does_not_wait(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE]})
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    services.mark_received(ours().get(), user=None)
    assert run_queued(NUDGE) == [False]  # no case yet
    case_services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert waiting(case) == []
    assert ProcessInstance.objects.get(case=case).tasks.filter(status="open").exists()
    assert run_queued(NUDGE) == [True]  # the process was not waiting: the message is dropped
    assert waiting(case) == []


def test_without_a_fee_the_process_does_not_wait(barleben):
    fee_form(barleben, {"items": [{"label": "Nichts", "amount_cents": 0}]})
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    case_services.route(str(submission.pk))
    assert waiting(Case.objects.get(submission=submission)) == []


def test_a_waived_fee_lets_the_process_go_on(barleben, fee_table):
    fee_form(barleben, {"items": [CERTIFICATE]})
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    case_services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    assert waiting(case) == ["payment_received"]
    services.cancel(ours().get(submission=submission), user=None, note="Rente: gebührenfrei")
    run_queued(NUDGE)
    assert waiting(case) == []
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("payment_waived") == 1


def test_a_fee_that_could_not_be_asked_for_still_holds_the_work(barleben, fee_table):
    """The fee table lost its entry between the check page and sending: nothing is asked for,
    but the case's process does not go on as if the fee were paid."""
    fee_form(barleben, {"items": [CERTIFICATE]})
    fee_table.active = False
    fee_table.save()
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    assert not ours().filter(submission=submission).exists()
    case_services.route(str(submission.pk))
    assert waiting(Case.objects.get(submission=submission)) == ["payment_received"]


# --- the service task request_payment --------------------------------------------------------


def _case_for(barleben, fee: dict) -> Case:
    fee_form(barleben, fee)
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    case_services.route(str(submission.pk))
    return Case.objects.get(submission=submission)


def test_request_payment_asks_for_the_declared_fee_and_writes_to_the_applicant(barleben, fee_table):
    later = {"field": "copies", "equals": 99}
    case = _case_for(barleben, {"items": [CERTIFICATE, POSTAGE], "pay_now_if": later})
    assert not ours().exists()
    data: dict = {}
    handler = service_tasks.get("request_payment")
    handler(Context(case=case, actor=None, params={}, data=data, portal_url="https://p.example"))
    request = ours().get()
    assert data == {"payment_open": True}
    assert request.case == case
    assert request.source == f"case:{case.pk}:fee"
    assert request.amount_cents == 2050
    message = Message.objects.get(account=case.applicant, subject="Bitte bezahlen Sie die Gebühr")
    assert f"https://p.example/zahlung/antrag/{case.submission_id}/" in message.body
    assert request.kassenzeichen in message.body
    # run again (a retried step): the same request, no second message
    handler(Context(case=case, actor=None, params={}, data=data, portal_url=""))
    assert ours().count() == 1
    services.mark_received(request, user=None)
    handler(Context(case=case, actor=None, params={}, data=data, portal_url=""))
    assert data == {"payment_open": False}


def test_request_payment_with_nothing_to_pay_or_no_fee(barleben, fee_table):
    later = {"field": "copies", "equals": 99}
    case = _case_for(barleben, {"items": [POSTAGE], "pay_now_if": later})
    handler = service_tasks.get("request_payment")
    data: dict = {}
    case.submission.data = {**ANSWERS, "delivery": "collect"}  # collecting costs nothing
    handler(Context(case=case, actor=None, params={}, data=data))
    assert data == {"payment_open": False}
    assert not ours().exists()
    fee_form(barleben, {}, slug="ohne")
    plain = submit(citizen_client(), "ohne", ANSWERS)
    case_services.route(str(plain.pk))
    with pytest.raises(HandlerFailed, match="keine Gebühr"):
        handler(Context(case=Case.objects.get(submission=plain), actor=None, params={}, data={}))


def test_refund_payment_pays_back_what_the_application_paid(barleben, fee_table):
    from rathaus.payments import applications
    from rathaus.payments.models import Refund
    from rathaus.processes.handlers import Context

    case = _case_for(barleben, {"items": [CERTIFICATE]})
    request = ours().get(submission=case.submission)
    applications.refund_payment(Context(case=case, actor=None, params={}, data={}))
    assert not Refund.objects.filter(request=request).exists()  # nothing paid, nothing back
    services.mark_received(request, user=None)
    applications.refund_payment(Context(case=case, actor=None, params={}, data={}))
    applications.refund_payment(Context(case=case, actor=None, params={}, data={}))
    refund = Refund.objects.get(request=request)
    assert refund.amount_cents == request.amount_cents
    assert refund.note == "Die bestellte Leistung kann nicht erbracht werden."


def test_a_payment_whose_time_is_over_is_on_the_case_for_staff(barleben, fee_table):
    import datetime as dt

    from django.utils import timezone

    fee_form(barleben, {"items": [CERTIFICATE]})
    submission = submit(citizen_client(), "urkunde", ANSWERS)
    case_services.route(str(submission.pk))
    case = Case.objects.get(submission=submission)
    services.expire_due(timezone.now() + dt.timedelta(days=30))
    assert ours().get(submission=submission).status == "expired"
    assert CaseEvent.objects.filter(case=case, kind="payment_expired").count() == 1
    assert waiting(case) == ["payment_received"]


def test_the_receipt_e_mail_of_a_payer_without_an_account_carries_the_pay_link(barleben, fee_table):
    from rathaus.core.models import OutgoingEmail

    fee_form(barleben, {"items": [CERTIFICATE]})
    send_through_the_pages(Client())
    request = ours().get()
    run_queued("rathaus.cases.tasks.send_receipt")
    text = OutgoingEmail.objects.filter(to="ilse@example.org").latest("id").text_body
    assert "Die Gebühr ist noch zu bezahlen." in text
    address = next(line for line in text.splitlines() if f"/zahlung/{request.pk}/" in line)
    path = address[address.index("/zahlung/") :]
    page = Client().get(path)  # another browser: the token in the link opens it
    assert page.status_code == 200
    assert request.kassenzeichen in page.content.decode()

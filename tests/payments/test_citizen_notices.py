"""The applicant hears of a payment: the mailbox message (or e-mail) once it is paid, the
state in "My applications", and the payments in the data export (ADR 0051)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rathaus.accounts import gdpr
from rathaus.accounts.models import Message
from rathaus.core.models import OutgoingEmail
from rathaus.payments import confirmation, services
from rathaus.payments.models import PaymentRequest
from rathaus.payments.services import ItemSpec
from tests.factories import (
    AccountFactory,
    AuthorityFactory,
    CashOfficeFactory,
    SubmissionFactory,
    UserFactory,
)
from tests.support import run_queued

pytestmark = pytest.mark.django_db

TASK = "rathaus.payments.tasks.send_confirmation"


def make_payment(**kwargs):
    authority = kwargs["submission"].authority if "submission" in kwargs else AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="invoice")
    payment, _created = services.create_request(
        authority=authority,
        items=[ItemSpec("Geburtsurkunde", 2, 1200, "geburt")],
        purpose="Geburtsurkunde",
        **kwargs,
    )
    return payment


def test_a_paid_request_puts_one_message_with_the_confirmation_into_the_mailbox():
    account = AccountFactory()
    payment = make_payment(account=account)
    assert run_queued(TASK) == []  # nothing before it is paid
    services.mark_received(payment, user=UserFactory(), note="bar")
    assert run_queued(TASK) == ["sent"]
    message = Message.objects.get(account=account)
    assert message.subject == f"Zahlung eingegangen: {payment.kassenzeichen}"
    assert "24,00\xa0€" in message.body
    assert payment.kassenzeichen in message.body
    attachment = message.attachments.get()
    assert attachment.filename == f"Zahlungsbestaetigung-{payment.kassenzeichen}.pdf"
    assert attachment.file.open().read().startswith(b"%PDF")
    # once per request: again, or a second task for the same request, sends nothing
    assert confirmation.deliver(str(payment.pk)) == "already sent"
    assert Message.objects.filter(account=account).count() == 1
    assert confirmation.describe([str(payment.pk)], {}) == (
        f"Zahlung {payment.kassenzeichen} der antragstellenden Person bestätigen"
    )


def test_the_submissions_account_gets_the_message_too():
    account = AccountFactory()
    submission = SubmissionFactory(account=account)
    payment = make_payment(submission=submission)
    services.mark_received(payment, user=UserFactory())
    assert run_queued(TASK) == ["sent"]
    message = Message.objects.get(account=account, subject__startswith="Zahlung eingegangen")
    assert message.reference == submission.reference


def test_a_payer_without_an_account_gets_an_e_mail_with_the_link_to_the_confirmation():
    payment = make_payment(payer_email="kim@example.org")
    services.mark_received(payment, user=UserFactory())
    assert run_queued(TASK) == ["sent"]
    email = OutgoingEmail.objects.get(to="kim@example.org", subject="Zahlung eingegangen")
    assert payment.kassenzeichen in email.text_body
    assert "24,00" in email.text_body
    link = re.search(r"http://testserver(/zahlung/\S+)", email.text_body).group(1)
    html = Client().get(link).content.decode()
    assert "Zahlungsbestätigung" in html
    assert payment.kassenzeichen in html
    assert confirmation.deliver(str(payment.pk)) == "already sent"
    assert OutgoingEmail.objects.filter(to="kim@example.org").count() == 1


def test_an_unpaid_request_sends_nothing():
    payment = make_payment(payer_email="kim@example.org")
    assert confirmation.deliver(str(payment.pk)) == "not paid"
    assert not OutgoingEmail.objects.filter(to="kim@example.org").exists()


def test_my_applications_shows_an_open_and_a_paid_payment():
    account = AccountFactory()
    open_one = make_payment(submission=SubmissionFactory(account=account))
    paid_one = make_payment(submission=SubmissionFactory(account=account))
    services.mark_received(paid_one, user=UserFactory())
    client = Client()
    client.force_login(account.user)
    html = client.get("/konto/antraege/").content.decode()
    assert "Bezahlung offen" in html
    assert f'href="/zahlung/{open_one.pk}/"' in html
    assert f'href="/zahlung/{paid_one.pk}/quittung/"' in html
    assert '<span class="kern-label kern-label--small">bezahlt</span>' in html
    detail = client.get(f"/konto/antraege/{open_one.submission.reference}/").content.decode()
    assert f'href="/zahlung/{open_one.pk}/"' in detail
    assert "Jetzt bezahlen (24,00\xa0€)" in detail
    detail = client.get(f"/konto/antraege/{paid_one.submission.reference}/").content.decode()
    assert f'href="/zahlung/{paid_one.pk}/quittung/"' in detail
    assert "Bezahlung offen" not in detail


def test_a_cancelled_payment_is_not_offered_in_my_applications():
    account = AccountFactory()
    payment = make_payment(submission=SubmissionFactory(account=account))
    services.cancel(payment, user=UserFactory())
    client = Client()
    client.force_login(account.user)
    assert f"/zahlung/{payment.pk}/" not in client.get("/konto/antraege/").content.decode()


def test_the_data_export_has_the_payments_of_the_account():
    account = AccountFactory()
    mine = make_payment(account=account)
    make_payment(payer_email="other@example.org")
    services.mark_received(mine, user=UserFactory())
    exported = gdpr.export_data(account)["payments"]
    assert [entry["kassenzeichen"] for entry in exported] == [mine.kassenzeichen]
    assert exported[0]["status"] == PaymentRequest.Status.PAID
    assert exported[0]["amount_cents"] == 2400
    assert exported[0]["items"] == [
        {
            "description": "Geburtsurkunde",
            "quantity": 2,
            "unit_cents": 1200,
            "total_cents": 2400,
            "fee_basis": "",
        }
    ]

"""What the citizen meets when paying: the payment page, the way back from the provider, the
payment confirmation, and who may see them (ADR 0051)."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from rathaus.payments import access, refunds, services
from rathaus.payments.models import Notification, PaymentRequest, StatusChange
from rathaus.payments.providers.base import TransactionStatus
from rathaus.payments.services import ItemSpec
from tests.factories import (
    AccountFactory,
    AuthorityFactory,
    CashOfficeFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

S = PaymentRequest.Status
UNAVAILABLE = "Der Bezahldienst ist gerade nicht erreichbar. Ihr Antrag ist gespeichert."


def make_payment(*, account=None, provider="invoice", payer_email="", submission=None):
    authority = submission.authority if submission else AuthorityFactory()
    CashOfficeFactory(authority=authority, provider=provider)
    payment, _created = services.create_request(
        authority=authority,
        items=[
            ItemSpec("Geburtsurkunde", 1, 1200, "geburt", "AllGO LSA"),
            ItemSpec("Geburtsurkunde, weitere Ausfertigung", 2, 600, "geburt"),
        ],
        purpose="Geburtsurkunde",
        account=account,
        submission=submission,
        payer_email=payer_email,
        payer_name="Ilse Beispiel",
    )
    return payment


def owner_client(account) -> Client:
    client = Client()
    client.force_login(account.user)
    return client


def paid(payment: PaymentRequest) -> PaymentRequest:
    return services.mark_received(payment, user=UserFactory(), note="Barzahlung")


def test_the_owner_sees_what_is_paid_for_and_everyone_else_gets_404():
    account = AccountFactory()
    payment = make_payment(account=account)
    html = owner_client(account).get(f"/zahlung/{payment.pk}/").content.decode()
    assert payment.kassenzeichen in html
    assert "Geburtsurkunde, weitere Ausfertigung" in html
    assert "24,00\xa0€" in html  # 12 + 2 × 6
    assert "Noch nicht bezahlt" in html
    assert "Meine Anträge" in html  # the breadcrumbs of the account
    stranger = owner_client(AccountFactory())
    for path in ("", "zurueck/", "quittung/", "quittung.pdf"):
        assert stranger.get(f"/zahlung/{payment.pk}/{path}").status_code == 404, path
    # a token does not open a request that an account owns
    forged = f"/zahlung/{payment.pk}/?t={access.token(payment)}"
    assert stranger.get(forged).status_code == 404
    # the owner, logged out, is asked to log in
    response = Client().get(f"/zahlung/{payment.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/anmelden/?next=")
    # staff do not use these pages
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert staff.get(f"/zahlung/{payment.pk}/").status_code == 404


def test_a_payer_without_an_account_needs_the_signed_token():
    payment = make_payment(payer_email="kim@example.org")
    other = make_payment(payer_email="kim@example.org")
    client = Client()
    assert client.get(f"/zahlung/{payment.pk}/").status_code == 404
    assert client.get(f"/zahlung/{payment.pk}/?t={access.token(other)}").status_code == 404
    assert client.get(f"/zahlung/{payment.pk}/?t=abc").status_code == 404
    url = access.url(payment)
    assert url == f"/zahlung/{payment.pk}/?t={access.token(payment)}"
    html = client.get(url).content.decode()
    assert payment.kassenzeichen in html
    # the links of the pages carry the token on
    html = client.get(access.url(payment, "payments:returned")).content.decode()
    assert f'href="{url}"' in html


def test_the_browser_that_sent_the_application_may_see_its_payment():
    submission = SubmissionFactory()
    payment = make_payment(submission=submission)
    client = Client()
    assert client.get(f"/zahlung/{payment.pk}/").status_code == 404
    session = client.session
    session["rathaus_submissions"] = [str(submission.pk)]
    session.save()
    assert client.get(f"/zahlung/{payment.pk}/").status_code == 200


def test_the_invoice_provider_says_how_to_pay_with_iban_and_cash_reference():
    account = AccountFactory()
    payment = make_payment(account=account)
    html = owner_client(account).get(f"/zahlung/{payment.pk}/").content.decode()
    assert "So bezahlen Sie" in html
    assert "DE02810532720641100035" in html
    assert "Kreissparkasse Börde" in html
    assert html.count(payment.kassenzeichen) >= 3  # summary, desk, transfer reference
    assert "Jetzt bezahlen" not in html
    assert f'action="/zahlung/{payment.pk}/' not in html


def test_starting_an_online_payment_sends_the_payer_to_the_provider(testpay):
    payment = make_payment(payer_email="kim@example.org", provider="testpay")
    url = access.url(payment)
    client = Client()
    html = client.get(url).content.decode()
    assert "Jetzt bezahlen" in html
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == "https://bezahlen.example.org/seite/tx-1"
    sent = testpay.started[0]
    assert sent.redirect_url == f"http://testserver{access.url(payment, 'payments:returned')}"
    assert sent.notify_url == "http://testserver/api/v1/payments/webhooks/testpay"
    assert sent.kassenzeichen == payment.kassenzeichen
    assert sent.gross_amount_cents == 2400
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    assert payment.transaction_id == "tx-1"


def test_the_provider_down_shows_a_clear_message_changes_nothing_and_a_retry_works(testpay):
    account = AccountFactory()
    payment = make_payment(account=account, provider="testpay")
    client = owner_client(account)
    testpay.down = True
    response = client.post(f"/zahlung/{payment.pk}/")
    assert response.status_code == 503
    html = response.content.decode()
    assert UNAVAILABLE in html
    assert "Noch einmal bezahlen" in html  # the button to retry
    payment.refresh_from_db()
    assert (payment.status, payment.transaction_id, payment.payment_url) == (S.CREATED, "", "")
    assert payment.status_changes.count() == 1
    testpay.down = False
    response = client.post(f"/zahlung/{payment.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://bezahlen.example.org/")
    payment.refresh_from_db()
    assert payment.status == S.PENDING


def test_the_way_back_is_no_proof_the_provider_is_asked_once(testpay):
    account = AccountFactory()
    payment = make_payment(account=account, provider="testpay")
    client = owner_client(account)
    client.post(f"/zahlung/{payment.pk}/")
    back = f"/zahlung/{payment.pk}/zurueck/"

    html = client.get(back + "?status=paid&paid=1").content.decode()
    assert testpay.queries == ["tx-1"]
    payment.refresh_from_db()
    assert payment.status == S.PENDING
    assert "Wir prüfen Ihre Zahlung" in html
    assert "Sie können diese Seite schließen" in html
    assert f'href="{back}"' in html  # a plain link to look again, no automatic reload
    assert "http-equiv" not in html

    testpay.down = True
    html = client.get(back).content.decode()
    assert "Wir prüfen Ihre Zahlung" in html
    assert len(testpay.queries) == 2

    testpay.down = False
    testpay.status = TransactionStatus.PAYED
    html = client.get(back).content.decode()
    assert len(testpay.queries) == 3
    payment.refresh_from_db()
    assert payment.status == S.PAID
    assert payment.payment_method == "Kreditkarte"
    assert "Zahlung eingegangen" in html
    assert f"/zahlung/{payment.pk}/quittung/" in html
    change = payment.status_changes.last()
    assert (change.to_status, change.cause) == (S.PAID, StatusChange.Cause.QUERY)
    assert change.notification.event_id == "query:tx-1:PAYED"
    # a paid request is not asked again
    client.get(back)
    assert len(testpay.queries) == 3
    assert Notification.objects.filter(request=payment).count() == 2  # INITIAL and PAYED


def test_a_failed_payment_offers_to_try_again(testpay):
    account = AccountFactory()
    payment = make_payment(account=account, provider="testpay")
    client = owner_client(account)
    client.post(f"/zahlung/{payment.pk}/")
    testpay.status = TransactionStatus.FAILED
    html = client.get(f"/zahlung/{payment.pk}/zurueck/").content.decode()
    payment.refresh_from_db()
    assert payment.status == S.FAILED
    assert "Die Bezahlung hat nicht geklappt" in html
    assert "Noch einmal bezahlen" in html
    response = client.post(f"/zahlung/{payment.pk}/")
    assert response["Location"] == "https://bezahlen.example.org/seite/tx-2"


@pytest.mark.parametrize(
    ("move", "text"),
    [
        ("cancel", "Diese Zahlung wurde storniert"),
        ("expire", "Die Frist zum Bezahlen ist abgelaufen"),
    ],
)
def test_cancelled_and_expired_say_what_happens_now(move, text, testpay):
    account = AccountFactory()
    payment = make_payment(account=account, provider="testpay")
    if move == "cancel":
        services.cancel(payment, user=UserFactory(), note="Gebühr erlassen")
    else:
        PaymentRequest.objects.filter(pk=payment.pk).update(due_at=payment.created_at)
        services.expire_due()
    client = owner_client(account)
    html = client.get(f"/zahlung/{payment.pk}/").content.decode()
    assert text in html
    assert "Jetzt bezahlen" not in html
    response = client.post(f"/zahlung/{payment.pk}/")
    assert response.status_code == 302
    assert testpay.started == []


def test_the_payment_confirmation_as_page_and_pdf():
    account = AccountFactory()
    payment = paid(make_payment(account=account))
    client = owner_client(account)
    html = client.get(f"/zahlung/{payment.pk}/").content.decode()
    assert "Bezahlt am" in html
    assert re.search(r"<h1[^>]*>Ihre Zahlung</h1>", html)
    assert f"/zahlung/{payment.pk}/quittung/" in html
    html = client.get(f"/zahlung/{payment.pk}/quittung/").content.decode()
    assert "Zahlungsbestätigung" in html
    assert payment.kassenzeichen in html
    assert "Gemeindekasse" in html
    assert "24,00\xa0€" in html
    response = client.get(f"/zahlung/{payment.pk}/quittung.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert payment.kassenzeichen in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert payment.kassenzeichen in text
    assert "Geburtsurkunde, weitere Ausfertigung" in text
    assert "24,00" in text


def test_an_unpaid_request_has_no_confirmation_yet():
    account = AccountFactory()
    payment = make_payment(account=account)
    client = owner_client(account)
    for path in ("quittung/", "quittung.pdf"):
        response = client.get(f"/zahlung/{payment.pk}/{path}")
        assert response.status_code == 302
        assert response["Location"] == f"/zahlung/{payment.pk}/"


def test_the_confirmation_lists_refunds(testpay):
    account = AccountFactory()
    payment = paid(make_payment(account=account))
    refunds.refund(payment, 600, user=UserFactory(), note="eine Ausfertigung storniert")
    html = owner_client(account).get(f"/zahlung/{payment.pk}/quittung/").content.decode()
    assert "Zurückgezahlt" in html
    assert re.search(r"6,00\xa0€ werden zurückgezahlt", html)

"""The cash office's pages: who sees which payment, who may act, every action with its refusal,
the fee table and the cash office settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from rathaus.core import roles
from rathaus.payments import refunds, services
from rathaus.payments.models import CashOffice, Fee, PaymentRequest, Refund
from rathaus.payments.services import ItemSpec
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    CaseFactory,
    CashOfficeFactory,
    FeeFactory,
    OrgUnitFactory,
)
from tests.support import clerk_of, log_in

pytestmark = [pytest.mark.django_db, pytest.mark.database]

BASE = "/verwaltung/zahlungen/"
S = PaymentRequest.Status


def grant(user, *codenames):
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="payments", codename__in=codenames)
    )


@pytest.fixture
def unit():
    return OrgUnitFactory(name="Bürgerbüro")


@pytest.fixture
def authority(unit):
    CashOfficeFactory(authority=unit.authority, provider="invoice")
    return unit.authority


@pytest.fixture
def cashier(unit) -> Client:
    user = clerk_of(unit, "kasse", first_name="Karla", last_name="Kasse")
    grant(user, "view_paymentrequest", "change_paymentrequest")
    return log_in(Client(), "kasse", PASSWORD)


def make(authority, case=None, amount=1200, payer="Ilse Beispiel", provider="invoice"):
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Geburtsurkunde", 1, amount)],
        purpose="Geburtsurkunde", payer_name=payer, case=case, provider=provider,
    )  # fmt: skip
    return request


def test_the_cash_office_lists_and_filters_the_payments_of_its_authority(authority, cashier):
    paid = make(authority, payer="Anna Alt")
    services.mark_received(paid, user=None, note="Kasse")
    make(authority, payer="Bernd Neu", amount=2550)
    make(AuthorityFactory(), payer="Fremd Zahler")
    html = cashier.get(BASE).content.decode()
    assert "Anna Alt" in html
    assert "Bernd Neu" in html
    assert "Fremd Zahler" not in html
    assert "25,50\u00a0€" in html
    html = cashier.get(BASE, {"status": "paid"}).content.decode()
    assert "Anna Alt" in html
    assert "Bernd Neu" not in html
    html = cashier.get(BASE, {"suche": "bernd"}).content.decode()
    assert "Anna Alt" not in html
    assert "Bernd Neu" in html
    html = cashier.get(BASE, {"suche": paid.kassenzeichen}).content.decode()
    assert "Anna Alt" in html
    assert "Bernd Neu" not in html
    assert cashier.get(BASE, {"von": "2000-01-01", "bis": "2000-01-02"}).status_code == 200
    assert "Anna Alt" not in cashier.get(BASE, {"bis": "2000-01-02"}).content.decode()


def test_a_clerk_sees_only_the_payments_of_the_cases_of_their_units(unit, authority):
    clerk_of(unit, "clerk")
    client = log_in(Client(), "clerk", PASSWORD)
    own = make(authority, case=CaseFactory(org_unit=unit), payer="Eigene Zahlerin")
    other_unit = make(authority, case=CaseFactory(org_unit=OrgUnitFactory(authority=authority)),
                      payer="Anderes Amt")  # fmt: skip
    no_case = make(authority, payer="Ohne Vorgang")
    html = client.get(BASE).content.decode()
    assert "Eigene Zahlerin" in html
    assert "Anderes Amt" not in html
    assert "Ohne Vorgang" not in html
    assert client.get(f"{BASE}{own.pk}/").status_code == 200
    assert client.get(f"{BASE}{other_unit.pk}/").status_code == 404
    assert client.get(f"{BASE}{no_case.pk}/").status_code == 404
    # seeing is not acting: only the cash office records money
    response = client.post(f"{BASE}{own.pk}/", {"aktion": "eingegangen", "notiz": ""})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.status == S.CREATED
    assert "Zahlung als eingegangen erfassen" not in client.get(f"{BASE}{own.pk}/").content.decode()
    # the reconciliation, the fee table and the settings are not theirs
    for page in ("abgleich/", "abgleich/tagesabschluss.csv", "gebuehren/", "einstellungen/"):
        assert client.get(BASE + page).status_code == 403, page


def test_another_authoritys_cash_office_and_citizens_find_nothing(authority, cashier):
    foreign = make(AuthorityFactory())
    assert cashier.get(f"{BASE}{foreign.pk}/").status_code == 404
    assert (
        cashier.post(f"{BASE}{foreign.pk}/", {"aktion": "stornieren", "grund": "x"}).status_code
        == 404
    )
    anonymous = Client().get(f"{BASE}{foreign.pk}/")
    assert anonymous.status_code == 302
    assert "/verwaltung/anmelden/" in anonymous["Location"]


def test_marking_received_with_a_note_and_refused_a_second_time(authority, cashier):
    payment = make(authority)
    page = cashier.get(f"{BASE}{payment.pk}/").content.decode()
    assert "Zahlung als eingegangen erfassen" in page
    response = cashier.post(
        f"{BASE}{payment.pk}/", {"aktion": "eingegangen", "notiz": "Barzahlung"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == S.PAID
    change = payment.status_changes.get(to_status=S.PAID)
    assert change.note == "Barzahlung"
    assert change.actor.username == "kasse"
    html = cashier.get(f"{BASE}{payment.pk}/").content.decode()
    assert "Barzahlung" in html
    assert "Karla Kasse" in html
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "eingegangen", "notiz": ""})
    assert response.status_code == 409
    assert "bereits als bezahlt erfasst" in response.content.decode()


def test_cancelling_needs_a_reason_and_is_refused_when_paid(authority, cashier):
    payment = make(authority)
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "stornieren", "grund": ""})
    assert response.status_code == 422
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "stornieren", "grund": "Erlassen"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == S.CANCELLED
    assert payment.status_changes.get(to_status=S.CANCELLED).note == "Erlassen"
    paid = make(authority)
    services.mark_received(paid, user=None)
    response = cashier.post(f"{BASE}{paid.pk}/", {"aktion": "stornieren", "grund": "zu spät"})
    assert response.status_code == 409
    assert "nicht storniert werden" in response.content.decode()
    assert cashier.post(f"{BASE}{paid.pk}/", {"aktion": "loeschen"}).status_code == 400


def test_refunding_in_euros_up_to_what_was_paid_and_recording_the_payout(authority, cashier):
    payment = make(authority)
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "erstatten", "betrag": "5,00",
                                                     "grund": "Erlass"})  # fmt: skip
    assert response.status_code == 409  # not paid yet
    services.mark_received(payment, user=None)
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "erstatten", "betrag": "12,01",
                                                     "grund": "Erlass"})  # fmt: skip
    assert response.status_code == 409
    assert "höchstens 12,00\u00a0€" in response.content.decode()
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "erstatten", "betrag": "-1",
                                                     "grund": "Erlass"})  # fmt: skip
    assert response.status_code == 422
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "erstatten", "betrag": "4,50",
                                                     "grund": "Teilerlass"})  # fmt: skip
    assert response.status_code == 302
    refund = payment.refunds.get()
    assert (refund.amount_cents, refund.note, refund.status) == (450, "Teilerlass", "requested")
    html = cashier.get(f"{BASE}{payment.pk}/").content.decode()
    assert "höchstens 7,50\u00a0€" in html
    assert "Erstattung als ausgezahlt erfassen" in html
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "ausgezahlt",
                                                     "erstattung": refund.pk})  # fmt: skip
    assert response.status_code == 302
    refund.refresh_from_db()
    assert refund.status == Refund.Status.DONE
    assert refund.done_at is not None
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "ausgezahlt",
                                                     "erstattung": refund.pk})  # fmt: skip
    assert response.status_code == 409
    assert "bereits als ausgezahlt" in response.content.decode()
    response = cashier.post(f"{BASE}{payment.pk}/", {"aktion": "ausgezahlt", "erstattung": "x"})
    assert response.status_code == 409


def test_a_refund_of_an_online_provider_is_not_recorded_by_hand(authority):
    payment = make(authority)
    services.mark_received(payment, user=None)
    refund = Refund.objects.create(request=payment, amount_cents=100, reason="staff")
    PaymentRequest.objects.filter(pk=payment.pk).update(provider="online-test")

    class Online:
        verbose_name = "online"
        online = True

    from rathaus.payments.providers.base import providers

    online = Online()
    with providers.override("online-test", online), pytest.raises(services.PaymentRefused):  # type: ignore[arg-type]
        refunds.refund_paid_out(refund, user=None)


def test_the_detail_shows_items_history_and_notifications_with_their_body(authority, cashier):
    from tests.factories import NotificationFactory

    payment = make(authority)
    NotificationFactory(request=payment, provider="invoice", outcome="rejected",
                        reason="amount 1 EUR differs", body='{"secret": "<b>x</b>"}')  # fmt: skip
    html = cashier.get(f"{BASE}{payment.pk}/").content.decode()
    assert "Geburtsurkunde" in html
    assert payment.kassenzeichen in html
    assert "amount 1 EUR differs" in html
    assert "<details>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


# --- fee table and settings -----------------------------------------------------------------


@pytest.fixture
def head(unit, authority) -> Client:
    user = clerk_of(unit, "head")
    user.memberships.update(role=roles.role(roles.HEAD))
    return log_in(Client(), "head", PASSWORD)


def test_heads_keep_the_fee_table_in_euros(authority, head, cashier):
    other = FeeFactory(authority=AuthorityFactory(), code="fremd")
    response = head.post(BASE + "gebuehren/neu/", {"code": "geburtsurkunde", "label": "Geburtsurkunde",
                         "betrag": "12,00", "weitere": "6,00", "rechtsgrundlage": "AllGO"})  # fmt: skip
    assert response.status_code == 302
    fee = Fee.objects.get(authority=authority, code="geburtsurkunde")
    assert (fee.amount_cents, fee.further_copy_cents) == (1200, 600)
    html = head.get(BASE + "gebuehren/").content.decode()
    assert "12,00\u00a0€" in html
    assert "fremd" not in html
    response = head.post(BASE + "gebuehren/neu/", {"code": "geburtsurkunde", "label": "X",
                                                  "betrag": "1"})  # fmt: skip
    assert response.status_code == 422
    assert "bereits einen Eintrag" in response.content.decode()
    response = head.post(f"{BASE}gebuehren/{fee.pk}/", {"code": "geburtsurkunde", "label": "G",
                                                        "betrag": "13,50", "weitere": ""})  # fmt: skip
    assert response.status_code == 302
    fee.refresh_from_db()
    assert (fee.amount_cents, fee.further_copy_cents, fee.label) == (1350, None, "G")
    assert head.post(f"{BASE}gebuehren/{fee.pk}/", {"aktiv": "0"}).status_code == 302
    fee.refresh_from_db()
    assert not fee.active
    assert head.get(f"{BASE}gebuehren/{other.pk}/").status_code == 404
    # the cash office's clerk records money but does not set the fees
    assert cashier.get(BASE + "gebuehren/").status_code == 403


def test_heads_set_the_cash_office_with_a_preview_and_a_checked_iban(authority, head):
    html = head.get(BASE + "einstellungen/").content.decode()
    assert "nächste Zahlungsaufforderung" in html
    data = {"name": "Gemeindekasse", "kassenzeichen_pattern": "BAR-{year}-{number:06d}",
            "provider": "invoice", "account_holder": "Gemeinde", "iban": "DE96 8105 3272 0001 2345 67",
            "bic": "NOLADE21MDG", "bank": "KSK", "days_to_pay": "10"}  # fmt: skip
    assert head.post(BASE + "einstellungen/", data).status_code == 302
    office = CashOffice.objects.get(authority=authority)
    assert (office.iban, office.days_to_pay) == ("DE96810532720001234567", 10)
    assert "BAR-" in head.get(BASE + "einstellungen/").content.decode()
    response = head.post(BASE + "einstellungen/", {**data, "iban": "DE97810532720001234567"})
    assert response.status_code == 422
    assert "Prüfziffer" in response.content.decode()
    response = head.post(
        BASE + "einstellungen/", {**data, "kassenzeichen_pattern": "{jahr}-{number}"}
    )
    assert response.status_code == 422
    response = head.post(BASE + "einstellungen/", {**data, "provider": "nowhere"})
    assert response.status_code == 422


def test_the_case_page_names_the_cases_payments(unit, authority):
    clerk_of(unit, "clerk")
    client = log_in(Client(), "clerk", PASSWORD)
    case = CaseFactory(org_unit=unit)
    html = client.get(f"/verwaltung/vorgaenge/{case.number}/").content.decode()
    assert "<dt>Zahlung</dt>" not in html
    payment = make(authority, case=case)
    html = client.get(f"/verwaltung/vorgaenge/{case.number}/").content.decode()
    assert "<dt>Zahlung</dt>" in html
    assert f'href="/verwaltung/zahlungen/{payment.pk}/"' in html
    assert "12,00\u00a0€, angelegt" in html


def test_the_list_and_a_request_read_as_many_queries_with_many_rows_as_with_few(authority, cashier):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(address):
        with CaptureQueriesContext(connection) as queries:
            assert cashier.get(address).status_code == 200
        return len(queries.captured_queries)

    first = make(authority, case=CaseFactory(org_unit=OrgUnitFactory(authority=authority)))
    services.mark_received(first, user=None)
    few = (count(BASE), count(f"{BASE}{first.pk}/"))
    for _ in range(8):
        other = make(authority, case=CaseFactory(org_unit=OrgUnitFactory(authority=authority)))
        services.cancel(other, note="x")
        refunds.refund(first, 10, user=None, note="Teilerlass")
    assert (count(BASE), count(f"{BASE}{first.pk}/")) == few


def test_a_head_of_two_authorities_chooses_whose_fee_table(unit, authority, head):
    from django.contrib.auth import get_user_model

    from tests.factories import MembershipFactory

    elsewhere = OrgUnitFactory()
    MembershipFactory(user=get_user_model().objects.get(username="head"), org_unit=elsewhere,
                      role=roles.role(roles.HEAD))  # fmt: skip
    FeeFactory(authority=authority, code="fee-here")
    FeeFactory(authority=elsewhere.authority, code="fee-there")
    html = head.get(BASE + "gebuehren/").content.decode()
    assert 'name="behoerde"' in html
    _first, second = sorted([authority, elsewhere.authority], key=lambda a: a.name)
    html = head.get(BASE + "gebuehren/", {"behoerde": second.slug}).content.decode()
    assert ("fee-there" if second == elsewhere.authority else "fee-here") in html
    assert ("fee-here" if second == elsewhere.authority else "fee-there") not in html
    foreign = AuthorityFactory()
    html = head.get(BASE + "gebuehren/", {"behoerde": foreign.slug}).content.decode()
    assert foreign.name not in html


def test_a_payment_of_an_application_names_its_reference(authority, cashier):
    from tests.factories import SubmissionFactory

    submission = SubmissionFactory(authority=authority)
    services.create_request(authority=authority, items=[ItemSpec("Urkunde", 1, 500)],
                            purpose="Urkunde", submission=submission)  # fmt: skip
    assert submission.reference in cashier.get(BASE).content.decode()

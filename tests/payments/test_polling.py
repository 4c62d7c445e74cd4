"""Pending requests are asked at the provider; a provider that is down is asked again later."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.core import housekeeping
from rathaus.payments import polling, services
from rathaus.payments.models import PaymentRequest, StatusChange
from rathaus.payments.providers.base import (
    PaymentInformation,
    ProviderUnavailable,
    TransactionStatus,
    providers,
)
from rathaus.payments.providers.sandbox import Sandbox
from rathaus.payments.services import ItemSpec
from tests.factories import AuthorityFactory, CashOfficeFactory

pytestmark = pytest.mark.django_db

S = PaymentRequest.Status


class Answers(Sandbox):
    """The sandbox provider whose status query answers from a dict (or is down)."""

    def __init__(self, status: TransactionStatus | None) -> None:
        self.status = status
        self.asked: list[str] = []

    def query(self, transaction_id: str) -> PaymentInformation:
        self.asked.append(transaction_id)
        if self.status is None:
            raise ProviderUnavailable("connection refused")
        return PaymentInformation(transaction_id, self.status, 1200, "EUR")


def pending(transaction: str = "SBX-p") -> PaymentRequest:
    authority = AuthorityFactory()
    CashOfficeFactory(authority=authority, provider="sandbox")
    request, _ = services.create_request(
        authority=authority, items=[ItemSpec("Urkunde", 1, 1200)], purpose="Urkunde"
    )
    PaymentRequest.objects.filter(pk=request.pk).update(status=S.PENDING,
                                                        transaction_id=transaction)  # fmt: skip
    request.refresh_from_db()
    return request


def test_a_request_pending_for_a_while_is_asked_and_paid_once():
    request = pending()
    later = timezone.now() + dt.timedelta(minutes=5)
    provider = Answers(TransactionStatus.PAYED)
    with providers.override("sandbox", provider):
        assert polling.poll_pending(later) == 1
        assert polling.poll_pending(later + dt.timedelta(minutes=5)) == 0  # paid: not asked
    assert provider.asked == ["SBX-p"]
    request.refresh_from_db()
    assert request.status == S.PAID
    assert request.last_checked_at == later
    change = StatusChange.objects.get(request=request, to_status=S.PAID)
    assert change.cause == StatusChange.Cause.QUERY
    assert change.notification.event_id == "query:SBX-p:PAYED"


def test_a_request_started_just_now_is_not_asked_yet():
    pending()
    provider = Answers(TransactionStatus.PAYED)
    with providers.override("sandbox", provider):
        assert polling.poll_pending(timezone.now()) == 0
    assert provider.asked == []


def test_still_open_at_the_provider_only_notes_the_time_and_asks_again_later():
    request = pending()
    later = timezone.now() + dt.timedelta(minutes=5)
    provider = Answers(TransactionStatus.INITIAL)
    with providers.override("sandbox", provider):
        polling.poll_pending(later)
        polling.poll_pending(later + dt.timedelta(seconds=30))  # too soon: not asked
        polling.poll_pending(later + polling.ASK_EVERY)
    assert provider.asked == ["SBX-p", "SBX-p"]
    request.refresh_from_db()
    assert request.status == S.PENDING
    assert not request.notifications.exists()


def test_a_provider_that_is_down_is_logged_and_asked_next_round(caplog):
    request = pending()
    later = timezone.now() + dt.timedelta(minutes=5)
    down = Answers(None)
    with providers.override("sandbox", down):
        assert polling.poll_pending(later) == 0
    assert "status query failed" in caplog.text
    request.refresh_from_db()
    assert (request.status, request.last_checked_at) == (S.PENDING, None)
    with providers.override("sandbox", Answers(TransactionStatus.FAILED)):
        assert polling.poll_pending(later + dt.timedelta(minutes=1)) == 1
    request.refresh_from_db()
    assert request.status == S.FAILED


def test_the_poll_job_is_registered_with_the_worker():
    jobs = {job.name: job for job in housekeeping.registered()}
    assert jobs["payments.poll"].every <= dt.timedelta(minutes=5)

"""Refused access to an object that exists but is not the user's is audited, boundedly."""

from __future__ import annotations

import time_machine
from django.test import Client
from django.utils import timezone

from rathaus.core.models import AuditEvent
from rathaus.core.refusals import ACTION, WINDOW
from tests.factories import PASSWORD, AccountFactory, CaseFactory, MessageAttachmentFactory
from tests.support import clerk_of, log_in


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=ACTION).order_by("id"))


def test_a_citizen_opening_another_citizens_case_writes_one_event(db):
    case = CaseFactory(account=AccountFactory())
    intruder = Client()
    account = AccountFactory()
    intruder.force_login(account.user)
    address = f"/konto/antraege/{case.submission.reference}/"
    assert intruder.get(address).status_code == 404
    [event] = refusals()
    assert event.object_type == "forms.Submission"
    assert event.object_id == str(case.submission.pk)
    assert event.details["path"] == address
    assert event.details["status"] == 404
    assert event.actor_ref == account.user.pk


def test_a_hundred_attempts_write_a_bounded_number_of_events(db):
    cases = [CaseFactory(account=AccountFactory()) for _ in range(3)]
    intruder = Client()
    intruder.force_login(AccountFactory().user)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for attempt in range(100):
            case = cases[attempt % 3]
            assert intruder.get(f"/konto/antraege/{case.submission.reference}/").status_code == 404
        assert len(refusals()) == 1  # one per user and kind of object in the window
        clock.shift(WINDOW)
        intruder.get(f"/konto/antraege/{cases[0].submission.reference}/")
    events = refusals()
    assert len(events) == 2
    assert events[1].details["refused_in_previous_window"] == 100


def test_what_does_not_exist_is_not_an_event(db):
    intruder = Client()
    intruder.force_login(AccountFactory().user)
    assert intruder.get("/konto/antraege/BSP-0000-000000/").status_code == 404
    assert intruder.get("/konto/postfach/999999/").status_code == 404
    assert refusals() == []


def test_other_kinds_are_audited_too(db):
    attachment = MessageAttachmentFactory()
    intruder = Client()
    intruder.force_login(AccountFactory().user)
    message = attachment.message
    assert intruder.get(f"/konto/postfach/{message.pk}/").status_code == 404
    assert intruder.get(f"/dateien/{attachment.file.pk}/{attachment.filename}").status_code == 404
    case = CaseFactory()
    clerk_of(CaseFactory().org_unit, "nachbaramt")
    clerk = log_in(Client(), "nachbaramt", PASSWORD)
    assert clerk.get(f"/verwaltung/vorgaenge/{case.number}/").status_code == 404
    kinds = [event.object_type for event in refusals()]
    assert kinds == ["accounts.Message", "core.StoredFile", "cases.Case"]

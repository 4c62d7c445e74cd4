"""The applicant follows an application handed to an authority elsewhere: routed into the
outbox, sent, then accepted or rejected — on "My applications", on the application's page and,
for a rejection, in the mailbox (ADR 0053)."""

from __future__ import annotations

import re

import pytest
from django.test import TestCase
from django.utils import timezone, translation
from django.utils.formats import date_format

from rathaus.accounts.models import Message
from rathaus.cases import services
from rathaus.catalog.models import Responsibility, Service
from rathaus.core import keys
from rathaus.core.models import Authority
from rathaus.exchange import answers
from rathaus.exchange.models import Outgoing
from tests.support import MELDEBESCHEINIGUNG, citizen_client, run_queued, submit

pytest_plugins = ["tests.factories.exchange_sending"]  # the fake receiver


@pytest.fixture
def routed(barleben, remote_destination):
    """A Meldebescheinigung of a Barleben citizen for which a town elsewhere is responsible;
    routed as the worker does, with the commit's subscribers run."""
    elsewhere = Authority.objects.create(
        slug="wolmirstedt", name="Stadt Wolmirstedt", kind="gemeinde", ags="15083565",
        ars=keys.ars_for_einheitsgemeinde("15083565"),
    )  # fmt: skip
    service = Service.objects.get(leika_key="99115003012000")
    Responsibility.objects.create(service=service, authority=elsewhere, postal_code="39179")
    remote_destination.authority = elsewhere
    remote_destination.leika_keys = ["99115003012000"]
    remote_destination.areas = ["15083"]
    remote_destination.save()
    client = citizen_client()
    submission = submit(client, "meldebescheinigung", MELDEBESCHEINIGUNG)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert services.route(str(submission.pk)) == "routed"
    return client, submission


def pages(client, submission) -> tuple[str, str]:
    return (
        client.get("/konto/antraege/").content.decode(),
        client.get(f"/konto/antraege/{submission.reference}/").content.decode(),
    )


def test_the_applicant_sees_it_passed_on_and_accepted(receiver, routed):
    client, submission = routed
    outgoing = Outgoing.objects.get(submission=submission)  # the outbox hook of cases
    for page in pages(client, submission):
        assert "Ihr Antrag wird an Stadt Wolmirstedt übermittelt." in page
    # the application's page names the authority it went to as the one responsible
    assert re.search(r"Zuständig</dt><dd[^>]*>Stadt Wolmirstedt<", pages(client, submission)[1])
    assert run_queued("rathaus.exchange.tasks.send_outgoing") == ["sent"]
    with translation.override("de"):
        today = date_format(timezone.localdate(), "DATE_FORMAT")
    for page in pages(client, submission):
        assert f"Am {today} an Stadt Wolmirstedt übermittelt." in page
    receiver.accept(receiver.only())
    assert answers.fetch(str(outgoing.pk)) == "accepted"
    for page in pages(client, submission):
        assert f"Stadt Wolmirstedt hat Ihren Antrag am {today} erhalten und bearbeitet ihn." in page


def test_the_applicant_is_told_of_a_rejection_with_the_reason(receiver, routed):
    client, submission = routed
    outgoing = Outgoing.objects.get(submission=submission)
    run_queued("rathaus.exchange.tasks.send_outgoing")
    receiver.issue(receiver.only(), "reject-submission", {"problems": [
        {"title": "Unvollständig", "detail": "Die Unterschrift fehlt."},
    ]})  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert answers.fetch(str(outgoing.pk)) == "rejected"
    # a reject event is a failed hand-over, not a decision: said so, without the receiver's
    # technical reason (that is for the staff's outbox)
    for page in pages(client, submission):
        assert "konnte Stadt Wolmirstedt Ihren Antrag nicht entgegennehmen" in page
        assert "Die Unterschrift fehlt." not in page
    message = Message.objects.get(account=submission.account, subject__contains="nicht zugestellt")
    assert submission.reference in message.subject
    assert "keine Entscheidung über Ihren Antrag" in message.body
    assert "Die Unterschrift fehlt." not in message.body
    assert "Stadt Wolmirstedt" in message.body
    outgoing.refresh_from_db()
    assert "Die Unterschrift fehlt." in outgoing.reason  # the staff see it


def test_a_stuck_application_is_shown_as_delayed(receiver, routed):
    client, submission = routed
    Outgoing.objects.filter(submission=submission).update(status=Outgoing.Status.STUCK)
    for page in pages(client, submission):
        assert "Verzögert" in page
        assert "konnte noch nicht an Stadt Wolmirstedt übermittelt werden" in page


def test_an_application_handled_here_shows_no_exchange_note(barleben):
    client = citizen_client()
    submission = submit(client, "meldebescheinigung", MELDEBESCHEINIGUNG)
    services.route(str(submission.pk))
    for page in pages(client, submission):
        assert "exchange-note" not in page

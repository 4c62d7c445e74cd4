"""The staff outbox of the exchange (/verwaltung/austausch/): by status with counts, one
submission with the receiver's events, sending again by hand (ADR 0053)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.cases.models import OutboxItem
from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.exchange.models import Event, Outgoing
from tests.factories import (
    PASSWORD,
    AuthorityFactory,
    MembershipFactory,
    OrgUnitFactory,
    OutgoingFactory,
    SubmissionFactory,
)
from tests.support import clerk_of, log_in, run_queued

pytest_plugins = ["tests.factories.exchange_sending"]  # the fake receiver


@pytest.fixture
def town(db):
    return AuthorityFactory(slug="musterort", name="Gemeinde Musterort")


def administrator(authority, username="admin-austausch"):
    user = clerk_of(OrgUnitFactory(authority=authority), username)
    MembershipFactory(user=user, org_unit=OrgUnitFactory(authority=authority),
                      role=roles.role(roles.ADMINISTRATOR))  # fmt: skip
    return log_in(Client(), username, PASSWORD)


def outgoing(town, **fields):
    return OutgoingFactory(submission=SubmissionFactory(authority=town), **fields)


def test_the_outbox_lists_by_status_with_counts(town):
    stuck = outgoing(town, status="stuck", attempts=8, last_error="POST: 503")
    sent = outgoing(town, status="sent")
    elsewhere = outgoing(AuthorityFactory(), status="stuck")
    waiting = SubmissionFactory(authority=town)
    OutboxItem.objects.create(submission=waiting, target=AuthorityFactory(name="Kreis Fern"),
                              created_at=timezone.now())  # fmt: skip
    client = administrator(town)
    html = client.get("/verwaltung/austausch/").content.decode()
    assert "Hängt fest (1)" in html
    assert "Alle (2)" in html
    assert "Ohne Ziel (1)" in html
    assert stuck.submission.reference in html
    assert sent.submission.reference in html
    assert elsewhere.submission.reference not in html
    assert waiting.reference in html
    assert "Kreis Fern" in html
    only_stuck = client.get("/verwaltung/austausch/?status=stuck").content.decode()
    assert stuck.submission.reference in only_stuck
    assert sent.submission.reference not in only_stuck
    without = client.get("/verwaltung/austausch/?status=ohne-ziel").content.decode()
    assert waiting.reference in without
    assert stuck.submission.reference not in without


def test_a_clerk_may_not_see_the_outbox(town):
    clerk_of(OrgUnitFactory(authority=town), "sachbearbeitung")
    client = log_in(Client(), "sachbearbeitung", PASSWORD)
    assert client.get("/verwaltung/austausch/").status_code == 403
    assert client.get(f"/verwaltung/austausch/{outgoing(town).pk}/").status_code == 403


def test_another_authoritys_submission_is_not_found(town):
    other = outgoing(AuthorityFactory())
    assert administrator(town).get(f"/verwaltung/austausch/{other.pk}/").status_code == 404


def test_the_detail_shows_the_events_and_a_stuck_one_is_sent_again_by_hand(town):
    stuck = outgoing(town, status="stuck", attempts=8, last_error="POST /submissions: 503")
    Event.objects.create(
        direction="received", outgoing=stuck, jti="3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        kind="accept-submission", token="x.y.z", verified=False, problem="signature: kaputt",
        issued_at=timezone.now(), received_at=timezone.now(),
    )  # fmt: skip
    client = administrator(town)
    html = client.get(f"/verwaltung/austausch/{stuck.pk}/").content.decode()
    assert "POST /submissions: 503" in html
    assert ">angenommen<" in html  # the event in words, not its id
    assert "accept-submission" not in html
    assert "signature: kaputt" in html
    assert "ungültig, nicht beachtet" in html
    assert "Jetzt erneut senden" in html

    response = client.post(f"/verwaltung/austausch/{stuck.pk}/", {"aktion": "erneut-senden"})
    assert response.status_code == 302
    stuck.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("pending", 0)
    entry = AuditEvent.objects.get(action="exchange.retry", object_id=str(stuck.pk))
    assert entry.actor_label
    assert entry.details["previous"] == "stuck"
    # the send is queued (the factory's placeholder key cannot encrypt: stuck again)
    assert run_queued("rathaus.exchange.tasks.send_outgoing") == ["stuck"]


def test_sending_again_needs_the_csrf_token_and_a_stuck_or_waiting_one(town):
    sent = outgoing(town, status="sent")
    client = administrator(town)
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/verwaltung/austausch/{sent.pk}/",
                       {"aktion": "erneut-senden"}).status_code == 403  # fmt: skip
    client.handler.enforce_csrf_checks = False
    response = client.post(f"/verwaltung/austausch/{sent.pk}/", {"aktion": "erneut-senden"})
    assert response.status_code == 409
    assert "kann erneut gesendet werden" in response.content.decode()
    assert Outgoing.objects.get(pk=sent.pk).status == "sent"
    assert client.post(f"/verwaltung/austausch/{sent.pk}/", {"aktion": "x"}).status_code == 400

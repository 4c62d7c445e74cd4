"""The receiver's answers: callbacks with HMAC, the event log fetched and every event verified
before it changes anything (ADR 0053)."""

from __future__ import annotations

import base64
import json
import logging
import time

import pytest
from django.test import Client

from rathaus.core.models import AuditEvent, OutgoingEmail
from rathaus.exchange import answers, callbacks, sending
from rathaus.exchange.models import Event, Outgoing
from tests.support import run_queued

pytest_plugins = ["tests.factories.exchange_sending"]  # the fake receiver

SEND = "rathaus.exchange.tasks.send_outgoing"
POLL = "rathaus.exchange.tasks.poll_events"


@pytest.fixture
def sent(receiver, in_outbox) -> Outgoing:
    outgoing = sending.queue(str(in_outbox.pk))
    assert run_queued(SEND) == ["sent"]
    outgoing.refresh_from_db()
    return outgoing


def call_back(outgoing: Outgoing, *, secret: str | None = None, age: int = 0) -> object:
    body = json.dumps({
        "type": "https://schema.fitko.de/fit-connect/submission-api/callbacks/new-events",
        "submissionIds": [str(outgoing.submission_uuid)],
    }).encode()  # fmt: skip
    timestamp = str(int(time.time()) - age)
    signature = callbacks.signature(secret or outgoing.callback_secret, timestamp, body)
    return Client().post(
        f"/api/v1/exchange/callbacks/{outgoing.pk}", body, content_type="application/json",
        headers={"callback-timestamp": timestamp, "callback-authentication": signature},
    )  # fmt: skip


def tampered(token: str, **changes: object) -> str:
    """The token with changed claims and the old signature."""
    header, claims, signature = token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded.update(changes)
    encoded = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    return f"{header}.{encoded}.{signature}"


def test_a_callback_with_a_valid_hmac_fetches_the_log_and_applies_the_accept(receiver, sent):
    receiver.accept(receiver.only())
    response = call_back(sent)
    assert response.status_code == 202
    assert run_queued(POLL) == ["accepted"]
    sent.refresh_from_db()
    assert sent.status == "accepted"
    assert sent.settled_at is not None
    (event,) = sent.events.all()
    assert (event.kind, event.verified, event.direction) == ("accept-submission", True, "received")
    assert AuditEvent.objects.filter(action="exchange.accepted", object_id=str(sent.pk)).exists()


@pytest.mark.parametrize(
    ("secret", "age", "reason"),
    [
        ("not-the-secret", 0, "does not match"),
        (None, 301, "older than five minutes"),
    ],
)
def test_a_callback_with_a_bad_hmac_or_an_old_timestamp_is_refused_and_logged(
    receiver, sent, caplog, secret, age, reason
):
    receiver.accept(receiver.only())
    with caplog.at_level(logging.WARNING, logger="rathaus.exchange.callbacks"):
        response = call_back(sent, secret=secret, age=age)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert reason in caplog.text
    assert run_queued(POLL) == []
    sent.refresh_from_db()
    assert sent.status == "sent"


@pytest.mark.parametrize(
    "headers",
    [
        {"callback-timestamp": "\u00b2", "callback-authentication": "ab"},
        {"callback-timestamp": "1700000000", "callback-authentication": "\u00e4b"},
    ],
)
def test_a_callback_with_headers_that_are_not_ascii_is_refused_not_an_error(sent, headers):
    response = Client().post(
        f"/api/v1/exchange/callbacks/{sent.pk}", b"{}", content_type="application/json",
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 401


def test_a_callback_for_an_unknown_submission_is_404(db):
    response = Client().post(
        "/api/v1/exchange/callbacks/3f2504e0-4f89-41d3-9a0c-0305e82c3301", b"{}",
        content_type="application/json",
        headers={"callback-timestamp": str(int(time.time())), "callback-authentication": "00"},
    )  # fmt: skip
    assert response.status_code == 404


def test_an_event_with_a_bad_signature_is_kept_unverified_logged_and_not_applied(
    receiver, sent, caplog
):
    stored = receiver.only()
    token = receiver.issue(stored, "reject-submission", {"problems": [{"title": "Unlesbar"}]})
    receiver.events[stored.case_id] = [tampered(token, iat=int(time.time()) + 1)]
    with caplog.at_level(logging.WARNING, logger="rathaus.exchange.answers"):
        assert answers.fetch(str(sent.pk)) == "ignored"
    assert "signature" in caplog.text
    sent.refresh_from_db()
    assert sent.status == "sent"
    (event,) = sent.events.all()
    assert event.verified is False
    assert "signature" in event.problem
    # fetched again: kept once
    answers.fetch(str(sent.pk))
    assert sent.events.count() == 1


def test_an_event_about_another_submission_is_not_applied(receiver, sent, in_outbox):
    stored = receiver.only()
    stored.submission_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"  # the SET names another one
    receiver.accept(stored)
    assert answers.fetch(str(sent.pk)) == "ignored"
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert "sub" in sent.events.get().problem


def test_the_same_event_twice_is_applied_once(receiver, sent):
    stored = receiver.only()
    token = receiver.issue(stored, "reject-submission", {"problems": [{"detail": "Zu spät."}]})
    receiver.events[stored.case_id].append(token)
    assert answers.fetch(str(sent.pk)) == "rejected, duplicate"
    assert answers.fetch(str(sent.pk)) == "duplicate, duplicate"
    assert Event.objects.filter(jti=sent.events.get().jti).count() == 1
    assert AuditEvent.objects.filter(action="exchange.rejected").count() == 1


def test_an_accept_with_other_authentication_tags_is_not_applied(receiver, sent, caplog):
    stored = receiver.only()
    tags = receiver.tags(stored)
    tags["data"] = tags["metadata"]
    receiver.issue(stored, "accept-submission", {"authenticationTags": tags})
    with caplog.at_level(logging.ERROR, logger="rathaus.exchange.answers"):
        assert answers.fetch(str(sent.pk)) == "tags differ"
    assert "authentication tags" in caplog.text
    sent.refresh_from_db()
    assert sent.status == "sent"
    event = sent.events.get()
    assert event.verified is True
    assert "authentication tags differ" in event.problem


def test_a_reject_settles_it_with_the_reason_and_tells_the_applicant(receiver, sent, in_outbox):
    stored = receiver.only()
    receiver.issue(stored, "reject-submission", {"problems": [
        {"type": "urn:x:hash", "title": "Prüfung", "detail": "Die Anlage ist beschädigt."},
    ]})  # fmt: skip
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert answers.fetch(str(sent.pk)) == "rejected"
    sent.refresh_from_db()
    assert sent.status == "rejected"
    assert sent.reason == "Die Anlage ist beschädigt."
    email = OutgoingEmail.objects.get(to=in_outbox.contact_email)
    assert "keine Entscheidung über Ihren Antrag" in email.text_body
    assert "Die Anlage ist beschädigt." not in email.text_body  # the reason is for staff
    assert in_outbox.reference in email.subject
    # told once
    from rathaus.exchange import applicant_notice

    assert applicant_notice.rejected(str(sent.pk)) == "already told"


def test_a_forward_is_recorded_and_changes_nothing(receiver, sent):
    receiver.issue(receiver.only(), "forward-submission", {"destinationName": "Landkreis Harz"})
    assert answers.fetch(str(sent.pk)) == "forwarded"
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert sent.events.get().kind == "forward-submission"


def test_a_signature_key_with_an_unknown_kid_is_fetched_once(receiver, sent):
    destination = sent.destination
    destination.signing_keys = []
    destination.save()
    receiver.accept(receiver.only())
    assert answers.fetch(str(sent.pk)) == "accepted"
    destination.refresh_from_db()
    assert [key["kid"] for key in destination.signing_keys] == [receiver.signature_key()["kid"]]
    keys_asked = [path for method, path in receiver.requests if "/keys/" in path]
    assert len(keys_asked) == 1


def test_pinned_signature_keys_are_not_extended_by_what_the_remote_serves(receiver, sent):
    """A key the remote serves for an unknown kid (a forged one on the wire, say) is not taken
    when the destination has keys already: the event stays unverified and unapplied."""
    destination = sent.destination
    destination.signing_keys = [{**receiver.signature_key(), "kid": "pinned-earlier"}]
    destination.save()
    receiver.accept(receiver.only())

    assert answers.fetch(str(sent.pk)) == "ignored"

    destination.refresh_from_db()
    assert [key["kid"] for key in destination.signing_keys] == ["pinned-earlier"]
    assert not [path for method, path in receiver.requests if "/keys/" in path]
    sent.refresh_from_db()
    assert sent.status == "sent"


def test_sent_submissions_are_polled_so_a_lost_callback_loses_nothing(receiver, sent):
    receiver.accept(receiver.only())
    assert answers.poll_sent() == 1
    assert answers.poll_sent() == 0  # already queued
    assert run_queued(POLL) == ["accepted"]
    assert answers.poll_sent() == 0

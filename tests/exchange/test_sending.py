"""Sending a submission to a receiver elsewhere: encrypted, announced, uploaded, submitted, with
retries and back-off, stuck after too many attempts, sent again by hand (ADR 0053)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from rathaus.cases.fitconnect import submission_data_bytes, validate_metadata
from rathaus.cases.models import OutboxItem
from rathaus.core.models import AuditEvent
from rathaus.exchange import crypto, sending, transports
from rathaus.exchange.models import Outgoing
from tests.support import run_queued

pytest_plugins = ["tests.factories.exchange_sending"]  # the fake receiver

SEND = "rathaus.exchange.tasks.send_outgoing"
SECRET_TEXT = "Geheimer Inhalt des Nachweises 4711"  # in the attachment of ``in_outbox``


def send_all() -> list[str]:
    return run_queued(SEND)


def test_a_submission_in_the_outbox_is_sent_encrypted_and_the_receiver_can_read_it(
    receiver, in_outbox
):
    outgoing = sending.queue(str(in_outbox.pk))
    assert outgoing is not None
    assert outgoing.status == "pending"
    assert send_all() == ["sent"]

    outgoing.refresh_from_db()
    assert outgoing.status == "sent"
    assert outgoing.sent_at is not None
    stored = receiver.only()
    assert str(outgoing.submission_uuid) == stored.submission_id
    assert str(outgoing.case_uuid) == stored.case_id
    assert OutboxItem.objects.get(submission=in_outbox).status == "sent"
    assert outgoing.parts == {}  # the ciphertexts are not kept once the receiver has them
    # the announcement names the attachment, the callback and its secret
    (attachment,) = in_outbox.attachments.all()
    assert stored.announcement["announcedAttachments"] == [str(attachment.upload_id)]
    assert stored.announcement["callback"]["secret"] == outgoing.callback_secret
    assert stored.announcement["callback"]["url"] == (
        f"http://testserver/api/v1/exchange/callbacks/{outgoing.pk}"
    )
    # nothing left us unencrypted
    everything = b"".join(receiver.bodies)
    (attachment,) = in_outbox.attachments.all()
    assert SECRET_TEXT.encode() in attachment.file.read_bytes()
    assert SECRET_TEXT.encode() not in everything
    assert in_outbox.data["name"].encode() not in everything
    assert in_outbox.reference.encode() not in everything
    # the receiver's key opens every part, and the metadata's hashes fit
    metadata = json.loads(crypto.decrypt(stored.metadata))
    assert validate_metadata(metadata) == []
    data = crypto.decrypt(stored.data)
    assert data == submission_data_bytes(in_outbox)
    assert metadata["contentStructure"]["data"]["hash"]["content"] == (
        hashlib.sha512(data).hexdigest()
    )
    file = crypto.decrypt(stored.attachments[str(attachment.upload_id)])
    assert SECRET_TEXT.encode() in file
    assert metadata["contentStructure"]["attachments"][0]["hash"]["content"] == (
        hashlib.sha512(file).hexdigest()
    )
    # the tags we keep are those of what the receiver holds
    assert outgoing.authentication_tags == receiver.tags(stored)
    assert AuditEvent.objects.filter(action="exchange.sent", object_id=str(outgoing.pk)).exists()


def test_receiver_down_is_retried_with_back_off_then_stuck_then_sent_by_hand(receiver, in_outbox):
    receiver.fail_with = 503
    outgoing = sending.queue(str(in_outbox.pk))
    assert send_all() == ["retry"]
    outgoing.refresh_from_db()
    assert outgoing.status == "pending"
    assert outgoing.attempts == 1
    assert "503" in outgoing.last_error
    waits = [outgoing.next_attempt_at - timezone.now()]
    # not due yet: nothing is queued
    assert sending.requeue_due() == 0
    for _attempt in range(sending.MAX_ATTEMPTS - 1):
        later = outgoing.next_attempt_at + dt.timedelta(seconds=1)
        assert sending.requeue_due(now=later) == 1
        send_all()
        outgoing.refresh_from_db()
        if outgoing.next_attempt_at:
            waits.append(outgoing.next_attempt_at - timezone.now())
    assert outgoing.status == "stuck"
    assert outgoing.attempts == sending.MAX_ATTEMPTS
    # the waits double: about 1, 2, 4 … minutes
    assert [round(wait.total_seconds() / 60) for wait in waits[:4]] == [1, 2, 4, 8]
    assert sending.requeue_due(now=timezone.now() + dt.timedelta(days=1)) == 0
    assert OutboxItem.objects.get(submission=in_outbox).status == "waiting"
    assert receiver.submissions == {}

    receiver.fail_with = None
    sending.retry(outgoing, user=None)
    assert send_all() == ["sent"]
    outgoing.refresh_from_db()
    assert outgoing.status == "sent"
    assert len(receiver.submissions) == 1


def test_an_answer_that_says_our_request_is_wrong_is_not_retried(receiver, in_outbox):
    receiver.fail_with = 422
    outgoing = sending.queue(str(in_outbox.pk))
    assert send_all() == ["stuck"]
    outgoing.refresh_from_db()
    assert outgoing.status == "stuck"
    assert outgoing.attempts == 1
    assert "422" in outgoing.last_error
    assert sending.requeue_due(now=timezone.now() + dt.timedelta(days=1)) == 0


def test_an_unknown_destination_at_the_receiver_is_not_retried(
    receiver, in_outbox, remote_destination
):
    receiver.destination_id = "00000000-0000-4000-8000-000000000000"
    outgoing = sending.queue(str(in_outbox.pk))
    assert send_all() == ["stuck"]
    outgoing.refresh_from_db()
    assert "404" in outgoing.last_error


def test_a_receiver_that_is_not_listening_is_retried(receiver, in_outbox, remote_destination):
    from tests.support import free_port

    remote_destination.submission_url = f"http://127.0.0.1:{free_port()}/api/v1/exchange"
    remote_destination.save()
    outgoing = sending.queue(str(in_outbox.pk))
    assert send_all() == ["retry"]
    outgoing.refresh_from_db()
    assert "not reachable" in outgoing.last_error


def test_a_retry_after_a_half_done_send_continues_with_the_same_ids_and_ciphertexts(
    receiver, in_outbox
):
    outgoing = sending.queue(str(in_outbox.pk))
    # the first attempt announces and uploads; the submit fails (a proxy answers 502)
    sent_parts: list[str] = []

    plugin = transports.transports.get("fitconnect")
    real_submit = plugin.submit

    def failing_submit(remote, submission_id, metadata, data):
        sent_parts.append(metadata)
        raise transports.TransportError("PUT: 502 Bad Gateway", True, 502)

    plugin.submit = failing_submit  # type: ignore[method-assign]
    try:
        assert send_all() == ["retry"]
    finally:
        del plugin.submit
    assert plugin.submit == real_submit
    outgoing.refresh_from_db()
    assert outgoing.submission_uuid is not None
    assert outgoing.parts
    first_tags = dict(outgoing.authentication_tags)

    sending.requeue_due(now=outgoing.next_attempt_at + dt.timedelta(seconds=1))
    assert send_all() == ["sent"]
    outgoing.refresh_from_db()
    assert len(receiver.submissions) == 1  # announced again: the same submission
    stored = receiver.only()
    assert str(outgoing.submission_uuid) == stored.submission_id
    assert stored.metadata == sent_parts[0]  # the same ciphertext as the first attempt
    assert outgoing.authentication_tags == first_tags == receiver.tags(stored)


def test_a_sent_submission_is_not_sent_again(receiver, in_outbox):
    outgoing = sending.queue(str(in_outbox.pk))
    send_all()
    assert sending.send(str(outgoing.pk)) == "already sent"
    assert sending.queue(str(in_outbox.pk)) == outgoing
    with pytest.raises(sending.RetryRefused):
        sending.retry(outgoing, user=None)


def test_without_a_destination_the_item_waits_until_one_exists(
    receiver, in_outbox, remote_destination
):
    remote_destination.active = False
    remote_destination.save()
    assert sending.queue(str(in_outbox.pk)) is None
    assert not Outgoing.objects.exists()
    assert OutboxItem.objects.get(submission=in_outbox).status == "waiting"

    remote_destination.active = True
    remote_destination.save()
    assert sending.requeue_due() == 1
    assert send_all() == ["sent"]


def test_a_key_that_is_not_usable_makes_it_stuck_and_nothing_is_sent(
    receiver, in_outbox, remote_destination
):
    remote_destination.encryption_key = {"kty": "RSA", "kid": "x", "n": "AQAB", "e": "AQAB"}
    remote_destination.save()
    sending.queue(str(in_outbox.pk))
    assert send_all() == ["stuck"]
    assert receiver.bodies == []


def test_an_answer_before_we_read_the_submits_answer_is_kept(receiver, in_outbox):
    from rathaus.exchange import answers

    outgoing = sending.queue(str(in_outbox.pk))
    plugin = transports.transports.get("fitconnect")
    real_submit = plugin.submit

    def submit_then_accepted(remote, submission_id, metadata, data):
        answer = real_submit(remote, submission_id, metadata, data)
        receiver.accept(receiver.only())  # the receiver is quicker than we are
        assert answers.fetch(str(outgoing.pk)) == "accepted"
        return answer

    plugin.submit = submit_then_accepted  # type: ignore[method-assign]
    try:
        assert send_all() == ["sent"]
    finally:
        del plugin.submit
    outgoing.refresh_from_db()
    assert outgoing.status == "accepted"
    assert outgoing.sent_at is not None
    assert outgoing.parts == {}
    assert OutboxItem.objects.get(submission=in_outbox).status == "sent"

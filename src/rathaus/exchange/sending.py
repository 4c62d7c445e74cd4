"""Sending submissions to destinations elsewhere: the outbox and its worker (ADR 0053).

1. ``cases.services.route`` puts a submission for an authority not served here into
   ``cases.OutboxItem`` and publishes ``SubmissionQueuedForExchange`` after the commit;
   :func:`on_queued` (subscribed in ``ExchangeConfig.ready``) looks up the destination
   (:mod:`rathaus.exchange.routing`) and creates an :class:`Outgoing` with the task
   ``send_outgoing``. Without a destination the item stays in the outbox ("no destination");
   :func:`requeue_due` takes it up once a destination exists.
2. :func:`send` encrypts the metadata, the data and every attachment to the destination's key
   once and keeps the ciphertexts (``parts``) until the submission is sent, so a retry sends
   exactly what the first attempt sent and the authentication tags stay valid. Then it
   announces (``Idempotency-Key`` = the Outgoing's id: the same ids again), uploads the
   attachments (idempotent; 409 "already submitted" is fine) and submits (a replay gives the
   same answer).
3. A failure that may pass (receiver down, timeout, 5xx, 429) is tried again with exponential
   back-off; after :data:`MAX_ATTEMPTS`, or at once for an answer that says our request is
   wrong (4xx), the submission is *stuck* and staff retry it by hand.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.cases.events import SubmissionQueuedForExchange
from rathaus.cases.fitconnect import (
    public_service_type,
    schema_uri,
    submission_data_bytes,
    submission_metadata,
    validate_metadata,
)
from rathaus.cases.models import OutboxItem
from rathaus.core import audit
from rathaus.core.tenancy import portal_url
from rathaus.exchange import crypto, routing
from rathaus.exchange.models import Outgoing
from rathaus.exchange.transports import Remote, TransportError, transports
from rathaus.forms.models import Submission

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)
Status = Outgoing.Status


class SendFailed(Exception):
    """Not sent this time; ``retryable`` says whether the worker tries again by itself."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4 … minutes, at most 6 hours."""
    factor = 1 << min(max(attempts - 1, 0), 20)
    return min(FIRST_DELAY * factor, MAX_DELAY)


# --- into the outbox ---------------------------------------------------------------------------


def on_queued(event: SubmissionQueuedForExchange) -> None:
    queue(event.submission_id)


def queue(submission_id: str) -> Outgoing | None:
    """The Outgoing of a submission in ``cases.OutboxItem``, created (and its sending queued)
    if a destination is found; None: no destination, the item waits in the outbox."""
    from rathaus.exchange import tasks

    existing = Outgoing.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return existing
    item = (
        OutboxItem.objects.select_related(
            "target", "submission__authority", "submission__offer__service", "submission__account"
        )
        .filter(submission_id=submission_id, status=OutboxItem.Status.WAITING)
        .first()
    )
    if item is None:
        return None
    destination = routing.destination_for(item.submission, target=item.target)
    if destination is None:
        # checked again every minute (requeue_due): the staff outbox shows it as "no destination"
        logger.info("submission %s: no exchange destination for %s", submission_id,
                    item.target.slug)  # fmt: skip
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            outgoing = Outgoing.objects.create(
                submission=item.submission, destination=destination, created_at=now,
                next_attempt_at=now, callback_secret=secrets.token_hex(32),
            )  # fmt: skip
            tasks.send_outgoing.enqueue(str(outgoing.pk))
    except IntegrityError:
        return Outgoing.objects.filter(submission_id=submission_id).first()
    return outgoing


def callback_url(outgoing: Outgoing) -> str:
    path = reverse("api-v1:exchange_callback", kwargs={"outgoing_id": outgoing.pk})
    return portal_url(outgoing.submission.authority, path)


# --- sending -----------------------------------------------------------------------------------


def _encrypt_parts(outgoing: Outgoing, submission: Submission) -> dict[str, Any]:
    """Metadata, data and every attachment as JWEs for the destination's key (nothing leaves
    unencrypted); :class:`SendFailed` if the metadata is invalid or the key unusable."""
    metadata = submission_metadata(submission)
    problems = validate_metadata(metadata)
    if problems:
        raise SendFailed("the metadata is not valid: " + "; ".join(problems), False)
    key = outgoing.destination.encryption_key
    files = [
        (str(attachment.upload_id), attachment.file.read_bytes(), attachment.content_type)
        for attachment in submission.attachments.select_related("file").order_by("pk")
    ]
    try:
        return {
            "metadata": crypto.encrypt(
                json.dumps(metadata, ensure_ascii=False).encode(), key, "application/json"
            ),
            "data": crypto.encrypt(submission_data_bytes(submission), key, "application/json"),
            "attachments": {
                upload_id: crypto.encrypt(content, key, content_type)
                for upload_id, content, content_type in files
            },
        }
    except Exception as error:
        raise SendFailed(
            f"the destination's encryption key cannot be used: {error}", False
        ) from None


def _tags(parts: dict[str, Any]) -> dict[str, Any]:
    return {
        "metadata": crypto.authentication_tag(parts["metadata"]),
        "data": crypto.authentication_tag(parts["data"]),
        "attachments": {
            attachment_id: crypto.authentication_tag(jwe)
            for attachment_id, jwe in parts["attachments"].items()
        },
    }


def _service_type(submission: Submission) -> dict[str, str]:
    found = public_service_type(submission)
    if found is not None:
        return found
    return {"name": submission.form_version.title, "identifier": schema_uri(submission)}


def send(outgoing_id: str) -> str:
    """One attempt to send; returns what became of it (sent, retry, stuck, or why nothing)."""
    outgoing = (
        Outgoing.objects.select_related("destination", "submission__authority")
        .filter(pk=outgoing_id)
        .first()
    )
    if outgoing is None:
        return "unknown"
    if outgoing.status != Status.PENDING:
        return f"already {outgoing.status}"
    try:
        _attempt(outgoing)
    except SendFailed as failure:
        return _failed(outgoing, str(failure), failure.retryable)
    except TransportError as failure:
        return _failed(outgoing, str(failure), failure.retryable)
    return "sent"


def _attempt(outgoing: Outgoing) -> None:
    submission = Submission.objects.select_related(
        "authority", "offer__service", "form_version__definition__authority", "account"
    ).get(pk=outgoing.submission_id)
    destination = outgoing.destination
    if not destination.active:
        raise SendFailed("the destination is no longer active", False)
    try:
        transport = transports.get(destination.transport)
    except LookupError as error:
        raise SendFailed(str(error), False) from None
    parts = outgoing.parts or _keep_parts(outgoing, _encrypt_parts(outgoing, submission))
    remote = Remote(destination.submission_url, destination.sender_token)
    announced = transport.announce(
        remote,
        {
            "destinationId": str(destination.destination_id),
            "announcedAttachments": list(parts["attachments"]),
            "serviceType": _service_type(submission),
            "callback": {"url": callback_url(outgoing), "secret": outgoing.callback_secret},
        },
        idempotency_key=str(outgoing.pk),
    )
    if outgoing.submission_uuid is None:
        Outgoing.objects.filter(pk=outgoing.pk).update(
            submission_uuid=announced.submission_id, case_uuid=announced.case_id
        )
    elif str(outgoing.submission_uuid) != announced.submission_id:
        raise SendFailed("the receiver answered the announcement with another submission id", False)
    for attachment_id, jwe in parts["attachments"].items():
        try:
            transport.upload_attachment(remote, announced.submission_id, attachment_id, jwe)
        except TransportError as error:
            if error.status != 409:  # 409: submitted before, the answer to that was lost
                raise
    transport.submit(remote, announced.submission_id, parts["metadata"], parts["data"])
    _mark_sent(outgoing)


def _keep_parts(outgoing: Outgoing, parts: dict[str, Any]) -> dict[str, Any]:
    """Keep the ciphertexts of the first attempt; a send running at the same time that kept
    its own first wins, so every attempt sends the same parts."""
    with transaction.atomic():
        locked = Outgoing.objects.select_for_update().only("pk", "parts").get(pk=outgoing.pk)
        if locked.parts:
            return dict(locked.parts)
        Outgoing.objects.filter(pk=outgoing.pk).update(
            parts=parts, authentication_tags=_tags(parts)
        )
    return parts


def _mark_sent(outgoing: Outgoing) -> None:
    now = timezone.now()
    with transaction.atomic():
        locked = Outgoing.objects.select_for_update().get(pk=outgoing.pk)
        if locked.status not in (Status.PENDING, Status.ACCEPTED, Status.REJECTED):
            return
        if locked.status == Status.PENDING:  # else the answer came before we read ours
            locked.status = Status.SENT
        locked.sent_at = locked.sent_at or now
        locked.attempts += 1
        locked.next_attempt_at = None
        locked.last_error = ""
        locked.parts = {}
        locked.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at",
                                   "last_error", "parts"])  # fmt: skip
        OutboxItem.objects.filter(submission_id=locked.submission_id).update(
            status=OutboxItem.Status.SENT
        )
        details = {
            "destination": str(outgoing.destination.destination_id),
            "submission_uuid": str(locked.submission_uuid),
        }
        audit.record("exchange.sent", actor_name="system", authority=outgoing.submission.authority,
                     obj=locked, details=details)  # fmt: skip


def _failed(outgoing: Outgoing, message: str, retryable: bool) -> str:
    now = timezone.now()
    with transaction.atomic():
        locked = Outgoing.objects.select_for_update().get(pk=outgoing.pk)
        if locked.status != Status.PENDING:
            return f"already {locked.status}"
        locked.attempts += 1
        locked.last_error = message[:2000]
        if retryable and locked.attempts < MAX_ATTEMPTS:
            locked.next_attempt_at = now + backoff(locked.attempts)
            outcome = "retry"
        else:
            locked.status = Status.STUCK
            locked.next_attempt_at = None
            outcome = "stuck"
        locked.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    log = logger.warning if outcome == "retry" else logger.error
    log("outgoing %s, attempt %s: %s (%s)", outgoing.pk, locked.attempts, message, outcome)
    return outcome


# --- again: by the clock and by hand -----------------------------------------------------------


def requeue_due(now: datetime | None = None) -> int:
    """Queue the sending of pending submissions whose next attempt is due, and create the
    Outgoing of outbox items that found a destination since; returns how many were queued."""
    from rathaus.core import taskqueue
    from rathaus.exchange import tasks

    moment = now or timezone.now()
    tracked = taskqueue.tracked_arguments(tasks.send_outgoing.module_path)
    queued = 0
    due = Outgoing.objects.filter(status=Status.PENDING, next_attempt_at__lte=moment)
    for pk in due.values_list("pk", flat=True):
        if str(pk) not in tracked:
            tasks.send_outgoing.enqueue(str(pk))
            queued += 1
    waiting = OutboxItem.objects.filter(status=OutboxItem.Status.WAITING).exclude(
        submission_id__in=Outgoing.objects.values("submission_id")
    )
    for submission_id in waiting.values_list("submission_id", flat=True):
        if queue(str(submission_id)) is not None:
            queued += 1
    return queued


class RetryRefused(Exception):
    pass


def retry(outgoing: Outgoing, *, user: Any) -> Outgoing:
    """Staff send a stuck (or waiting) submission again now: a fresh round of attempts."""
    from rathaus.exchange import tasks

    with transaction.atomic():
        locked = Outgoing.objects.select_for_update().get(pk=outgoing.pk)
        if locked.status not in (Status.STUCK, Status.PENDING):
            raise RetryRefused(locked.get_status_display())
        previous = locked.status
        locked.status = Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        details = {"previous": previous, "error": locked.last_error[:500]}
        audit.record("exchange.retry", actor=user, authority=outgoing.submission.authority,
                     obj=locked, details=details)  # fmt: skip
        tasks.send_outgoing.enqueue(str(locked.pk))
    return locked

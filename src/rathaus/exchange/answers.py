"""The receiver's answers to what we sent: its event log, verified and applied (ADR 0053).

The receiver issues signed security event tokens (SET) about a submission and keeps them in the
case's event log (``GET /cases/{caseId}/events``). We fetch that log after a callback and, for
submissions still waiting for an answer, every few minutes (:func:`poll_sent`), so a lost
callback loses nothing.

Every token is checked before it changes anything:

- its signature must verify with one of the destination's signature keys (``signing_keys``);
  an unknown ``kid`` makes us fetch that key from the remote once;
- it must be issued by the destination (``iss``) about our submission and case (``sub``, ``txn``).

A token that fails is kept with ``verified=False`` and the reason, logged, and not applied.
A token seen before (same ``jti``) is applied once. ``accept-submission`` is applied only when
its ``authenticationTags`` equal the tags of the ciphertexts we sent; ``reject-submission``
settles the submission as rejected with the receiver's problems as the reason and tells the
applicant; ``forward-submission`` is shown in the history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.exchange import crypto
from rathaus.exchange.models import Event, Outgoing
from rathaus.exchange.transports import Remote, TransportError, transports

logger = logging.getLogger(__name__)

Status = Outgoing.Status
OPEN = (Status.PENDING, Status.SENT, Status.STUCK)


def _remote(outgoing: Outgoing) -> Remote:
    return Remote(outgoing.destination.submission_url, outgoing.destination.sender_token)


def fetch(outgoing_id: str) -> str:
    """Fetch the event log of one outgoing submission and apply what is new."""
    outgoing = (
        Outgoing.objects.select_related("destination", "submission__authority")
        .filter(pk=outgoing_id)
        .first()
    )
    if outgoing is None or outgoing.case_uuid is None:
        return "nothing to fetch"
    transport = transports.get(outgoing.destination.transport)
    try:
        tokens = transport.events(_remote(outgoing), str(outgoing.case_uuid))
    except TransportError as error:
        logger.warning("outgoing %s: event log not fetched: %s", outgoing.pk, error)
        return f"not fetched: {error}"
    outcomes = [apply_token(outgoing, token) for token in tokens]
    return ", ".join(outcomes) or "no events"


def poll_sent() -> int:
    """Queue the fetch of the event log of every submission sent and not yet answered."""
    from rathaus.core import taskqueue
    from rathaus.exchange import tasks

    tracked = taskqueue.tracked_arguments(tasks.poll_events.module_path)
    queued = 0
    waiting = Outgoing.objects.filter(status=Status.SENT, case_uuid__isnull=False)
    for pk in waiting.values_list("pk", flat=True):
        if str(pk) not in tracked:
            tasks.poll_events.enqueue(str(pk))
            queued += 1
    return queued


# --- one token ---------------------------------------------------------------------------------


def _jti(claims: dict[str, Any], token: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims.get("jti")))
    except ValueError:
        # unreadable: a stable id of the token, so the same bad token is not kept twice
        return uuid.UUID(hashlib.sha256(token.encode()).hexdigest()[:32])


def _issued_at(claims: dict[str, Any]) -> dt.datetime:
    iat = claims.get("iat")
    if isinstance(iat, int | float) and 0 < iat < 32503680000:
        return dt.datetime.fromtimestamp(iat, tz=dt.UTC)
    return timezone.now()


def _keep_unverified(outgoing: Outgoing, token: str, claims: dict[str, Any], problem: str) -> str:
    jti = _jti(claims, token)
    kind = "unknown"
    with contextlib.suppress(crypto.CryptoError):
        kind = crypto.event_kind(claims)[0][:40]
    logger.warning("outgoing %s: event %s ignored: %s", outgoing.pk, jti, problem)
    if not Event.objects.filter(
        direction=Event.Direction.RECEIVED, jti=jti, verified=False, outgoing=outgoing
    ).exists():
        Event.objects.create(
            direction=Event.Direction.RECEIVED, outgoing=outgoing, jti=jti, kind=kind,
            token=token[:100000], verified=False, problem=problem[:2000],
            issued_at=_issued_at(claims), received_at=timezone.now(),
        )  # fmt: skip
    return "ignored"


def _signature_keys(outgoing: Outgoing, kid: str) -> list[dict[str, Any]]:
    """The destination's signature keys. Only a destination without any is asked for the key
    (once): keys pinned by `exchange-destination add` are never extended by what the remote
    serves, so a forged key on the wire cannot sign events; a new key means running the command
    again."""
    destination = outgoing.destination
    keys = [key for key in destination.signing_keys or [] if isinstance(key, dict)]
    if not kid or keys:
        return keys
    try:
        fetched = transports.get(destination.transport).key(
            _remote(outgoing), str(destination.destination_id), kid
        )
    except TransportError as error:
        logger.warning("destination %s: key %s not fetched: %s", destination.pk, kid, error)
        return keys
    usable = (
        fetched.get("kid") == kid
        and "d" not in fetched
        and (fetched.get("use") == "sig" or "verify" in (fetched.get("key_ops") or []))
    )
    if usable:
        keys.append(fetched)
        destination.signing_keys = keys
        destination.save(update_fields=["signing_keys", "updated_at"])
    return keys


def apply_token(outgoing: Outgoing, token: str) -> str:
    """Verify one SET of the event log and apply it; returns what became of it."""
    try:
        header, claims = crypto.read_event(token)
    except crypto.CryptoError as error:
        return _keep_unverified(outgoing, token, {}, f"unreadable: {error}")
    jti = _jti(claims, token)
    if Event.objects.filter(direction=Event.Direction.RECEIVED, jti=jti, verified=True).exists():
        return "duplicate"
    try:
        claims = crypto.verify_event(token, _signature_keys(outgoing, str(header.get("kid", ""))))
        kind, payload = crypto.event_kind(claims)
    except crypto.CryptoError as error:
        return _keep_unverified(outgoing, token, claims, f"signature: {error}")
    expected = {
        "iss": str(outgoing.destination.destination_id),
        "sub": f"submission:{outgoing.submission_uuid}",
        "txn": f"case:{outgoing.case_uuid}",
    }
    for claim, value in expected.items():
        if str(claims.get(claim)) != value:
            return _keep_unverified(outgoing, token, claims, f"{claim} is not {value}")
    try:
        with transaction.atomic():
            locked = Outgoing.objects.select_for_update().get(pk=outgoing.pk)
            event = Event.objects.create(
                direction=Event.Direction.RECEIVED, outgoing=locked, jti=jti, kind=kind[:40],
                token=token, verified=True, issued_at=_issued_at(claims),
                received_at=timezone.now(),
            )  # fmt: skip
            outcome = _apply(locked, event, kind, payload)
    except IntegrityError:
        return "duplicate"
    return outcome


def _same_tags(ours: dict[str, Any], theirs: Any) -> bool:
    if not isinstance(theirs, dict) or not ours:
        return False
    attachments = theirs.get("attachments") or {}
    return (
        theirs.get("metadata") == ours.get("metadata")
        and theirs.get("data") == ours.get("data")
        and isinstance(attachments, dict)
        and {str(k): v for k, v in attachments.items()} == (ours.get("attachments") or {})
    )


def _settle(outgoing: Outgoing, status: str, at: dt.datetime, reason: str = "") -> None:
    outgoing.status = status
    outgoing.settled_at = at
    outgoing.sent_at = outgoing.sent_at or at
    outgoing.next_attempt_at = None
    outgoing.reason = reason
    outgoing.save(update_fields=["status", "settled_at", "sent_at", "next_attempt_at", "reason"])


def _problems_text(payload: dict[str, Any]) -> str:
    problems = payload.get("problems")
    if not isinstance(problems, list):
        return ""
    lines = []
    for problem in problems:
        if isinstance(problem, dict):
            text = str(problem.get("detail") or problem.get("title") or problem.get("type") or "")
        else:
            text = str(problem)
        if text:
            lines.append(text[:500])
    return "\n".join(lines)


def _apply(outgoing: Outgoing, event: Event, kind: str, payload: dict[str, Any]) -> str:
    now = timezone.now()
    authority = outgoing.destination.authority
    if kind == "accept-submission":
        if outgoing.status not in OPEN:
            return f"already {outgoing.status}"
        if not _same_tags(outgoing.authentication_tags, payload.get("authenticationTags")):
            event.problem = "the authentication tags differ from those of what we sent"
            event.save(update_fields=["problem"])
            logger.error("outgoing %s: accept-submission %s with other authentication tags",
                         outgoing.pk, event.jti)  # fmt: skip
            return "tags differ"
        _settle(outgoing, Status.ACCEPTED, now)
        audit.record("exchange.accepted", actor_name=authority.name, authority=authority,
                     obj=outgoing, details={"jti": str(event.jti)})  # fmt: skip
        return "accepted"
    if kind == "reject-submission":
        if outgoing.status not in OPEN:
            return f"already {outgoing.status}"
        reason = _problems_text(payload) or _("The receiving authority gave no reason.")
        _settle(outgoing, Status.REJECTED, now, reason)
        audit.record("exchange.rejected", actor_name=authority.name, authority=authority,
                     obj=outgoing, details={"jti": str(event.jti)})  # fmt: skip
        from rathaus.exchange import applicant_notice

        transaction.on_commit(lambda: applicant_notice.rejected(str(outgoing.pk)))
        return "rejected"
    if kind == "forward-submission":
        return "forwarded"
    return f"recorded {kind}"

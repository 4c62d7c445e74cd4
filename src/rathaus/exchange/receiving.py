"""Receiving exchanged submissions (ADR 0052): announce, upload, submit, check, accept or reject.

The API (:mod:`rathaus.exchange.receiving_api`) only keeps what the sender hands over, still
encrypted: the announcement, the attachments as JWE text, the encrypted metadata and data. The
worker (:func:`process`, task ``exchange.tasks.process_incoming``) then decrypts and checks
everything *before* it stores anything: the metadata against the FIT-Connect schema, the SHA-512
of the data and of every attachment against the metadata, the announced attachments against the
described ones, the data against the receiving form. Only then, in one transaction, it creates
the submission, opens the case, writes the timeline entry and issues the signed
``accept-submission`` event. Anything wrong ends in a ``reject-submission`` event with its
problems, and nothing but the inbox row and the event is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.cases import fitconnect
from rathaus.core import audit
from rathaus.core.files import store_bytes
from rathaus.core.files.store import storage, store_checked
from rathaus.core.models import StoredFile
from rathaus.exchange import crypto
from rathaus.exchange.incoming_checks import Checked, Rejected, check, problem
from rathaus.exchange.models import Event, Incoming, IncomingAttachment, OwnDestination, Sender
from rathaus.forms.models import Channel, Submission

logger = logging.getLogger(__name__)

API_PROBLEMS = "https://schema.fitko.de/fit-connect/submission-api/problems/"
"""Types of the problem documents of the receiving API."""

MAX_ATTACHMENTS = 100
TOKEN_BYTES = 32


class Refused(Exception):
    """The API refuses a request: status, problem type (last part), title and detail."""

    def __init__(self, status: int, slug: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail


# --- senders and destinations -------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_sender(name: str) -> tuple[Sender, str]:
    """A new sender and its token (shown once; only its SHA-256 is kept)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    while token.startswith("-"):  # a leading "-" reads as an option in `--token TOKEN`
        token = secrets.token_urlsafe(TOKEN_BYTES)
    return Sender.objects.create(name=name, token_sha256=token_hash(token)), token


def sender_for(token: str) -> Sender | None:
    found = Sender.objects.filter(token_sha256=token_hash(token), active=True).first()
    if found is not None:
        Sender.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def covers(areas: list[str], ars: str) -> bool:
    return any(ars.startswith(str(area)) for area in areas)


def routes(leika_key: str, ars: str) -> list[OwnDestination]:
    """Our active destinations that accept the service in the area."""
    return [
        destination
        for destination in OwnDestination.objects.filter(active=True).order_by("name", "pk")
        if leika_key in destination.leika_keys and covers(destination.areas, ars)
    ]


def own_destination(destination_id: uuid.UUID) -> OwnDestination | None:
    return (
        OwnDestination.objects.select_related("authority", "org_unit")
        .filter(destination_id=destination_id, active=True)
        .first()
    )


# --- announce, upload, submit (the API) ---------------------------------------------------------


def announce(
    sender: Sender,
    *,
    destination_id: uuid.UUID,
    attachments: list[uuid.UUID],
    service_type: dict[str, str],
    callback_url: str,
    callback_secret: str,
    idempotency_key: str = "",
) -> tuple[Incoming, bool]:
    """A new announced submission (or, with the same sender and key, the one made before)."""
    if idempotency_key:
        earlier = Incoming.objects.filter(sender=sender, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier, False
    destination = own_destination(destination_id)
    if destination is None:
        raise Refused(
            404,
            "destination-not-found",
            "Destination not found",
            f"There is no active destination {destination_id} here.",
        )
    identifier = str(service_type.get("identifier", ""))
    if identifier.startswith(fitconnect.LEIKA_URN_PREFIX) and destination.leika_keys:
        key = identifier[len(fitconnect.LEIKA_URN_PREFIX) :]
        if key not in destination.leika_keys:
            raise Refused(
                422,
                "service-not-accepted",
                "Service not accepted",
                f"Destination {destination_id} does not accept the service {key}.",
            )
    if len(set(attachments)) != len(attachments):
        raise Refused(
            422,
            "duplicate-attachment",
            "Attachment announced twice",
            "Each attachment id may be announced once.",
        )
    try:
        with transaction.atomic():
            incoming = Incoming.objects.create(
                destination=destination,
                sender=sender,
                service_type=service_type,
                announced_attachments=[str(item) for item in attachments],
                callback_url=callback_url,
                callback_secret=callback_secret,
                idempotency_key=idempotency_key,
                created_at=timezone.now(),
            )
    except IntegrityError:  # the same key a moment earlier
        return Incoming.objects.get(sender=sender, idempotency_key=idempotency_key), False
    return incoming, True


def incoming_of(sender: Sender, submission_id: uuid.UUID) -> Incoming:
    found = Incoming.objects.filter(submission_uuid=submission_id, sender=sender).first()
    if found is None:
        raise Refused(
            404,
            "submission-not-found",
            "Submission not found",
            f"There is no submission {submission_id} of this sender.",
        )
    return found


def upload_attachment(
    sender: Sender, submission_id: uuid.UUID, attachment_id: uuid.UUID, compact: str
) -> bool:
    """Keep an encrypted attachment; True if new, False if the same content was there."""
    if compact.count(".") != 4:
        raise Refused(
            422,
            "invalid-jwe",
            "Not a JWE",
            "The body must be a JWE in compact serialisation (five parts).",
        )
    with transaction.atomic():
        incoming = Incoming.objects.select_for_update().get(
            pk=incoming_of(sender, submission_id).pk
        )
        if str(attachment_id) not in incoming.announced_attachments:
            raise Refused(
                422,
                "attachment-not-announced",
                "Attachment not announced",
                f"Attachment {attachment_id} was not announced.",
            )
        if incoming.status != Incoming.Status.ANNOUNCED:
            raise Refused(
                409,
                "submission-submitted",
                "Already submitted",
                "The submission was submitted; its attachments can not change.",
            )
        content = compact.encode()
        existing = incoming.attachments.filter(attachment_id=attachment_id).first()
        if existing is not None:
            if existing.file.sha256 == hashlib.sha256(content).hexdigest():
                return False
            raise Refused(
                409,
                "attachment-exists",
                "Attachment already uploaded",
                f"Attachment {attachment_id} was uploaded with other content.",
            )
        IncomingAttachment.objects.create(
            incoming=incoming,
            attachment_id=attachment_id,
            file=store_bytes(content, name=f"{attachment_id}.jwe", media_type="application/jose"),
            uploaded_at=timezone.now(),
        )
    return True


def submit(
    sender: Sender, submission_id: uuid.UUID, encrypted_metadata: str, encrypted_data: str
) -> Incoming:
    """Keep the encrypted metadata and data and queue the check; a replay changes nothing."""
    from rathaus.exchange.tasks import process_incoming

    with transaction.atomic():
        incoming = Incoming.objects.select_for_update().get(
            pk=incoming_of(sender, submission_id).pk
        )
        if incoming.status != Incoming.Status.ANNOUNCED:
            return incoming  # a replay: answered as the first time
        uploaded = {
            str(item) for item in incoming.attachments.values_list("attachment_id", flat=True)
        }
        missing = sorted(set(incoming.announced_attachments) - uploaded)
        if missing:
            raise Refused(
                422,
                "missing-attachments",
                "Attachments missing",
                "Announced attachments were not uploaded: " + ", ".join(missing),
            )
        for name, part in (
            ("encryptedMetadata", encrypted_metadata),
            ("encryptedData", encrypted_data),
        ):
            if part.count(".") != 4:
                raise Refused(
                    422,
                    "invalid-jwe",
                    "Not a JWE",
                    f"{name} must be a JWE in compact serialisation.",
                )
        incoming.encrypted_metadata = encrypted_metadata
        incoming.encrypted_data = encrypted_data
        incoming.status = Incoming.Status.SUBMITTED
        incoming.submitted_at = timezone.now()
        incoming.save(
            update_fields=["encrypted_metadata", "encrypted_data", "status", "submitted_at"]
        )
        process_incoming.enqueue(str(incoming.pk))
    return incoming


# --- accept or reject ---------------------------------------------------------------------------


def issue_event(incoming: Incoming, kind: str, payload: dict[str, Any]) -> Event:
    """Sign an event of the submission, keep it in the event log and queue the callback."""
    from rathaus.exchange.tasks import send_callback

    token, claims = crypto.sign_event(
        kind,
        issuer=str(incoming.destination.destination_id),
        submission_id=incoming.submission_uuid,
        case_id=incoming.case_uuid,
        payload=payload,
    )
    now = timezone.now()
    event = Event.objects.create(
        direction=Event.Direction.ISSUED,
        incoming=incoming,
        jti=claims["jti"],
        kind=kind,
        token=token,
        issued_at=now,
        received_at=now,
    )
    if incoming.callback_url:
        send_callback.enqueue(event.pk)
    return event


def reject(incoming: Incoming, problems: list[dict[str, str]]) -> str:
    with transaction.atomic():
        locked = Incoming.objects.select_for_update().get(pk=incoming.pk)
        if locked.status != Incoming.Status.SUBMITTED:
            return f"already {locked.status}"
        locked.status = Incoming.Status.REJECTED
        locked.problems = problems
        locked.settled_at = timezone.now()
        locked.save(update_fields=["status", "problems", "settled_at"])
        issue_event(locked, "reject-submission", {"problems": problems})
    logger.warning(
        "exchanged submission %s rejected: %s",
        incoming.submission_uuid,
        "; ".join(problem["detail"] for problem in problems),
    )
    return "rejected"


def process(incoming_id: str) -> str:
    """Check a submitted submission and accept or reject it; at most once."""
    incoming = (
        Incoming.objects.select_related("destination__authority", "destination__org_unit")
        .filter(pk=incoming_id)
        .first()
    )
    if incoming is None:
        return "gone"
    if incoming.status != Incoming.Status.SUBMITTED:
        return f"already {incoming.status}"
    try:
        checked = check(incoming)
    except Rejected as rejected:
        return reject(incoming, rejected.problems)
    except (KeyError, TypeError, ValueError) as error:  # a shape the checks did not foresee
        detail = f"The submission cannot be read: {error.__class__.__name__}: {error}"
        return reject(incoming, [problem("syntax-violation", "Submission not readable", detail)])
    try:
        return _accept(incoming, checked)
    except Rejected as rejected:
        return reject(incoming, rejected.problems)
    finally:
        checked.discard()


def _accept(incoming: Incoming, checked: Checked) -> str:
    from rathaus.forms.submissions import AttachmentSpec, create_submission

    stored_keys: list[str] = []
    try:
        with transaction.atomic(), audit.deferred():
            locked = (
                Incoming.objects.select_for_update(of=("self",))
                .select_related("destination__authority", "destination__org_unit", "sender")
                .get(pk=incoming.pk)
            )
            if locked.status != Incoming.Status.SUBMITTED:
                return f"already {locked.status}"
            version = checked.version
            attachments = []
            for entry, file, path in checked.attachments:
                sha512 = file.sha512
                stored = store_checked(file)
                stored_keys.append(stored.key)
                attachments.append(
                    AttachmentSpec(
                        upload_id=uuid.UUID(str(entry["attachmentId"])).hex,
                        field=path,
                        file=stored,
                        original_name=stored.name,
                        content_type=stored.media_type,
                        size=stored.size,
                        sha512=sha512,
                    )
                )
            reply = (checked.metadata.get("replyChannel") or {}).get("eMail") or {}
            submission, _created = create_submission(
                authority=version.definition.authority,
                form_version=version,
                data=checked.data,
                trust_level="none",
                channel=Channel.EXCHANGE,
                offer=version.definition.offer,
                contact_email=str(reply.get("address", ""))[:254],
                idempotency_key=f"exchange:{locked.submission_uuid}",
                payload_sha256=hashlib.sha256(_canonical(checked.data)).hexdigest(),
                attachments=attachments,
            )
            case = _open_case(locked, submission)
            from rathaus.cases.services import record_event

            reference = (checked.metadata.get("additionalReferenceInfo") or {}).get(
                "senderReference", ""
            )
            record_event(
                case,
                "exchange_received",
                new=locked.sender.name,
                detail={
                    "sender": locked.sender.name,
                    "sender_reference": str(reference)[:100],
                    "submission_id": str(locked.submission_uuid),
                },
                public=True,
            )
            locked.submission = submission
            locked.status = Incoming.Status.ACCEPTED
            locked.settled_at = timezone.now()
            locked.save(update_fields=["submission", "status", "settled_at"])
            attachment_tags = {
                str(upload.attachment_id): crypto.authentication_tag(
                    upload.file.read_bytes().decode()
                )
                for upload in locked.attachments.select_related("file")
            }
            issue_event(
                locked,
                "accept-submission",
                {
                    "authenticationTags": {
                        "metadata": crypto.authentication_tag(locked.encrypted_metadata),
                        "data": crypto.authentication_tag(locked.encrypted_data),
                        "attachments": attachment_tags,
                    }
                },
            )
    except BaseException:
        _forget_blobs(stored_keys)  # rolled back: no decrypted file may stay behind
        raise
    logger.info(
        "exchanged submission %s accepted as %s", incoming.submission_uuid, submission.reference
    )
    return "accepted"


def _forget_blobs(keys: list[str]) -> None:
    """Delete the blobs written for a transaction that was rolled back, unless in use."""
    for key in keys:
        if not StoredFile.objects.filter(key=key).exists():
            storage().delete(key)


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _open_case(incoming: Incoming, submission: Submission) -> Any:
    """The case in the destination's unit, or where the authority's rules put it."""
    from rathaus.cases.models import Case
    from rathaus.cases.services import open_case, route_for
    from rathaus.forms.models import SubmissionEvent

    existing = Case.objects.filter(submission=submission).first()
    if existing is not None:
        return existing
    unit = incoming.destination.org_unit or route_for(submission).org_unit
    if unit is None:
        raise Rejected(
            [
                problem(
                    "service-mismatch",
                    "Not handled here",
                    f"{incoming.destination.authority.name} has no unit here "
                    "that handles this service.",
                )
            ]
        )
    now = timezone.now()
    case = open_case(submission, unit, now=now)
    SubmissionEvent(
        submission=submission,
        kind=SubmissionEvent.Kind.ROUTED,
        at=now,
        detail={"case": case.number, "unit": unit.slug},
    ).save()
    return case


def on_case_forwarded(event: Any) -> None:
    """A received case went to another authority: tell the sender (forward-submission)."""
    from rathaus.cases.models import Case
    from rathaus.core.models import Authority

    case = Case.objects.filter(pk=event.case_id).only("submission_id").first()
    if case is None or case.submission_id is None:
        return
    incoming = (
        Incoming.objects.select_related("destination")
        .filter(submission_id=case.submission_id, status=Incoming.Status.ACCEPTED)
        .first()
    )
    if incoming is None:
        return
    target = Authority.objects.filter(pk=event.authority_id).values_list("name", flat=True).first()
    issue_event(incoming, "forward-submission", {"destinationName": target or ""})

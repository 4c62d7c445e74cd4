"""Storing submissions: once, completely, with their "submitted" event, before anything else.

What follows a stored submission (the receipt, routing to a case) belongs to the apps above
forms; they hear of it through the ``submission_stored`` signal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.core import sequences
from rathaus.core.models import Authority, StoredFile
from rathaus.forms.models import (
    Submission,
    SubmissionAttachment,
    SubmissionEvent,
)
from rathaus.forms.signals import submission_stored

logger = logging.getLogger(__name__)


class IdempotencyConflict(Exception):
    """The idempotency key was used before with different content."""


@dataclass(frozen=True)
class AttachmentSpec:
    upload_id: str
    field: str
    file: StoredFile
    original_name: str
    content_type: str
    size: int
    sha512: str


def file_fields(stored: Any) -> dict[str, Any]:
    """The stored file and what was checked of it, as a checked file, an upload and an
    attachment each carry them."""
    return {
        "file": stored.file,
        "original_name": stored.original_name,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha512": stored.sha512,
    }


def prefix_for(authority: Authority) -> str:
    if authority.reference_prefix:
        return authority.reference_prefix
    letters = "".join(ch for ch in authority.slug.upper() if "A" <= ch <= "Z")
    return (letters[:3] or "REF").ljust(2, "X")


def next_reference(authority: Authority, year: int) -> str:
    """The next reference of the authority for the year; call inside the submitting transaction.

    The number comes from :func:`rathaus.core.sequences.next_value`, so two transactions never
    get the same one.
    """
    value = sequences.next_value(sequences.scope("reference", authority.pk, year))
    return f"{prefix_for(authority)}-{year}-{value:06d}"


def create_submission(
    *,
    authority: Authority,
    form_version: Any,
    data: dict[str, Any],
    trust_level: str,
    channel: str,
    account: Any = None,
    offer: Any = None,
    contact_email: str = "",
    draft_id: Any = None,
    idempotency_key: str = "",
    payload_sha256: str = "",
    attachments: Sequence[AttachmentSpec] = (),
    portal_url: str = "",
) -> tuple[Submission, bool]:
    """Store a submission; returns (submission, created).

    Submitting twice — a double click, a retry after a time-out, the back button, two requests
    at once — gives the first submission back (same draft, or same idempotency key with the same
    content). The receipt is produced by the worker after the commit.
    """
    existing = _existing(form_version, draft_id, idempotency_key, payload_sha256)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            now = timezone.now()
            submission = Submission(
                reference=next_reference(authority, timezone.localdate(now).year),
                authority=authority,
                offer=offer,
                form_version=form_version,
                data=data,
                account=account,
                trust_level=trust_level,
                channel=channel,
                contact_email=contact_email,
                submitted_at=now,
                draft_id=draft_id,
                idempotency_key=idempotency_key,
                payload_sha256=payload_sha256,
            )
            submission.save()
            for spec in attachments:
                SubmissionAttachment(
                    submission=submission,
                    upload_id=spec.upload_id,
                    field=spec.field,
                    **file_fields(spec),
                ).save()
            SubmissionEvent(
                submission=submission,
                kind=SubmissionEvent.Kind.SUBMITTED,
                at=now,
                detail={
                    "channel": channel,
                    "trust_level": trust_level,
                    "form_version": form_version.number,
                    "attachments": len(attachments),
                },
            ).save()
            # The SUBMITTED event is the submission's history; receiving one is no security
            # event, so it does not go into the audit chain (ADR 0016).
            submission_stored.send(Submission, submission=submission, portal_url=portal_url)
    except IntegrityError:
        # Another request stored the same draft or key a moment earlier.
        existing = _existing(form_version, draft_id, idempotency_key, payload_sha256)
        if existing is None:
            raise
        return existing, False
    logger.info("submission %s stored", submission.reference)
    return submission, True


def _existing(
    form_version: Any, draft_id: Any, idempotency_key: str, payload_sha256: str
) -> Submission | None:
    if draft_id is not None:
        found = Submission.objects.filter(draft_id=draft_id).first()
        if found is not None:
            return found
    if idempotency_key:
        found = Submission.objects.filter(
            form_version__definition=form_version.definition_id,
            idempotency_key=idempotency_key,
        ).first()
        if found is not None:
            if found.payload_sha256 != payload_sha256:
                raise IdempotencyConflict(idempotency_key)
            return found
    return None

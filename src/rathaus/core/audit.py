"""The append-only, hash-chained audit log.

``record`` appends an event inside the caller's transaction, so an audited change and its event
commit together or not at all. ``verify`` recomputes the chain and reports every place where a
row was changed, removed or inserted outside ``record``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from rathaus.core.models import AuditChainHead, AuditEvent, Authority

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> Any:
    """Details as they will be stored: JSON types only, so the hash survives a round trip."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def compute_hash(event: AuditEvent) -> str:
    created = event.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
        "sequence": event.sequence,
        "created_at": created,
        "authority": event.authority_id,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "details": event.details,
        "previous_hash": event.previous_hash,
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def actor_label(user: AbstractBaseUser | AnonymousUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"{user.get_username()} (#{user.pk})"


class AuditChainBroken(Exception):
    """The chain head is gone while entries exist; writing on would hide the damage."""


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # The head row is missing (a database flush, or tampering). Concurrent first writers must not
    # collide creating it: insert-if-absent waits for another writer's insert, then we lock it.
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(pk=1, sequence=0, hash=GENESIS_HASH)], ignore_conflicts=True
    )
    head = AuditChainHead.objects.select_for_update().get(pk=1)
    if head.sequence == 0 and AuditEvent.objects.exists():
        # Entries exist but the head was removed: writing on would hide the damage.
        raise AuditChainBroken("the audit chain head is missing; run `rathaus audit-verify`")
    return head


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_name: str | None = None,
    authority: Authority | None = None,
    obj: models.Model | None = None,
    object_ref: tuple[str, str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the audit chain and return it.

    ``actor_name`` labels events caused by the system or by someone who is not logged in yet
    (for example ``"system"`` or the user name typed into a login form). ``object_ref`` names
    an object by (type label, id, text) when the instance itself is not at hand.
    """
    if obj is not None:
        object_ref = (obj._meta.label, str(obj.pk), str(obj))
    object_type, object_id, object_repr = object_ref or ("", "", "")
    with transaction.atomic():
        head = _locked_head()
        user = actor if actor is not None and actor.is_authenticated else None
        event = AuditEvent(
            sequence=head.sequence + 1,
            created_at=timezone.now(),
            authority=authority,
            actor=user,  # type: ignore[misc]
            actor_label=actor_name if actor_name is not None else actor_label(actor),
            action=action,
            object_type=object_type[:100],
            object_id=object_id[:64],
            object_repr=object_repr[:200],
            details=_canonical(details or {}),
            previous_hash=head.hash,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.sequence = event.sequence
        head.hash = event.hash
        head.save(update_fields=["sequence", "hash"])
    return event


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000)


def verify() -> Verification:
    """Recompute the whole chain; every broken link is reported with its sequence number."""
    result = Verification()
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    for event in _events():
        result.checked += 1
        if event.sequence != expected_sequence:
            result.problems.append(
                f"#{event.sequence}: expected entry #{expected_sequence} here; "
                f"{event.sequence - expected_sequence} entries are missing"
            )
        if event.previous_hash != previous_hash:
            result.problems.append(f"#{event.sequence}: does not link to the entry before it")
        if compute_hash(event) != event.hash:
            result.problems.append(f"#{event.sequence}: content was changed after it was written")
        expected_sequence = event.sequence + 1
        previous_hash = event.hash
    head = AuditChainHead.objects.filter(pk=1).first()
    last_sequence = expected_sequence - 1
    if head is None:
        result.problems.append("the chain head is missing")
    elif head.sequence != last_sequence or head.hash != previous_hash:
        result.problems.append(
            f"the log ends at #{last_sequence}, but the chain head records #{head.sequence}: "
            "entries at the end were removed or replaced"
        )
    return result

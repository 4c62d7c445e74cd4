"""The append-only, hash-chained audit log: one chain per authority, no global lock.

Every entry belongs to a *chain*: ``INSTALLATION_CHAIN`` for events without an authority, one
chain per authority (``chain_for``), and ``LEGACY_CHAIN`` for the entries written before
ADR 0016 in the single global chain. Each chain has its own head row, so writers for different
authorities never wait for each other.

``record`` writes an entry inside the caller's transaction, so an audited change and its entry
commit together or not at all. Outside ``deferred()`` it links the entry into its chain at once
(locking the chain head until the caller commits). Inside ``deferred()`` the row is inserted
unlinked and the block links all its entries when it ends — at the end of the transaction,
after the slow work — so the head lock is held only for the last moment before the commit.
``verify`` recomputes every chain and reports every entry that was changed, removed or inserted
outside ``record``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
from django.utils import timezone

from rathaus.core.models import AuditChainHead, AuditEvent, Authority

GENESIS_HASH = "0" * 64
LEGACY_CHAIN = 0
INSTALLATION_CHAIN = 1

# The entries a ``deferred()`` block has written but not yet linked (None: not deferring).
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("rathaus_audit_pending", default=None)


def chain_for(authority: Authority | int | None) -> int:
    """The chain number for events of ``authority``: 1 + its id, or 1 for installation-wide."""
    if authority is None:
        return INSTALLATION_CHAIN
    pk = authority if isinstance(authority, int) else authority.pk
    return INSTALLATION_CHAIN + int(pk)


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
    if event.chain != LEGACY_CHAIN:
        # Entries of the legacy global chain keep the payload they were hashed with.
        payload["chain"] = event.chain
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def actor_label(user: AbstractBaseUser | AnonymousUser | None) -> str:
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"{user.get_username()} (#{user.pk})"


class AuditChainBroken(Exception):
    """A chain head is gone while entries exist; writing on would hide the damage."""


def _locked_head(chain: int) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=chain).first()
    if head is not None and head.sequence > 0:
        return head
    if head is None:
        # The first entry of this chain (or the head was removed). Concurrent first writers
        # must not collide creating it: insert-if-absent waits for another writer's insert.
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=chain, sequence=0, hash=GENESIS_HASH)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(pk=chain)
    # A new chain starts; if entries exist without a head — in this chain or any other — the
    # heads were removed, and writing on would hide the damage. Checked only here, once per
    # chain, so the common append costs nothing extra.
    linked = AuditEvent.objects.filter(sequence__isnull=False)
    headless = linked.exclude(chain__in=AuditChainHead.objects.values("pk"))
    if head.sequence == 0 and (linked.filter(chain=chain).exists() or headless.exists()):
        raise AuditChainBroken("an audit chain head is missing; run `rathaus audit-verify`")
    return head


def _link(events: list[AuditEvent], head: AuditChainHead) -> None:
    """Give ``events`` (all of ``head``'s chain, in order) their place in the chain."""
    for event in events:
        event.sequence = head.sequence + 1
        event.previous_hash = head.hash
        event.hash = compute_hash(event)
        head.sequence = event.sequence
        head.hash = event.hash
    head.save(update_fields=["sequence", "hash"])


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
    """Write one event into the audit log (in the chain of ``authority``) and return it.

    ``actor_name`` labels events caused by the system or by someone who is not logged in yet
    (for example ``"system"`` or the user name typed into a login form). ``object_ref`` names
    an object by (type label, id, text) when the instance itself is not at hand. Inside
    ``deferred()`` the event gets its sequence number and hash when the block ends.
    """
    if obj is not None:
        object_ref = (obj._meta.label, str(obj.pk), str(obj))
    object_type, object_id, object_repr = object_ref or ("", "", "")
    user = actor if actor is not None and actor.is_authenticated else None
    event = AuditEvent(
        chain=chain_for(authority),
        created_at=timezone.now(),
        authority=authority,
        actor=user,  # type: ignore[misc]
        actor_label=actor_name if actor_name is not None else actor_label(actor),
        action=action,
        object_type=object_type[:100],
        object_id=object_id[:64],
        object_repr=object_repr[:200],
        details=_canonical(details or {}),
    )
    pending = _pending.get()
    if pending is not None:
        # Written now (so a rolled-back savepoint takes it along), linked when the block ends.
        event.save(force_insert=True)
        pending.append(event)
        return event
    with transaction.atomic():
        head = _locked_head(event.chain)
        _link([event], head)
        event.save(force_insert=True)
    return event


@contextmanager
def deferred() -> Iterator[None]:
    """Link the entries recorded in this block into their chains when the block ends.

    Use it inside the ``transaction.atomic()`` of a service that does slow work (process steps,
    rendering) after recording: the chain heads are then locked only at the end of the
    transaction. Heads are locked in chain order, so two such transactions never deadlock.
    Nested blocks link at the end of the outermost one.
    """
    if _pending.get() is not None:
        yield
        return
    pending: list[AuditEvent] = []
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending:
        _link_pending(pending)


def _link_pending(pending: list[AuditEvent]) -> None:
    # Read the rows back: entries written in a savepoint that was rolled back are gone (and
    # their ids may have been given to later rows), so only what is in the table is linked.
    rows = AuditEvent.objects.filter(pk__in={e.pk for e in pending}, sequence__isnull=True)
    by_chain: dict[int, list[AuditEvent]] = {}
    for row in rows.order_by("pk"):
        by_chain.setdefault(row.chain, []).append(row)
    linked: dict[int, AuditEvent] = {}
    with transaction.atomic():
        for chain in sorted(by_chain):
            events = by_chain[chain]
            _link(events, _locked_head(chain))
            AuditEvent.objects.bulk_update(events, ["sequence", "previous_hash", "hash"])
            linked.update((event.pk, event) for event in events)
    for event in pending:
        if event.pk in linked:
            row = linked[event.pk]
            event.sequence, event.previous_hash, event.hash = (
                row.sequence,
                row.previous_hash,
                row.hash,
            )


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    chains: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def chain_label(chain: int) -> str:
    if chain == LEGACY_CHAIN:
        return "legacy chain (before ADR 0016)"
    if chain == INSTALLATION_CHAIN:
        return "installation chain"
    authority = Authority.objects.filter(pk=chain - INSTALLATION_CHAIN).first()
    return f"chain of {authority.name if authority else 'authority'} (#{chain})"


def _verify_chain(chain: int, head: AuditChainHead | None) -> tuple[int, list[str]]:
    checked = 0
    problems: list[str] = []
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    events = (
        AuditEvent.objects.filter(chain=chain, sequence__isnull=False)
        .order_by("sequence")
        .iterator(chunk_size=2000)
    )
    for event in events:
        checked += 1
        sequence = int(event.sequence or 0)  # never empty: the query excludes unlinked rows
        if sequence != expected_sequence:
            problems.append(
                f"#{sequence}: expected entry #{expected_sequence} here; "
                f"{sequence - expected_sequence} entries are missing"
            )
        if event.previous_hash != previous_hash:
            problems.append(f"#{event.sequence}: does not link to the entry before it")
        if compute_hash(event) != event.hash:
            problems.append(f"#{event.sequence}: content was changed after it was written")
        expected_sequence = sequence + 1
        previous_hash = event.hash
    last_sequence = expected_sequence - 1
    if head is None:
        problems.append("the chain head is missing")
    elif head.sequence != last_sequence or head.hash != previous_hash:
        problems.append(
            f"the log ends at #{last_sequence}, but the chain head records #{head.sequence}: "
            "entries at the end were removed or replaced"
        )
    return checked, problems


def verify() -> Verification:
    """Recompute every chain; each broken link is reported with its sequence number.

    With more than one chain, each problem names its chain first.
    """
    result = Verification()
    heads = {head.pk: head for head in AuditChainHead.objects.all()}
    chains = set(heads) | set(AuditEvent.objects.values_list("chain", flat=True).distinct())
    result.chains = len(chains)
    for chain in sorted(chains):
        checked, problems = _verify_chain(chain, heads.get(chain))
        result.checked += checked
        prefix = f"{chain_label(chain)}: " if len(chains) > 1 else ""
        result.problems.extend(prefix + problem for problem in problems)
    unlinked = AuditEvent.objects.filter(sequence__isnull=True).order_by("pk")
    for event in unlinked.only("pk", "chain"):
        result.checked += 1
        result.problems.append(
            f"entry id {event.pk} ({chain_label(event.chain)}) is in no chain: "
            "it was inserted outside `record`"
        )
    return result

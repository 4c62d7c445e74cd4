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
import hmac
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core import checks
from django.db import models, transaction
from django.utils import timezone

from rathaus.core.models import AuditChainHead, AuditEvent, Authority

logger = logging.getLogger(__name__)

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


class UnknownAuditKey(Exception):
    """An entry or checkpoint names a key that is not configured (RATHAUS_AUDIT_KEY_FILE)."""


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"rathaus audit key id:" + key).hexdigest()[:12]


def audit_keys() -> dict[str, bytes]:
    """The configured audit keys by key id, the current one first.

    Without a configured key, one is derived from the secret key (development only; the
    system check ``rathaus.W031`` reports it in production).
    """
    configured = [key.encode() for key in settings.RATHAUS_AUDIT_KEYS]
    if not configured:
        configured = [
            hmac.new(settings.SECRET_KEY.encode(), b"rathaus audit key", hashlib.sha256)
            .hexdigest()
            .encode()
        ]
    return {_key_id(key): key for key in configured}


def current_key() -> tuple[str, bytes]:
    return next(iter(audit_keys().items()))


def _key(key_id: str) -> bytes:
    key = audit_keys().get(key_id)
    if key is None:
        raise UnknownAuditKey(key_id)
    return key


def _encoded(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def compute_hash(event: AuditEvent) -> str:
    """The entry's hash: an HMAC-SHA256 over every field with the key named by ``key_id``.

    Entries of the legacy chain (before ADR 0016) have no key id and keep the plain SHA-256 of
    the fields they were written with.
    """
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
    if not event.key_id:
        if event.chain != LEGACY_CHAIN:
            payload["chain"] = event.chain
        return hashlib.sha256(_encoded(payload)).hexdigest()
    payload.update(chain=event.chain, actor_id=event.actor_ref, key_id=event.key_id)
    return hmac.new(_key(event.key_id), _encoded(payload), hashlib.sha256).hexdigest()


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
    key_id = current_key()[0]
    for event in events:
        event.key_id = key_id
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
        actor_ref=user.pk if user is not None else None,
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
            AuditEvent.objects.bulk_update(events, ["sequence", "previous_hash", "hash", "key_id"])
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


def _entry_problems(event: AuditEvent) -> list[str]:
    if event.chain != LEGACY_CHAIN and not event.key_id:
        return ["has no keyed hash: it was written outside `record`"]
    try:
        if compute_hash(event) != event.hash:
            return ["content was changed after it was written"]
    except UnknownAuditKey:
        return [f"was written with the audit key {event.key_id}, which is not configured"]
    if not event.key_id or event.actor_id == event.actor_ref:
        return []
    # The foreign key becomes empty when the user is deleted; anything else is a change.
    users = get_user_model().objects
    if event.actor_id is None and not users.filter(pk=int(event.actor_ref or 0)).exists():
        return []
    return ["the actor was changed after it was written"]


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
        problems.extend(f"#{sequence}: {problem}" for problem in _entry_problems(event))
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
    result.problems.extend(verify_checkpoints(heads, chain_count=len(chains)))
    unlinked = AuditEvent.objects.filter(sequence__isnull=True).order_by("pk")
    for event in unlinked.only("pk", "chain"):
        result.checked += 1
        result.problems.append(
            f"entry id {event.pk} ({chain_label(event.chain)}) is in no chain: "
            "it was inserted outside `record`"
        )
    return result


# --- checkpoints outside the database --------------------------------------------------------


def _checkpoint_mac(body: dict[str, Any], key_id: str) -> str:
    unsigned = {name: value for name, value in body.items() if name != "mac"}
    return hmac.new(_key(key_id), _encoded(unsigned), hashlib.sha256).hexdigest()


def read_checkpoints() -> list[tuple[int, dict[str, Any] | None]]:
    """The checkpoints in the file as (line number, checkpoint or None if it is not genuine)."""
    path = settings.RATHAUS_AUDIT_CHECKPOINT_FILE
    if not path.exists():
        return []
    lines: list[tuple[int, dict[str, Any] | None]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            body = json.loads(line)
            genuine = hmac.compare_digest(_checkpoint_mac(body, body["key_id"]), body["mac"])
        except (ValueError, KeyError, TypeError, UnknownAuditKey):
            genuine = False
        lines.append((number, body if genuine else None))
    return lines


def _regressions(earlier: dict[str, Any], later: dict[str, Any]) -> list[str]:
    """Chains that went back between two checkpoints (a reset or truncation in between)."""
    found = []
    for chain, (sequence, _hash) in earlier["chains"].items():
        now = later["chains"].get(chain, [0, GENESIS_HASH])[0]
        if now < sequence:
            found.append(f"{chain_label(int(chain))} went back from #{sequence} to #{now}")
    return found


def verify_checkpoints(heads: dict[int, AuditChainHead], chain_count: int = 2) -> list[str]:
    """Compare the chains with the signed checkpoints: what they anchored must still be there."""
    problems: list[str] = []
    last: dict[str, Any] | None = None
    for number, checkpoint in read_checkpoints():
        if checkpoint is None:
            problems.append(f"checkpoint line {number} is not signed with an audit key: forged")
            continue
        if last is not None:
            problems.extend(
                f"checkpoint line {number}: {regression}"
                for regression in _regressions(last, checkpoint)
            )
        last = checkpoint
    if last is None:
        return problems
    when = last["time"]
    for chain_key, (sequence, hash_) in sorted(last["chains"].items(), key=lambda i: int(i[0])):
        chain = int(chain_key)
        if sequence == 0:
            continue
        head = heads.get(chain)
        entry = AuditEvent.objects.filter(chain=chain, sequence=sequence).first()
        prefix = f"{chain_label(chain)}: " if chain_count > 1 else ""
        if entry is None or head is None or head.sequence < sequence:
            problems.append(
                f"{prefix}the checkpoint of {when} records #{sequence}, but the log ends before "
                "it: entries were removed or the log was reset"
            )
        elif entry.hash != hash_:
            problems.append(
                f"{prefix}#{sequence} differs from the checkpoint of {when}: the chain was "
                "rewritten"
            )
    linked = AuditEvent.objects.filter(sequence__isnull=False).count()
    if linked < last["entries"]:
        problems.append(
            f"the checkpoint of {when} counts {last['entries']} entries, the log has {linked}"
        )
    return problems


def write_checkpoint() -> dict[str, Any]:
    """Append a signed checkpoint of every chain head to the checkpoint file and to the log.

    Run hourly by the worker (housekeeping job ``core.audit-checkpoint``). A checkpoint that
    would go back behind the previous one is not written: the previous one keeps the evidence.
    """
    key_id = current_key()[0]
    chains = {
        str(head.pk): [head.sequence, head.hash] for head in AuditChainHead.objects.order_by("pk")
    }
    body: dict[str, Any] = {
        "time": timezone.now().astimezone(UTC).isoformat(timespec="seconds"),
        "entries": sum(sequence for sequence, _hash in chains.values()),
        "chains": chains,
        "key_id": key_id,
    }
    body["mac"] = _checkpoint_mac(body, key_id)
    genuine = [checkpoint for _n, checkpoint in read_checkpoints() if checkpoint is not None]
    regressions = _regressions(genuine[-1], body) if genuine else []
    if regressions:
        logger.error(
            "audit checkpoint refused: %s; run `rathaus audit-verify`", "; ".join(regressions)
        )
        return {"refused": regressions}
    path = settings.RATHAUS_AUDIT_CHECKPOINT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(body, sort_keys=True, separators=(",", ":"))
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.info("audit checkpoint %s", line)
    return {"entries": body["entries"], "chains": len(chains)}


@checks.register(checks.Tags.security)
def check_audit_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production the audit key must come from outside, not from the secret key."""
    if settings.RATHAUS_PRODUCTION and not settings.RATHAUS_AUDIT_KEYS:
        return [
            checks.Warning(
                "The audit log's key is derived from the secret key (no RATHAUS_AUDIT_KEY).",
                hint="Set RATHAUS_AUDIT_KEY_FILE to a file with a random key of at least 32 "
                "characters, kept apart from the database and its backups (ADR 0016).",
                id="rathaus.W031",
            )
        ]
    return []

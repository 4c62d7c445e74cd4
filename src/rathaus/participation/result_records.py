"""The tamper-evident result record of a competition (ADR 0071).

When the results are published (:func:`publish_if_due`, at the first request or worker run
after ``results_at``), one :class:`ResultRecord` is written — the one-to-one key on the
competition lets only one of two simultaneous publishers succeed — with the counts per entry,
the number of votes and :func:`ballots_hash`: the SHA-256 over the sorted lines
``<voter pseudonym> <entry uid> <slot>``, one per vote, joined by newlines. The pseudonym is
the SHA-256 of the competition's salt and the account's id (computed when the vote is cast and
stored with it, so it stays when an account is deleted). An audit entry
``participation.competition.results`` carries the same hash into the authority's hash chain.

:func:`verify` computes the hash of the stored votes again: if a vote was changed, added or
removed since, the hashes differ.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from rathaus.core import audit
from rathaus.participation.models import Ballot, Competition, Entry, ResultRecord


def pseudonym(competition: Competition, user_id: int) -> str:
    return hashlib.sha256(f"{competition.salt}:{user_id}".encode()).hexdigest()


def ballot_lines(competition: Competition) -> list[str]:
    rows = Ballot.objects.filter(competition=competition).values_list("voter", "entry__uid", "slot")
    return sorted(f"{voter} {entry} {slot}" for voter, entry, slot in rows)


def ballots_hash(competition: Competition) -> str:
    return hashlib.sha256("\n".join(ballot_lines(competition)).encode()).hexdigest()


def counts(competition: Competition) -> dict[str, int]:
    """Votes per entry uid, for every shortlisted entry (0 included)."""
    found = {
        str(row["entry__uid"]): row["n"]
        for row in Ballot.objects.filter(competition=competition)
        .values("entry__uid")
        .annotate(n=Count("id"))
    }
    shortlisted = Entry.objects.filter(competition=competition, state=Entry.State.SHORTLISTED)
    for uid in shortlisted.values_list("uid", flat=True):
        found.setdefault(str(uid), 0)
    return found


def publish_if_due(competition: Competition, now: Any = None) -> ResultRecord | None:
    """The record of ``competition``: written now if ``results_at`` has come and there is none
    yet (exactly once, also under concurrency), None before ``results_at``."""
    now = now or timezone.now()
    existing = ResultRecord.objects.filter(competition=competition).first()
    if existing is not None or now < competition.results_at:
        return existing
    try:
        with transaction.atomic():
            record = ResultRecord.objects.create(
                competition=competition, ballot_count=Ballot.objects.filter(
                    competition=competition).count(),
                counts=counts(competition), ballots_sha256=ballots_hash(competition),
            )  # fmt: skip
            event = audit.record(
                "participation.competition.results", actor_name="system",
                authority=competition.process.authority, obj=competition,
                details={"ballots": record.ballot_count, "sha256": record.ballots_sha256},
            )  # fmt: skip
            record.audit_chain = event.chain
            record.audit_previous_hash = event.previous_hash
            record.save(update_fields=["audit_chain", "audit_previous_hash"])
    except IntegrityError:
        return ResultRecord.objects.filter(competition=competition).first()
    return record


def publish_due() -> int:
    """Write the records of every competition whose results are due (worker, periodic)."""
    written = 0
    due = Competition.objects.filter(results_at__lte=timezone.now(), result__isnull=True)
    for competition in due.select_related("process__authority"):
        if publish_if_due(competition) is not None:
            written += 1
    return written


@dataclass(frozen=True)
class Verification:
    matches: bool
    stored: str
    computed: str
    stored_count: int
    computed_count: int


def audited_hash(record: ResultRecord) -> str | None:
    """The hash the audit entry of the publication holds (the audit chain covers it)."""
    from rathaus.core.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            action="participation.competition.results",
            object_type=Competition._meta.label,
            object_id=str(record.competition_id),
        )
        .order_by("pk")
        .first()
    )
    return event.details.get("sha256") if event is not None else None


def verify(record: ResultRecord) -> Verification:
    """Whether the stored votes still give the record's hash and number, and the record's
    hash is the one in the audit chain."""
    competition = record.competition
    return Verification(
        matches=ballots_hash(competition) == record.ballots_sha256
        and audited_hash(record) == record.ballots_sha256
        and Ballot.objects.filter(competition=competition).count() == record.ballot_count,
        stored=record.ballots_sha256, computed=ballots_hash(competition),
        stored_count=record.ballot_count,
        computed_count=Ballot.objects.filter(competition=competition).count(),
    )  # fmt: skip

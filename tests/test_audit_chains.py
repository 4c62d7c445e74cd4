"""One audit chain per authority, linked at the end of the transaction (ADR 0016)."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC
from functools import partial

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from rathaus.cases import services
from rathaus.core import audit
from rathaus.core.models import AuditChainHead, AuditEvent
from rathaus.forms.models import Submission
from tests.factories import AuthorityFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def test_each_authority_has_its_own_chain(db):
    barleben, wolmirstedt = AuthorityFactory(), AuthorityFactory()
    for authority in (barleben, wolmirstedt, barleben, None, wolmirstedt, barleben):
        audit.record("login", actor_name="system", authority=authority)
    chains = {}
    for event in AuditEvent.objects.order_by("id"):
        chains.setdefault(event.chain, []).append(event.sequence)
    assert chains == {
        audit.chain_for(barleben): [1, 2, 3],
        audit.chain_for(wolmirstedt): [1, 2],
        audit.INSTALLATION_CHAIN: [1],
    }
    result = audit.verify()
    assert result.ok, result.problems
    assert (result.checked, result.chains) == (6, 3)


def test_tampering_is_reported_with_its_chain(db):
    barleben, wolmirstedt = AuthorityFactory(name="Barleben"), AuthorityFactory()
    for authority in (barleben, wolmirstedt, barleben):
        audit.record("login", actor_name="system", authority=authority)
    AuditEvent.objects.filter(chain=audit.chain_for(barleben), sequence=2).update(action="x")
    assert audit.verify().problems == [
        f"chain of Barleben (#{audit.chain_for(barleben)}): #2: content was changed after it "
        "was written"
    ]


def test_an_entry_moved_to_another_chain_is_detected(db):
    barleben, wolmirstedt = AuthorityFactory(), AuthorityFactory()
    for authority in (barleben, wolmirstedt):
        audit.record("login", actor_name="system", authority=authority)
    AuditEvent.objects.filter(chain=audit.chain_for(barleben)).update(
        chain=audit.chain_for(wolmirstedt), sequence=2
    )
    problems = audit.verify().problems
    assert any("does not link" in problem for problem in problems)
    assert any("entries at the end were removed" in problem for problem in problems)


def test_deferred_entries_are_linked_when_the_block_ends(db):
    authority = AuthorityFactory()
    with transaction.atomic(), audit.deferred():
        first = audit.record("case.opened", actor_name="rathaus", authority=authority)
        second = audit.record("case.status", actor_name="rathaus", authority=authority)
        # Written, but not yet in the chain: the head is not locked during the slow work.
        assert AuditEvent.objects.filter(sequence__isnull=True).count() == 2
        assert not AuditChainHead.objects.filter(pk=audit.chain_for(authority)).exists()
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.hash
    assert AuditChainHead.objects.get(pk=audit.chain_for(authority)).hash == second.hash
    assert audit.verify().ok


def test_deferred_entry_of_a_rolled_back_savepoint_is_not_linked(db):
    authority = AuthorityFactory()
    with transaction.atomic(), audit.deferred():
        audit.record("kept", actor_name="rathaus", authority=authority)
        try:
            with transaction.atomic():
                audit.record("rolled back", actor_name="rathaus", authority=authority)
                raise RuntimeError("a failing step")
        except RuntimeError:
            pass
        audit.record("kept too", actor_name="rathaus", authority=authority)
    assert list(AuditEvent.objects.values_list("action", "sequence")) == [
        ("kept", 1),
        ("kept too", 2),
    ]
    assert audit.verify().ok


def test_a_failed_transaction_leaves_no_deferred_entry(db):
    authority = AuthorityFactory()

    def failing_change() -> None:
        with transaction.atomic(), audit.deferred():
            audit.record("never", actor_name="rathaus", authority=authority)
            raise RuntimeError("the audited change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()


def test_a_row_inserted_without_a_chain_position_is_reported(db):
    audit.record("real", actor_name="system")
    event = AuditEvent.objects.get()
    event.pk, event.sequence, event.action = None, None, "forged"
    event.save()
    problems = audit.verify().problems
    assert problems == [f"entry id {event.pk} (installation chain) is in no chain: "
                        "it was inserted outside `record`"]  # fmt: skip


ANLIEGEN = {
    "topic": "roads", "subject": "Schlagloch", "message": "Vor dem Haus ist ein Schlagloch.",
    "location": "Breiteweg 147", "name": "Ilse Beispiel", "email": "ilse@example.org",
    "reply_wanted": True,
}  # fmt: skip


def test_a_submission_is_no_audit_entry_but_its_case_is(barleben, client):
    response = client.post("/api/v1/forms/anliegen/submissions", {"data": ANLIEGEN},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    submission = Submission.objects.get(reference=response.json()["reference"])
    assert "submission.created" not in set(AuditEvent.objects.values_list("action", flat=True))
    assert services.route(str(submission.pk)) == "routed"
    opened = AuditEvent.objects.get(action="case.opened")
    assert (opened.chain, opened.authority) == (audit.chain_for(barleben), barleben)
    assert audit.verify().ok


@pytest.mark.django_db(transaction=True)
def test_writers_of_several_authorities_keep_unbroken_chains():
    authorities = [AuthorityFactory(), AuthorityFactory()]
    writers, per_writer = 4, 8

    def write(n: int) -> None:
        for i in range(per_writer):
            with transaction.atomic(), audit.deferred():
                # Both authorities in one transaction, in a different order per writer:
                # the link step locks heads in chain order, so this cannot deadlock.
                for authority in authorities[:: 1 if n % 2 else -1]:
                    audit.record("step", actor_name=f"writer {n}", authority=authority,
                                 details={"i": i})  # fmt: skip

    assert run_in_threads(*(partial(write, n) for n in range(writers))) == []
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == writers * per_writer * 2
    for authority in authorities:
        assert (
            AuditChainHead.objects.get(pk=audit.chain_for(authority)).sequence
            == writers * per_writer
        )


@pytest.mark.postgresql  # SQLite has one writer at a time; row locks exist only on PostgreSQL
@pytest.mark.django_db(transaction=True)
def test_a_slow_transaction_does_not_hold_the_chain_of_its_authority():
    authority = AuthorityFactory()
    recorded, other_done = threading.Event(), threading.Event()

    def slow() -> None:
        with transaction.atomic(), audit.deferred():
            audit.record("case.opened", actor_name="rathaus", authority=authority)
            recorded.set()
            # The slow work (process steps, a PDF): another writer must get through.
            other_done.wait(timeout=20)

    def other() -> None:
        recorded.wait(timeout=20)
        audit.record("staff.login", actor_name="clerk", authority=authority)
        other_done.set()

    assert run_in_threads(slow, other) == []
    assert other_done.is_set(), "the second writer waited for the slow transaction"
    assert list(AuditEvent.objects.order_by("sequence").values_list("action", flat=True)) == [
        "staff.login",
        "case.opened",
    ]
    assert audit.verify().ok


def _legacy_hash(row: dict) -> str:
    """The hash as ADR 0003 computed it, for rows written before the migration."""
    payload = {
        "sequence": row["sequence"],
        "created_at": row["created_at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "authority": row["authority_id"],
        "actor": row["actor_label"],
        "action": row["action"],
        "object_type": "",
        "object_id": "",
        "object_repr": "",
        "details": {},
        "previous_hash": row["previous_hash"],
    }
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_entries_of_the_global_chain_stay_verifiable_after_the_migration(capsys):
    before = [("core", "0010_sequence")]
    after = [("core", "0011_audit_chain_per_authority")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    event_model = old_apps.get_model("core", "AuditEvent")
    head_model = old_apps.get_model("core", "AuditChainHead")
    authority = old_apps.get_model("core", "Authority").objects.create(
        name="Altgemeinde", slug="altgemeinde", kind="gemeinde", ags="15083040"
    )
    previous = audit.GENESIS_HASH
    for sequence, authority_id in ((1, authority.pk), (2, None), (3, authority.pk)):
        row = {"sequence": sequence, "created_at": timezone.now(), "authority_id": authority_id,
               "actor_label": "system", "action": f"old {sequence}", "previous_hash": previous}  # fmt: skip
        row["hash"] = _legacy_hash(row)
        event_model.objects.create(**row)
        previous = row["hash"]
    head_model.objects.update_or_create(pk=1, defaults={"sequence": 3, "hash": previous})

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(AuditEvent.objects.values_list("chain", flat=True)) == {audit.LEGACY_CHAIN}
    assert AuditChainHead.objects.get().pk == audit.LEGACY_CHAIN
    audit.record("new", actor_name="system")
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == 4
    call_command("audit_verify")
    assert "4 entries checked" in capsys.readouterr().out
    AuditEvent.objects.filter(chain=audit.LEGACY_CHAIN, sequence=2).update(action="forged")
    assert audit.verify().problems == [
        "legacy chain (before ADR 0016): #2: content was changed after it was written"
    ]

"""Keyed audit hashes and signed checkpoints outside the database (ADR 0016, threat model).

An insider with write access to the database, but not to the audit key or the checkpoint
file, tries four rewrites: truncating a chain, resetting the whole log, recomputing every hash
without the key, and changing the actor of an entry. `rathaus audit-verify` finds each.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core.management import CommandError, call_command

from rathaus.core import audit, housekeeping
from rathaus.core.models import AuditChainHead, AuditEvent
from tests.factories import AuthorityFactory, UserFactory

OLD_KEY = "old-audit-key-" + "o" * 32
NEW_KEY = "new-audit-key-" + "n" * 32


@pytest.fixture
def five_events(db):
    authority = AuthorityFactory()
    clerk = UserFactory()
    for n in range(5):
        audit.record("staff.login", actor=clerk, authority=authority, details={"n": n})
    return authority, clerk


def chain_events(authority):
    return list(AuditEvent.objects.filter(chain=audit.chain_for(authority)).order_by("sequence"))


def test_entries_carry_the_key_id_and_a_keyed_hash(five_events, settings):
    authority, clerk = five_events
    first = chain_events(authority)[0]
    assert first.key_id == audit.current_key()[0]
    assert first.actor_ref == clerk.pk
    assert first.hash == audit.compute_hash(first)
    assert audit.verify().ok
    assert audit.write_checkpoint() == {"entries": 5, "chains": 1}
    call_command("audit_verify")


def test_truncation_after_a_checkpoint_is_found(five_events):
    authority, _clerk = five_events
    audit.write_checkpoint()
    # The insider removes the last two entries and sets the head back consistently.
    AuditEvent.objects.filter(chain=audit.chain_for(authority), sequence__gt=3).delete()
    third = chain_events(authority)[-1]
    AuditChainHead.objects.filter(pk=audit.chain_for(authority)).update(sequence=3, hash=third.hash)
    problems = audit.verify().problems
    assert any("records #5, but the log ends before it" in problem for problem in problems)
    assert any("counts 5 entries, the log has 3" in problem for problem in problems)
    with pytest.raises(CommandError, match="Audit log damaged"):
        call_command("audit_verify")


def test_a_reset_of_the_log_and_its_heads_is_found_and_not_checkpointed(five_events):
    audit.write_checkpoint()
    AuditEvent.objects.all().delete()
    AuditChainHead.objects.all().delete()
    problems = audit.verify().problems
    assert any("the log ends before it" in problem for problem in problems)
    # The hourly job does not accept the reset as the new state.
    assert "refused" in audit.write_checkpoint()
    audit.record("staff.login", actor_name="mallory")
    problems = audit.verify().problems
    assert any("the log ends before it" in problem for problem in problems)


def test_a_full_recomputation_without_the_key_is_found(five_events):
    authority, _clerk = five_events
    audit.write_checkpoint()
    guessed = b"the insider does not know the key"
    previous = audit.GENESIS_HASH
    for event in chain_events(authority):
        event.actor_label = "mallory"
        event.previous_hash = previous
        payload = {"forged": event.actor_label, "previous": previous, "n": event.sequence}
        event.hash = hmac.new(guessed, json.dumps(payload).encode(), hashlib.sha256).hexdigest()
        event.save()
        previous = event.hash
    AuditChainHead.objects.filter(pk=audit.chain_for(authority)).update(hash=previous)
    problems = audit.verify().problems
    assert problems.count("#1: content was changed after it was written") == 1
    assert sum("content was changed" in problem for problem in problems) == 5
    assert any("differs from the checkpoint" in problem for problem in problems)


def test_a_recomputation_as_unkeyed_entries_is_found(five_events):
    authority, _clerk = five_events
    previous = audit.GENESIS_HASH
    for event in chain_events(authority):
        event.key_id, event.previous_hash = "", previous
        event.hash = audit.compute_hash(event)  # the plain SHA-256 of ADR 0003
        event.save()
        previous = event.hash
    AuditChainHead.objects.filter(pk=audit.chain_for(authority)).update(hash=previous)
    problems = audit.verify().problems
    assert "#1: has no keyed hash: it was written outside `record`" in problems


def test_a_changed_actor_is_found(five_events):
    authority, _clerk = five_events
    mallory = UserFactory()
    AuditEvent.objects.filter(chain=audit.chain_for(authority), sequence=2).update(actor=mallory)
    assert audit.verify().problems == ["#2: the actor was changed after it was written"]
    AuditEvent.objects.filter(chain=audit.chain_for(authority), sequence=2).update(
        actor_ref=mallory.pk
    )
    assert audit.verify().problems == ["#2: content was changed after it was written"]


def test_an_actor_removed_while_the_user_exists_is_found_but_a_deleted_user_is_fine(five_events):
    authority, clerk = five_events
    AuditEvent.objects.filter(chain=audit.chain_for(authority), sequence=1).update(actor=None)
    assert audit.verify().problems == ["#1: the actor was changed after it was written"]
    clerk.delete()  # the foreign key of every entry becomes empty
    assert audit.verify().ok


def test_a_changed_authority_is_found(five_events):
    authority, _clerk = five_events
    other = AuthorityFactory()
    AuditEvent.objects.filter(chain=audit.chain_for(authority), sequence=4).update(authority=other)
    assert audit.verify().problems == ["#4: content was changed after it was written"]


def test_a_forged_checkpoint_line_is_found(five_events, settings):
    audit.write_checkpoint()
    path = settings.RATHAUS_AUDIT_CHECKPOINT_FILE
    line = json.loads(path.read_text().splitlines()[0])
    line["chains"] = {}
    line["entries"] = 0
    with path.open("a") as handle:
        handle.write(json.dumps(line) + "\n")
    assert audit.verify().problems == ["checkpoint line 2 is not signed with an audit key: forged"]


def test_key_rotation_keeps_old_entries_verifiable(db, settings):
    settings.RATHAUS_AUDIT_KEYS = [OLD_KEY]
    audit.record("staff.login", actor_name="clerk")
    audit.write_checkpoint()
    settings.RATHAUS_AUDIT_KEYS = [NEW_KEY, OLD_KEY]
    audit.record("staff.login", actor_name="clerk")
    audit.write_checkpoint()
    assert len({event.key_id for event in AuditEvent.objects.all()}) == 2
    assert audit.verify().ok
    settings.RATHAUS_AUDIT_KEYS = [NEW_KEY]
    problems = audit.verify().problems
    assert any("which is not configured" in problem for problem in problems)
    assert any("checkpoint line 1 is not signed" in problem for problem in problems)


def test_the_worker_writes_checkpoints_to_the_file_and_the_log(five_events, settings, caplog):
    caplog.set_level("INFO", logger="rathaus.core.audit")
    assert "core.audit-checkpoint" in housekeeping.run_due()
    lines = settings.RATHAUS_AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    assert len(lines) == 1
    checkpoint = json.loads(lines[0])
    assert checkpoint["entries"] == 5
    assert checkpoint["key_id"] == audit.current_key()[0]
    assert lines[0] in caplog.text


def test_production_without_an_audit_key_is_reported(settings):
    settings.RATHAUS_PRODUCTION = True
    settings.RATHAUS_AUDIT_KEYS = []
    assert [message.id for message in audit.check_audit_key()] == ["rathaus.W031"]
    settings.RATHAUS_AUDIT_KEYS = [NEW_KEY]
    assert audit.check_audit_key() == []

"""The audit log is append-only and chained; tampering is found by `rathaus audit-verify`."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rathaus.core import audit
from rathaus.core.models import AuditChainHead, AuditEvent
from tests.factories import AuthorityFactory
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@pytest.fixture
def three_events(db):
    authority = AuthorityFactory()
    for action in ("one", "two", "three"):
        audit.record(action, actor_name="system", authority=authority, details={"n": action})
    return list(AuditEvent.objects.order_by("sequence"))


def test_intact_chain_verifies(three_events, capsys):
    assert [event.sequence for event in three_events] == [1, 2, 3]
    assert three_events[1].previous_hash == three_events[0].hash
    call_command("audit_verify")
    assert "3 entries checked" in capsys.readouterr().out


def test_row_changed_directly_in_the_database_is_detected(three_events):
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE sequence = 2", ["mallory"])  # noqa: S608
    result = audit.verify()
    assert result.problems == ["#2: content was changed after it was written"]
    with pytest.raises(CommandError, match="Audit log damaged"):
        call_command("audit_verify")


def test_changed_details_are_detected(three_events):
    AuditEvent.objects.filter(sequence=1).update(details={"n": "forged"})
    assert "#1: content was changed after it was written" in audit.verify().problems


def test_removed_row_in_the_middle_is_detected(three_events):
    AuditEvent.objects.filter(sequence=2).delete()
    problems = audit.verify().problems
    assert any("entries are missing" in problem for problem in problems)
    assert "#3: does not link to the entry before it" in problems


def test_removed_last_row_is_detected(three_events):
    AuditEvent.objects.filter(sequence=3).delete()
    problems = audit.verify().problems
    assert len(problems) == 1
    assert "chain head records #3" in problems[0]


def test_recomputed_forgery_is_detected_by_the_successor(three_events):
    forged = AuditEvent.objects.get(sequence=2)
    forged.actor_label = "mallory"
    forged.hash = audit.compute_hash(forged)
    forged.save()
    assert "#3: does not link to the entry before it" in audit.verify().problems


@pytest.mark.parametrize("head_present", [True, False])
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_unbroken_chain(head_present):
    if not head_present:
        AuditChainHead.objects.all().delete()
    else:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"hash": audit.GENESIS_HASH})
    writers, per_writer = 4, 10

    def write(n: int) -> None:
        for i in range(per_writer):
            audit.record("concurrent", actor_name=f"writer {n}", details={"i": i})

    assert run_in_threads(*(partial(write, n) for n in range(writers))) == []
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == writers * per_writer
    assert AuditChainHead.objects.get().sequence == writers * per_writer


@pytest.mark.django_db
def test_writing_stops_when_the_chain_head_was_removed(three_events):
    AuditChainHead.objects.all().delete()
    with pytest.raises(audit.AuditChainBroken):
        audit.record("after tampering", actor_name="system")
    assert "the chain head is missing" in audit.verify().problems

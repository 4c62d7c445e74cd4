"""Running numbers from core.sequences, and the move of the old counters into them."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from rathaus.appointments import staff_services
from rathaus.appointments.availability import TZ
from rathaus.appointments.models import Location
from rathaus.cases.services import next_case_number
from rathaus.core import sequences
from rathaus.core.models import Authority, OrgUnit
from rathaus.forms.submissions import next_reference
from tests.support import run_in_threads

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@pytest.mark.django_db
def test_every_scope_counts_on_its_own_from_one():
    assert [sequences.next_value("a:1") for _ in range(3)] == [1, 2, 3]
    assert sequences.next_value("a:2") == 1
    assert sequences.current_value("a:1") == 3
    assert sequences.current_value("never") == 0
    assert sequences.scope("ticket", 7, dt.date(2026, 3, 2).isoformat(), "") == (
        "ticket:7:2026-03-02:"
    )


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    sequences.next_value("b")
    inside: list[int] = []

    def draw_and_fail() -> None:
        with transaction.atomic():
            inside.append(sequences.next_value("b"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        draw_and_fail()
    assert inside == [2]
    assert sequences.next_value("b") == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_never_draw_the_same_number():
    drawn: list[int] = []

    def client() -> None:
        for _ in range(5):
            with transaction.atomic():
                drawn.append(sequences.next_value("race"))
                time.sleep(0.001)  # hold the lock a moment, so others must wait for it

    assert run_in_threads(*[client] * 8, together=True) == []
    assert sorted(drawn) == list(range(1, 41))


OLD = [
    ("core", "0009_api_token"),
    ("cases", "0005_case_search"),
    ("appointments", "0004_booking_items"),
]


@pytest.mark.django_db(transaction=True)
def test_the_counters_move_back_with_the_migration_and_forward_again():
    """One trip back to the old counters and forward again (each trip migrates most apps, so the
    two directions share it): a number drawn before goes back into the old counter table; old
    counters move into the sequences so that numbering continues."""
    kept = Authority.objects.create(
        slug="rueckort", name="Gemeinde Rückort", kind="gemeinde", ags="15083040",
        ars="150830400041",
    )  # fmt: skip
    sequences.next_value(sequences.scope("reference", kept.pk, 2026))
    sequences.next_value(sequences.scope("reference", kept.pk, 2026))

    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    old = executor.loader.project_state(OLD).apps
    counter = old.get_model("cases", "ReferenceCounter").objects.get()
    assert (counter.authority_id, counter.year, counter.value) == (kept.pk, 2026, 2)

    authority = old.get_model("core", "Authority").objects.create(
        slug="altort", name="Gemeinde Altort", kind="gemeinde", ags="15083040",
        ars="150830400040", reference_prefix="ALT",
    )  # fmt: skip
    unit = old.get_model("core", "OrgUnit").objects.create(
        authority=authority, slug="ordnungsamt", name="Ordnungsamt", file_plan_code="32"
    )
    location = old.get_model("appointments", "Location").objects.create(
        authority=authority, slug="rathaus", name="Rathaus"
    )
    old.get_model("cases", "ReferenceCounter").objects.create(
        authority=authority, year=2026, value=41
    )
    old.get_model("cases", "ReferenceCounter").objects.create(
        authority=authority, year=2025, value=900
    )
    old.get_model("cases", "CaseCounter").objects.create(org_unit=unit, year=2026, value=7)
    ticket_counter = old.get_model("appointments", "TicketCounter")
    ticket_counter.objects.create(location=location, day=dt.date(2026, 3, 2), series="W", last=12)
    ticket_counter.objects.create(location=location, day=dt.date(2026, 3, 2), series="", last=3)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sequences.next_value(sequences.scope("reference", kept.pk, 2026)) == 3
    authority = Authority.objects.get(slug="altort")
    assert next_reference(authority, 2026) == "ALT-2026-000042"
    assert next_reference(authority, 2025) == "ALT-2025-000901"
    assert next_reference(authority, 2027) == "ALT-2027-000001"
    unit = OrgUnit.objects.get(slug="ordnungsamt")
    assert next_case_number(unit, 2026) == "32-2026-00008"
    location = Location.objects.select_related("authority").get(slug="rathaus")
    moment = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)
    assert staff_services.walk_in(location, None, now=moment).label == "W13"
    assert sequences.next_value(f"ticket:{location.pk}:2026-03-02:") == 4
    assert sequences.next_value(f"ticket:{location.pk}:2026-03-03:W") == 1

"""Submissions moved from the cases app to forms (ADR 0014): an existing database keeps its rows.

The database is put back on the migration state before the move, rows are written through the
models of that state (as an installation running the old version has them), and the database
is migrated forward again. The rows, the links between them and the content types (with the
permissions granted on them) must all be there under the new owner.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import AuthorityFactory, OrgUnitFactory

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

BEFORE = [("cases", "0005_case_search"), ("forms", "0001_initial")]
AFTER = [("cases", "0008_submissions_move_to_forms"), ("forms", "0002_submissions_from_cases")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def newest_state_afterwards():
    """Later migrations (stored files, ADR 0019) run after the test, as on a real upgrade."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_submissions_cases_and_permissions_survive_the_move_to_forms(
    newest_state_afterwards,
):
    authority = AuthorityFactory()
    unit = OrgUnitFactory(authority=authority)
    old = _migrate(BEFORE)
    try:
        ContentType = old.get_model("contenttypes", "ContentType")
        Permission = old.get_model("auth", "Permission")
        Group = old.get_model("auth", "Group")
        submission_type, _created = ContentType.objects.get_or_create(
            app_label="cases", model="submission"
        )
        permission, _created = Permission.objects.get_or_create(
            content_type=submission_type,
            codename="view_submission",
            defaults={"name": "Can view submission"},
        )
        group = Group.objects.create(name="Prüfung")
        group.permissions.add(permission)

        definition = old.get_model("forms", "FormDefinition").objects.create(
            authority_id=authority.pk, slug="anliegen", title="Anliegen"
        )
        version = old.get_model("forms", "FormVersion").objects.create(
            definition=definition,
            number=1,
            status="published",
            title="Anliegen",
            schema={"type": "object"},
            layout={"steps": []},
        )
        submitted_at = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
        submission = old.get_model("cases", "Submission").objects.create(
            reference="BAR-2026-000001",
            authority_id=authority.pk,
            form_version=version,
            data={"anliegen": "Straßenlaterne defekt"},
            trust_level="none",
            channel="web",
            contact_email="anna@example.org",
            submitted_at=submitted_at,
            idempotency_key="key-1",
        )
        upload_id = uuid.uuid4()
        stored = Path(settings.MEDIA_ROOT) / "uploads" / "ab" / "cd"
        stored.parent.mkdir(parents=True)
        stored.write_bytes(b"\xff\xd8\xff laterne")
        old.get_model("cases", "SubmissionAttachment").objects.create(
            submission=submission,
            upload_id=upload_id,
            field="foto",
            storage_name="uploads/ab/cd",
            original_name="laterne.jpg",
            content_type="image/jpeg",
            size=1234,
            sha512="0" * 128,
        )
        old.get_model("cases", "SubmissionEvent").objects.create(
            submission=submission, kind="routed", at=submitted_at, detail={"unit": unit.pk}
        )
        old.get_model("cases", "ReferenceCounter").objects.create(
            authority_id=authority.pk, year=2026, value=1
        )
        old.get_model("cases", "Case").objects.create(
            number="33.10-2026-00001",
            authority_id=authority.pk,
            org_unit_id=unit.pk,
            submission=submission,
            title="Anliegen",
            created_at=submitted_at,
            updated_at=submitted_at,
        )
        old.get_model("cases", "OutboxItem").objects.create(
            submission=submission, target_id=authority.pk, created_at=submitted_at
        )
    finally:
        new = _migrate(AFTER)

    Submission = new.get_model("forms", "Submission")
    moved = Submission.objects.get(pk=submission.pk)
    assert moved.reference == "BAR-2026-000001"
    assert moved.data == {"anliegen": "Straßenlaterne defekt"}
    assert moved.form_version_id == version.pk
    assert moved.submitted_at == submitted_at
    assert moved.idempotency_key == "key-1"
    attachment = moved.attachments.get()
    assert (attachment.upload_id, attachment.original_name) == (upload_id, "laterne.jpg")
    assert list(moved.events.values_list("kind", "detail")) == [("routed", {"unit": unit.pk})]
    # The reference counter went on the way to core's sequences (cases.0006, ADR 0017).
    sequence = new.get_model("core", "Sequence").objects.get(scope=f"reference:{authority.pk}:2026")
    assert sequence.value == 1
    case = new.get_model("cases", "Case").objects.get(number="33.10-2026-00001")
    assert case.submission_id == submission.pk
    assert case.submission.reference == "BAR-2026-000001"
    assert new.get_model("cases", "OutboxItem").objects.get().submission_id == submission.pk

    ContentType = new.get_model("contenttypes", "ContentType")
    content_type = ContentType.objects.get(pk=submission_type.pk)
    assert (content_type.app_label, content_type.model) == ("forms", "submission")
    assert not ContentType.objects.filter(app_label="cases", model="submission").exists()
    granted = new.get_model("auth", "Group").objects.get(name="Prüfung").permissions.get()
    assert (granted.content_type_id, granted.codename) == (submission_type.pk, "view_submission")


def test_the_current_models_read_the_rows_the_old_tables_hold():
    """The moved models keep the old table names, so rows written before are theirs."""
    from rathaus.forms.models import Submission, SubmissionAttachment, SubmissionEvent

    assert Submission._meta.db_table == "cases_submission"
    assert SubmissionAttachment._meta.db_table == "cases_submissionattachment"
    assert SubmissionEvent._meta.db_table == "cases_submissionevent"
    assert Submission._meta.label == "forms.Submission"

"""``rathaus documents-check``: missing, changed and orphaned blobs, on the file system and S3."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from rathaus.core import files, housekeeping
from rathaus.core.models import AuditEvent
from rathaus.documents import integrity
from tests.factories import StoredFileFactory, VersionFactory
from tests.support import database_env, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def run_check(*args: str) -> tuple[str, str, CommandError | None]:
    out, err = StringIO(), StringIO()
    try:
        call_command("documents_check", *args, stdout=out, stderr=err)
    except CommandError as failed:
        return out.getvalue(), err.getvalue(), failed
    return out.getvalue(), err.getvalue(), None


@pytest.mark.django_db
def test_intact_blobs_pass(file_storage):
    VersionFactory(file=StoredFileFactory(content=b"Antrag"))
    StoredFileFactory(content=b"Anlage")

    out, err, failed = run_check()

    assert failed is None
    assert "2 blobs and 1 versions checked: 0 missing, 0 changed, 0 orphaned" in out
    assert err == ""
    assert (
        AuditEvent.objects.get(action="documents.integrity_checked").details["blobs_checked"] == 2
    )


@pytest.mark.django_db
def test_a_changed_a_missing_and_an_orphaned_blob_are_found(file_storage):
    changed = VersionFactory(
        file=StoredFileFactory(content=b"Antrag"), document__file__number="A/1"
    )
    missing = VersionFactory(file=StoredFileFactory(content=b"Bescheid"))
    VersionFactory(file=StoredFileFactory(content=b"Vermerk"))
    backend = files.storage()
    backend.delete(changed.file.key)
    backend.save(changed.file.key, ContentFile(b"Antrag, heimlich geaendert"))
    backend.delete(missing.file.key)
    orphan, _sha = files.put_bytes(b"niemandem zugeordnet")

    _out, err, failed = run_check()

    assert failed is not None
    assert "1 missing, 1 changed, 1 orphaned" in str(failed)
    assert f"missing: {missing.file.key}: not in the storage" in err
    assert f"changed: {changed.file.key}: content has SHA-256" in err
    assert "(versions: A/1 v1)" in err
    assert f"orphaned (kept): {orphan}" in err
    assert files.blob_exists(orphan)
    counts = AuditEvent.objects.get(action="documents.integrity_checked").details
    assert (counts["missing"], counts["changed"], counts["orphaned"]) == (1, 1, 1)


@pytest.mark.django_db
def test_only_orphans_older_than_an_hour_are_deleted_on_request(file_storage):
    named = StoredFileFactory(content=b"Antrag")
    orphan, _sha = files.put_bytes(b"niemandem zugeordnet")

    young = integrity.check(delete_orphans=True)
    assert (young.orphaned, young.orphans_deleted) == ([orphan], [])
    assert files.blob_exists(orphan)

    later = timezone.now() + dt.timedelta(hours=2)
    old = integrity.check(delete_orphans=True, now=later)

    assert old.orphans_deleted == [orphan]
    assert not files.blob_exists(orphan)
    assert files.blob_exists(named.key)


@pytest.mark.django_db
def test_the_command_deletes_orphans_only_when_asked(file_storage):
    orphan, _sha = files.put_bytes(b"niemandem zugeordnet")

    _out, err, failed = run_check("--delete-orphans")

    assert failed is not None
    assert f"orphaned (kept): {orphan}" in err  # younger than an hour


@pytest.mark.django_db
def test_the_weekly_job_reports_without_failing(caplog):
    version = VersionFactory()
    files.storage().delete(version.file.key)

    job = next(job for job in housekeeping.registered() if job.name == "documents.integrity")
    counts = job.run()

    assert counts == {"blobs_checked": 1, "versions_checked": 1, "missing": 1, "changed": 0,
                      "orphaned": 0, "orphans_deleted": 0}  # fmt: skip
    assert "documents integrity problems" in caplog.text
    assert job.every == dt.timedelta(days=7)


@pytest.mark.django_db(transaction=True)
def test_the_rathaus_command_exits_with_1_when_a_blob_is_missing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # RATHAUS_DATA_DIR/media in the subprocess
    version = VersionFactory()
    env = {**database_env(), "RATHAUS_DATA_DIR": str(tmp_path)}

    intact = rathaus("documents-check", env=env)
    assert intact.returncode == 0, intact.stderr
    assert "All stored blobs intact" in intact.stdout

    files.storage().delete(version.file.key)
    damaged = rathaus("documents-check", env=env)

    assert damaged.returncode == 1
    assert f"missing: {version.file.key}" in damaged.stderr
    assert "1 missing, 0 changed, 0 orphaned" in damaged.stderr

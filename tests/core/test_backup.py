"""`rathaus backup` → `rathaus restore` into a fresh instance: identical row counts and checksums,
an audit log that still verifies, on SQLite and on PostgreSQL (mark ``database``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from rathaus.core import audit
from rathaus.core.files.store import store_bytes
from rathaus.core.models import PostalPlace
from tests.support import fresh_instance, rathaus

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


def manifest(directory: Path) -> dict:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def stored_files(found: dict) -> dict:
    """The checksums of the stored files and of the audit checkpoints in a manifest."""
    return {
        name: entry
        for name, entry in found["files"].items()
        if name.startswith("files/") or name == "audit-checkpoints.jsonl"
    }


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_instance_with_identical_counts_and_checksums(
    barleben, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert audit.write_checkpoint()["entries"] > 0
    original = tmp_path / "backup"
    call_command("backup", str(original))
    made = manifest(original)
    assert made["database"]["vendor"] == connection.vendor
    assert made["tables"]["core_authority"] >= 1
    assert made["tables"]["core_auditevent"] > 0
    assert made["file_store"] == {
        "kind": "filesystem", "blobs": made["file_store"]["blobs"],
        "bytes": made["file_store"]["bytes"], "missing": [],
    }  # fmt: skip
    assert made["file_store"]["blobs"] > 0
    assert any(name.startswith("files/blobs/") for name in made["files"])

    with fresh_instance(tmp_path / "fresh") as env:
        restored = rathaus("restore", str(original), env=env, timeout=300)
        assert restored.returncode == 0, restored.stderr
        assert "row counts of" in restored.stderr
        blobs = list((tmp_path / "fresh" / "media" / "blobs").rglob("*"))
        assert {path.stat().st_mode & 0o777 for path in blobs if path.is_file()} == {0o600}
        verified = rathaus("audit-verify", env=env)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "Audit log intact" in verified.stdout
        again = tmp_path / "backup-of-the-restored"
        second = rathaus("backup", str(again), env=env, timeout=300)
        assert second.returncode == 0, second.stderr
        # The same backup does not go into a second, no longer empty instance.
        refused = rathaus("restore", str(original), env=env, timeout=300)
        assert refused.returncode != 0
        assert "is not empty" in refused.stderr

    copy = manifest(again)
    assert copy["tables"] == made["tables"]
    assert copy["migrations"] == made["migrations"]
    assert stored_files(copy) == stored_files(made)
    assert copy["audit"] == made["audit"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_when_the_audit_key_of_the_backup_is_not_configured(
    settings, tmp_path, django_user_model
):
    user = django_user_model.objects.create_user("prüferin", password="x")
    audit.record("account.login", actor=user)
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    assert manifest(directory)["audit"]["key_ids"] == [audit.current_key()[0]]
    with fresh_instance(tmp_path / "fresh") as env:
        env["RATHAUS_AUDIT_KEY"] = "another-audit-key-of-another-installation-0123456789"
        refused = rathaus("restore", str(directory), env=env, timeout=300)
        assert refused.returncode != 0
        assert f"audit key {audit.current_key()[0]}" in refused.stderr
        assert not (tmp_path / "fresh" / "media").exists()


@pytest.mark.django_db
def test_verify_restores_into_a_scratch_database_and_compares_the_row_counts(tmp_path):
    directory = tmp_path / "backup"
    call_command("backup", str(directory))  # what is committed: the schema and postal codes
    call_command("backup", "--verify", str(directory))

    # A manifest whose counts do not fit the database copy (its checksum still matches).
    changed = manifest(directory)
    changed["tables"][PostalPlace._meta.db_table] += 1
    (directory / "manifest.json").write_text(json.dumps(changed), encoding="utf-8")
    with pytest.raises(CommandError, match=r"core_postalplace: \d+ rows in the manifest, \d+ "):
        call_command("backup", "--verify", str(directory))


@pytest.mark.django_db
def test_restore_refuses_an_instance_whose_database_is_not_empty(tmp_path):
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", str(directory))


@pytest.mark.django_db(transaction=True)
def test_stored_files_in_an_object_store_are_listed_with_size_and_checksum(
    s3_bucket, settings, tmp_path
):
    from rathaus.settings import s3_files_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "files": s3_files_storage(
            bucket=s3_bucket["RATHAUS_S3_BUCKET"],
            endpoint_url=s3_bucket["RATHAUS_S3_ENDPOINT_URL"],
            region=s3_bucket["RATHAUS_S3_REGION"],
            access_key=s3_bucket["RATHAUS_S3_ACCESS_KEY_ID"],
            secret_key=s3_bucket["RATHAUS_S3_SECRET_ACCESS_KEY"],
        ),
    }
    stored = store_bytes(b"%PDF-1.4 Bescheid", name="bescheid.pdf", media_type="application/pdf")
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    objects = json.loads((directory / "objects.json").read_text(encoding="utf-8"))
    assert objects == [{"key": stored.key, "size": 17, "sha256": stored.sha256}]
    assert not (directory / "files").exists()

    with fresh_instance(tmp_path / "on-disk") as on_disk:
        refused = rathaus("restore", str(directory), env=on_disk, timeout=120)
        assert refused.returncode != 0
        assert "set RATHAUS_FILE_STORAGE=s3" in refused.stderr

    with fresh_instance(tmp_path / "in-bucket") as in_bucket:
        in_bucket.update(RATHAUS_FILE_STORAGE="s3", **s3_bucket)
        restored = rathaus("restore", str(directory), env=in_bucket, timeout=120)
        assert restored.returncode == 0, restored.stderr
        assert "the object store holds every object the backup lists" in restored.stderr

    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_bucket["RATHAUS_S3_ENDPOINT_URL"],
        region_name=s3_bucket["RATHAUS_S3_REGION"],
        aws_access_key_id=s3_bucket["RATHAUS_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=s3_bucket["RATHAUS_S3_SECRET_ACCESS_KEY"],
    )
    client.delete_object(Bucket=s3_bucket["RATHAUS_S3_BUCKET"], Key=stored.key)
    with fresh_instance(tmp_path / "bucket-lost-it") as lost_env:
        lost_env.update(RATHAUS_FILE_STORAGE="s3", **s3_bucket)
        lost = rathaus("restore", str(directory), env=lost_env, timeout=120)
        assert lost.returncode != 0
        assert f"the object store does not hold {stored.key}" in lost.stderr
        assert not (tmp_path / "bucket-lost-it" / "rathaus.sqlite3").exists()


@pytest.mark.django_db(transaction=True)
def test_a_stored_file_the_store_lost_is_reported_and_the_rest_is_backed_up(
    settings, tmp_path, capsys
):
    settings.MEDIA_ROOT = tmp_path / "media"
    kept = store_bytes(b"%PDF-1.4 bleibt", name="a.pdf", media_type="application/pdf")
    lost = store_bytes(b"%PDF-1.4 verloren", name="b.pdf", media_type="application/pdf")
    (tmp_path / "media" / lost.key).unlink()
    directory = tmp_path / "backup"
    call_command("backup", str(directory))
    made = manifest(directory)
    assert made["file_store"]["missing"] == [lost.key]
    assert made["file_store"]["blobs"] == 1
    assert made["files"][f"files/{kept.key}"] == {"size": 15, "sha256": kept.sha256}
    assert f"files/{lost.key}" not in made["files"]
    assert lost.key in capsys.readouterr().err

"""Stored files (rathaus.core.files, ADR 0019): the same behaviour on the file system and in an
S3-compatible object store (a real moto server over HTTP), switched by configuration only."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ProtectedError

from rathaus.core import files
from rathaus.core.files import PDF, UploadRules
from rathaus.core.models import StoredFile
from tests.factories import MessageAttachmentFactory, StoredFileFactory
from tests.support import ROOT, pdf

pytestmark = [pytest.mark.django_db, pytest.mark.database]

RULES = UploadRules(accept=(PDF,), max_bytes=1024 * 1024)


def test_a_stored_file_reads_back_the_same_bytes(file_storage):
    backend = {"filesystem": "FileSystemStorage", "s3": "S3Storage"}[file_storage]
    assert type(files.storage()).__name__ == backend
    content = pdf(content=b"BT (Bescheid) Tj ET")
    stored = files.store_bytes(content, name="bescheid.pdf", media_type="application/pdf")

    again = StoredFile.objects.get(pk=stored.pk)
    sha256 = hashlib.sha256(content).hexdigest()
    assert (again.name, again.media_type, again.size, again.sha256) == (
        "bescheid.pdf", "application/pdf", len(content), sha256,
    )  # fmt: skip
    assert again.key == f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"
    assert again.read_bytes() == content
    assert files.blob_exists(again.key)


def test_a_checked_upload_is_stored_in_the_configured_storage(file_storage):
    content = pdf()
    stored = files.check_and_store(
        SimpleUploadedFile("antrag.pdf", content, "application/pdf"), RULES
    )
    assert stored.file.read_bytes() == content
    assert stored.sha512 == hashlib.sha512(content).hexdigest()
    assert files.storage().exists(stored.file.key)


def test_the_same_content_twice_is_one_blob_deleted_with_its_last_file(
    file_storage, django_capture_on_commit_callbacks
):
    first = files.store_bytes(pdf(), name="a.pdf", media_type="application/pdf")
    second = files.store_bytes(pdf(), name="b.pdf", media_type="application/pdf")
    assert first.pk != second.pk
    assert first.key == second.key
    with django_capture_on_commit_callbacks(execute=True):
        files.release([first])
    assert not StoredFile.objects.filter(pk=first.pk).exists()
    assert second.read_bytes() == pdf()
    with django_capture_on_commit_callbacks(execute=True):
        files.release([second.pk])
    assert not files.blob_exists(second.key)


def test_a_file_that_a_row_points_to_is_not_released(
    file_storage, django_capture_on_commit_callbacks
):
    attachment = MessageAttachmentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        files.release([attachment.file])
    assert StoredFile.objects.filter(pk=attachment.file.pk).exists()
    assert attachment.file.read_bytes().startswith(b"%PDF")
    with pytest.raises(ProtectedError):
        attachment.file.delete()


def test_the_download_response_streams_the_file_and_is_never_sniffed(file_storage):
    stored = StoredFileFactory(content=pdf(), name="Bescheid.pdf")
    response = files.response(stored)
    assert b"".join(response.streaming_content) == pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'attachment; filename="Bescheid.pdf"'


def test_forget_removes_the_blob_of_a_file_whose_transaction_failed(file_storage):
    lonely = files.store_bytes(b"%PDF-1.4 lonely", name="a.pdf", media_type="application/pdf")
    files.forget(lonely)
    assert not files.blob_exists(lonely.key)
    shared = files.store_bytes(pdf(), name="a.pdf", media_type="application/pdf")
    other = files.store_bytes(pdf(), name="b.pdf", media_type="application/pdf")
    files.forget(other)
    assert shared.read_bytes() == pdf()


SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from rathaus.core.files import open_blob, put_bytes, storage
key, sha256 = put_bytes(b"%PDF-1.4 im Bucket")
with open_blob(key) as handle:
    content = handle.read().decode()
print(json.dumps({"backend": type(storage()).__name__, "key": key, "content": content}))
"""


def test_s3_is_chosen_by_the_environment_alone(s3_bucket):
    """An operator sets RATHAUS_FILE_STORAGE=s3 and the RATHAUS_S3_* variables; nothing else."""
    import boto3

    env = {"PATH": "/usr/bin:/bin", "RATHAUS_FILE_STORAGE": "s3", **s3_bucket,
           "DJANGO_SETTINGS_MODULE": "rathaus.settings", "PYTHONPATH": str(ROOT / "src"),
           "HOME": str(ROOT)}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    answer = json.loads(run.stdout)
    assert answer["backend"] == "S3Storage"
    assert answer["content"] == "%PDF-1.4 im Bucket"
    client = boto3.client(
        "s3",
        endpoint_url=s3_bucket["RATHAUS_S3_ENDPOINT_URL"],
        region_name=s3_bucket["RATHAUS_S3_REGION"],
        aws_access_key_id=s3_bucket["RATHAUS_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=s3_bucket["RATHAUS_S3_SECRET_ACCESS_KEY"],
    )
    listed = client.list_objects_v2(Bucket=s3_bucket["RATHAUS_S3_BUCKET"])
    assert [item["Key"] for item in listed["Contents"]] == [answer["key"]]


def test_s3_without_a_bucket_stops_the_start():
    env = {"PATH": "/usr/bin:/bin", "RATHAUS_FILE_STORAGE": "s3", "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run(
        [sys.executable, "-c", "import rathaus.settings"], capture_output=True, text=True,
        env=env, cwd=ROOT, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode != 0
    assert "RATHAUS_S3_BUCKET" in run.stderr


def test_purging_drafts_deletes_their_files_but_keeps_those_a_submission_holds(
    file_storage, django_capture_on_commit_callbacks
):
    """Housekeeping (forms.purge-expired-drafts) releases the uploads of expired drafts; a file
    that became an attachment of a submission stays, with its blob."""
    import datetime

    from django.utils import timezone

    from rathaus.forms import services
    from tests.factories import PDF as PDF_BYTES
    from tests.factories import DraftFactory, SubmissionAttachmentFactory, UploadFactory

    old = timezone.now() - datetime.timedelta(days=1)
    forgotten = UploadFactory(
        draft=DraftFactory(expires_at=old), file=StoredFileFactory(content=pdf(b"/Lang (de)"))
    )
    sent = UploadFactory(draft=DraftFactory(expires_at=old))
    SubmissionAttachmentFactory(upload_id=sent.pk, file=sent.file)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.purge_expired() == 2
    assert not StoredFile.objects.filter(pk=forgotten.file.pk).exists()
    assert not files.blob_exists(forgotten.file.key)
    assert sent.file.read_bytes() == PDF_BYTES

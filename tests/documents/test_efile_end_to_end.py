"""From an application to the destruction of its file: the submission becomes a case, the worker
files the application, the evidence sent later and the decision, a clerk adds a version, the
file is closed, its period ends, a second person approves and only the deletion record stays —
on each file storage and (mark ``database``) on PostgreSQL too (issue: the e-file)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.cases import decisions, documents
from rathaus.core import files, roles
from rathaus.core.models import StoredFile
from rathaus.documents import filing, retention, services
from rathaus.documents.models import DeletionRecord, Document, File, Version
from tests.factories import MembershipFactory, UserFactory
from tests.support import pdf, run_queued

pytestmark = [pytest.mark.database, pytest.mark.django_db]

FILE_CASE = filing.file_case.module_path
RECEIPT = "rathaus.cases.tasks.send_receipt"


@pytest.fixture(autouse=True)
def _without_process(db):
    """The clerk decides on the case page directly (no default process that would wait)."""
    from rathaus.processes.models import ProcessModel

    ProcessModel.objects.update(is_default=False)


def test_a_case_is_filed_kept_for_its_period_and_destroyed_with_four_eyes(
    file_storage, meldung, django_capture_on_commit_callbacks
):
    clerk = get_user_model().objects.get(username="buergerbuero")
    head = UserFactory(username="leitung-buergerbuero")
    MembershipFactory(user=head, org_unit=meldung.org_unit, role=roles.role(roles.HEAD))
    request = documents.request_documents(meldung, clerk, "Kopie des Mietvertrags")
    upload = SimpleUploadedFile("Mietvertrag.pdf", pdf(), content_type="application/pdf")
    documents.submit_documents(request, meldung.applicant, [upload], "Anbei")
    decision = decisions.decide(meldung, clerk, "granted", "")

    run_queued(FILE_CASE, RECEIPT)

    file = File.objects.get(case=meldung)
    kinds = dict(Document.objects.filter(file=file).values_list("source", "kind"))
    submission = meldung.submission
    assert kinds[f"submission:{submission.pk}:pdf"] == Document.Kind.APPLICATION
    assert kinds[f"decision:{decision.pk}"] == Document.Kind.DECISION
    assert Document.Kind.ATTACHMENT in kinds.values()  # the rental contract sent later
    note = Document.objects.get(source=f"document-request:{request.pk}")
    second = services.add_version(
        note, services.NewContent(files.store_bytes(
            b"Mietvertrag liegt vor.", name="vermerk.txt", media_type="text/plain")),
        user=clerk, reason="Eingang vermerkt",
    )  # fmt: skip
    assert [v.number for v in note.versions.all()] == [1, 2]
    assert second.file.read_bytes() == b"Mietvertrag liegt vor."

    services.close(file, clerk, now=dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC))
    file.refresh_from_db()
    assert file.retention_ends_on == dt.date(2031, 12, 31)  # 33.10: five years
    versions = Version.objects.filter(document__file=file)
    # The submitted data and the clerk's version exist only in the file (the application's PDF
    # is the same content as the receipt in the citizen's mailbox, which keeps it).
    only_here = [v.file.key for v in versions if v.document.source.endswith(":json")]
    only_here.append(second.file.key)
    held_by_the_case = ("decision:", "case-upload:", "message-attachment:")
    shared = {v.file.key for v in versions if v.document.source.startswith(held_by_the_case)}
    assert len(only_here) == 2
    assert shared
    counts = (Document.objects.filter(file=file).count(), versions.count())

    last_day = dt.datetime(2031, 12, 31, 9, tzinfo=dt.UTC)
    with time_machine.travel(last_day, tick=False):
        retention.mark_due()  # the demo's closed files, whose periods ended long before
        with pytest.raises(services.FileRefused):
            retention.request_deletion(file, clerk, "zu früh")
    with time_machine.travel(dt.datetime(2032, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        assert retention.mark_due() == 1
        wanted = retention.request_deletion(file, clerk, "Aufbewahrungsfrist abgelaufen")
        with pytest.raises(services.FileRefused):
            retention.approve(wanted, clerk)  # never one's own request
        with django_capture_on_commit_callbacks(execute=True):
            record = retention.approve(wanted, head)

    file.refresh_from_db()
    assert file.status == File.Status.DESTROYED
    assert file.title == ""
    assert not Document.objects.filter(file=file).exists()
    assert not Version.objects.filter(document__file=file).exists()
    assert not StoredFile.objects.filter(key__in=only_here).exists()
    assert not any(files.blob_exists(key) for key in only_here)
    # The case's own records (its decision, the upload, the receipt in the mailbox) keep theirs.
    assert all(files.blob_exists(key) for key in shared)
    assert DeletionRecord.objects.get() == record
    assert (record.file_number, record.documents, record.versions) == (meldung.number, *counts)
    assert record.kept_elsewhere == len(shared)  # counted once per content
    assert (record.requested_by_label, record.legal_basis) != ("", "")

    # Filing the case again files nothing into the destroyed file and creates no other.
    assert str(filing.sync_case(meldung)) in {"up to date", "refused: destroyed"}
    assert File.objects.filter(number=meldung.number).count() == 1
    assert not Document.objects.filter(file=file).exists()

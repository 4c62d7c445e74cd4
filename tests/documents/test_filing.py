"""Every case gets its file: the worker files what the case holds, once, also late arrivals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.cases import decisions, documents, services
from rathaus.cases.models import Case, CaseDocument, CaseUpload
from rathaus.core import taskqueue
from rathaus.documents import filing
from rathaus.documents import services as efile
from rathaus.documents.models import Document, File, FileEvent
from tests.factories import SubmissionAttachmentFactory
from tests.support import log_in, pdf, run_queued

pytestmark = [pytest.mark.django_db]

FILE_CASE = filing.file_case.module_path
RECEIPT = "rathaus.cases.tasks.send_receipt"


@pytest.fixture(autouse=True)
def _without_process(db):
    """Clerks decide on the case page directly (no default process that would wait for it)."""
    from rathaus.processes.models import ProcessModel

    ProcessModel.objects.update(is_default=False)


def clerk():
    return get_user_model().objects.get(username="buergerbuero")


def sources(case: Case) -> dict[str, str]:
    """The filed documents of the case's file: source key → kind."""
    return dict(
        Document.objects.filter(file__case=case).values_list("source", "kind").order_by("pk")
    )


def test_a_new_case_gets_its_file_through_the_queued_task(meldung):
    submission = meldung.submission
    # The task was queued in the transaction that opened the case.
    assert DBTaskResult.objects.ready().filter(task_path=FILE_CASE).exists()
    assert not File.objects.filter(case=meldung).exists()

    run_queued(FILE_CASE, RECEIPT)

    file = File.objects.get(case=meldung)
    assert (file.number, file.origin, file.subject.code) == (meldung.number, "case", "33.10")
    filed = sources(meldung)
    assert filed[f"submission:{submission.pk}:pdf"] == "application"
    assert filed[f"submission:{submission.pk}:json"] == "application"
    receipt = [key for key, kind in filed.items() if kind == "receipt"]
    assert len(receipt) == 2  # the receipt message and its PDF
    data = Document.objects.get(source=f"submission:{submission.pk}:json").latest_version()
    assert json.loads(data.file.read_bytes()) == submission.data
    assert data.media_type == "application/json"
    rendition = Document.objects.get(source=f"submission:{submission.pk}:pdf").latest_version()
    assert rendition.file.read_bytes().startswith(b"%PDF")


def test_an_attachment_is_filed_with_its_stored_file(meldung):
    attachment = SubmissionAttachmentFactory(submission=meldung.submission)

    filing.sync_case(meldung)

    version = Document.objects.get(source=f"attachment:{attachment.pk}").latest_version()
    assert version.file_id == attachment.file_id
    assert version.filename == attachment.original_name


def test_filing_twice_files_once(meldung):
    run_queued(FILE_CASE, RECEIPT)
    count = Document.objects.filter(file__case=meldung).count()
    added = FileEvent.objects.filter(file__case=meldung, kind="document_added").count()

    assert str(filing.sync_case(meldung)) == "up to date"
    filing.file_case.enqueue(meldung.pk)
    assert run_queued(FILE_CASE) == ["up to date"]

    assert Document.objects.filter(file__case=meldung).count() == count == added
    assert FileEvent.objects.filter(file__case=meldung, kind="document_added").count() == added


def test_the_request_a_late_upload_messages_and_the_decision_land_in_the_file(meldung):
    run_queued(FILE_CASE, RECEIPT)
    request = documents.request_documents(meldung, clerk(), "Kopie des Mietvertrags")
    upload = SimpleUploadedFile("Mietvertrag.pdf", pdf(), content_type="application/pdf")
    documents.submit_documents(request, meldung.applicant, [upload], "Anbei")
    services.message_applicant(meldung, clerk(), "Rückfrage", "Bitte rufen Sie uns an.")
    decision = decisions.decide(meldung, clerk(), "granted", "")

    run_queued(FILE_CASE)

    filed = sources(meldung)
    late = CaseUpload.objects.get(case=meldung)
    assert filed[f"document-request:{request.pk}"] == "note"
    assert filed[f"case-upload:{late.pk}"] == "attachment"
    assert filed[f"decision:{decision.pk}"] == "decision"
    letter = Document.objects.get(source=f"decision:{decision.pk}")
    assert (letter.direction, letter.latest_version().final) == ("out", True)
    assert letter.latest_version().file_id == decision.file_id
    message_titles = set(
        Document.objects.filter(file__case=meldung, kind="message").values_list("title", flat=True)
    )
    assert "Rückfrage" in message_titles
    assert (
        "Kopie des Mietvertrags"
        in Document.objects.get(source=f"document-request:{request.pk}")
        .latest_version()
        .file.read_bytes()
        .decode()
    )
    assert CaseDocument.objects.filter(case=meldung).count() == 1


def test_a_closed_file_is_left_alone_and_the_task_goes_on(meldung):
    run_queued(FILE_CASE, RECEIPT)
    file = File.objects.get(case=meldung)
    efile.close(file, clerk())
    services.message_applicant(meldung, clerk(), "Nachtrag", "Noch ein Hinweis.")

    assert run_queued(FILE_CASE) == ["refused: closed"]
    filing.file_case.enqueue(meldung.pk)
    assert run_queued(FILE_CASE) == ["refused: closed"]

    refused = FileEvent.objects.filter(file=file, kind="filing_refused")
    assert refused.count() == 1  # noted once for the same pieces
    assert refused.get().detail["sources"][0].startswith("message:")
    assert not Document.objects.filter(file=file, title="Nachtrag").exists()
    assert not DBTaskResult.objects.filter(task_path=FILE_CASE, status="FAILED").exists()


def test_the_reconciliation_queues_cases_whose_task_was_lost(meldung):
    DBTaskResult.objects.filter(task_path=FILE_CASE).delete()  # lost with a crash
    DBTaskResult.objects.filter(task_path=RECEIPT).delete()
    Case.objects.filter(pk=meldung.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))

    counts = taskqueue.reconcile(min_age_seconds=60)

    assert counts["efile"] == 1
    assert taskqueue.reconcile(min_age_seconds=60)["efile"] == 0  # it has its task now
    run_queued(FILE_CASE)
    assert Document.objects.filter(file__case=meldung).exists()
    assert taskqueue.reconcile(min_age_seconds=60)["efile"] == 0  # nothing is missing


def test_the_reconciliation_leaves_closed_files_alone(meldung):
    file = efile.file_for_case(meldung)
    efile.close(file, clerk())
    DBTaskResult.objects.filter(task_path=FILE_CASE).delete()
    Case.objects.filter(pk=meldung.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))

    assert taskqueue.reconcile(min_age_seconds=60)["efile"] == 0


def test_the_task_describes_itself_for_the_set_aside_list(meldung):
    description = filing.describe([meldung.pk], {})
    assert meldung.number in description


def test_a_piece_that_fails_leaves_the_others_filed_and_fails_the_task(meldung, monkeypatch):
    from rathaus.forms import receipts

    def broken(submission):
        raise OSError("the PDF renderer is gone")

    monkeypatch.setattr(receipts, "receipt_pdf", broken)
    with pytest.raises(filing.FilingFailed, match=":pdf"):
        filing.sync_case(meldung)
    filed = sources(meldung)
    assert f"submission:{meldung.submission.pk}:json" in filed
    assert f"submission:{meldung.submission.pk}:pdf" not in filed

    monkeypatch.undo()
    assert str(filing.sync_case(meldung)) == "filed 1"


def test_closing_a_case_file_files_what_the_case_holds_first(meldung):
    decision = decisions.decide(meldung, clerk(), "granted", "")
    file = efile.file_for_case(meldung)  # the filing task has not run yet
    assert not Document.objects.filter(source=f"decision:{decision.pk}").exists()

    staff = log_in(Client(), "buergerbuero")
    response = staff.post(f"/verwaltung/akten/{file.pk}/abschliessen/")

    assert response.status_code == 302
    file.refresh_from_db()
    assert file.status == File.Status.CLOSED
    assert Document.objects.get(source=f"decision:{decision.pk}").file == file

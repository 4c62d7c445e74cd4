"""Council files: the upload checks (a refused file keeps what was typed), the checksums OParl
names, the text read by the worker for the search, and the e-file: one per meeting, one per
legislative term for papers; new content is a new version; a failed filing loses nothing."""

from __future__ import annotations

import hashlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rathaus.core import roles
from rathaus.core.models import AuditEvent
from rathaus.core.scanning import ScanResult
from rathaus.council import files
from rathaus.council.keepers import ROLE
from rathaus.council.models import File, Meeting
from rathaus.documents.models import Document
from rathaus.documents.models import File as EFile
from tests.factories import PASSWORD, AuthorityFactory
from tests.factories.core import OrgUnitFactory
from tests.factories.council import (
    BodyFactory,
    LegislativeTermFactory,
    MeetingFactory,
    PaperFactory,
)
from tests.support import clerk_of, log_in, pdf, run_queued

pytestmark = pytest.mark.django_db
HOME = "/verwaltung/rat/"
TASKS = (files.read_file_text.module_path, files.file_in_efile.module_path)


@pytest.fixture
def town():
    return AuthorityFactory(slug="barleben", name="Gemeinde Barleben")


def keeper(town, username="ratsbuero", role=ROLE) -> Client:
    unit = OrgUnitFactory(authority=town, name="Ratsbüro")
    user = clerk_of(unit, username, is_staff=True)
    user.memberships.update(role=roles.role(role))
    return log_in(Client(), username, PASSWORD)


def text_pdf(text: str) -> bytes:
    return pdf(content=b"BT /F1 12 Tf 72 720 Td (" + text.encode() + b") Tj ET")


def upload(content: bytes, name: str = "einladung.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_invitation_is_checked_read_and_filed_in_the_meetings_efile(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town), name="12. Sitzung")
    content = text_pdf("Haushaltssatzung Ebendorf")
    response = client.post(f"{HOME}sitzungen/{meeting.pk}/dateien/", {
        "file-kind": "invitation", "file-name": "Einladung", "file-file": upload(content),
    })  # fmt: skip
    assert response.status_code == 302
    meeting.refresh_from_db()
    file = meeting.invitation
    assert file.name == "Einladung"
    assert file.mime_type == "application/pdf"
    assert file.size == len(content)
    assert file.sha1_checksum == hashlib.sha1(content, usedforsecurity=False).hexdigest()
    assert file.sha512_checksum == hashlib.sha512(content).hexdigest()
    assert file.text_state == File.TextState.PENDING
    assert AuditEvent.objects.filter(action="council.meeting.file_added").exists()

    run_queued(*TASKS)
    file.refresh_from_db()
    assert file.text_state == File.TextState.DONE
    assert "Haushaltssatzung Ebendorf" in file.text
    document = Document.objects.get(pk=file.efile_document_id)
    assert document.file.origin_detail == f"council:meeting:{meeting.pk}"
    assert document.versions.get().sha256 == hashlib.sha256(content).hexdigest()

    # A corrected invitation: the same council file, a new version of the same document.
    corrected = text_pdf("Haushaltssatzung Ebendorf, berichtigt")
    client.post(f"{HOME}sitzungen/{meeting.pk}/dateien/", {
        "file-kind": "invitation", "file-name": "", "file-file": upload(corrected),
    })  # fmt: skip
    run_queued(*TASKS)
    file.refresh_from_db()
    assert File.objects.filter(body=meeting.body).count() == 1
    assert file.efile_document_id == document.pk
    assert document.versions.count() == 2
    assert "berichtigt" in file.text
    assert Document.objects.filter(file=document.file).count() == 1


def test_papers_are_filed_per_legislative_term(town):
    client = keeper(town)
    body = BodyFactory(authority=town)
    term = LegislativeTermFactory(body=body)
    paper = PaperFactory(body=body, date=term.start_date)
    client.post(f"{HOME}vorlagen/{paper.pk}/dateien/", {
        "file-kind": "main", "file-name": "Vorlage", "file-file": upload(text_pdf("Vorlage")),
    })  # fmt: skip
    other = PaperFactory(body=body, date=term.start_date)
    client.post(f"{HOME}vorlagen/{other.pk}/dateien/", {
        "file-kind": "auxiliary", "file-name": "Anlage", "file-file": upload(text_pdf("Plan")),
    })  # fmt: skip
    run_queued(*TASKS)
    efiles = EFile.objects.filter(origin_detail=f"council:term:{term.pk}")
    assert efiles.count() == 1
    assert Document.objects.filter(file=efiles.get()).count() == 2


def test_a_refused_file_shows_the_reason_and_keeps_what_was_typed(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    url = f"{HOME}sitzungen/{meeting.pk}/dateien/"
    fake = SimpleUploadedFile("niederschrift.pdf", b"GIF89a....", content_type="application/pdf")
    refused = client.post(url, {"file-kind": "results_protocol", "file-name": "Niederschrift",
                                "file-file": fake})  # fmt: skip
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'value="Niederschrift"' in html
    assert 'value="results_protocol" selected' in html
    with mock.patch("rathaus.core.scanning.NoScanner.scan",
                    return_value=ScanResult(clean=False, signature="Eicar")):  # fmt: skip
        infected = client.post(url, {"file-kind": "invitation", "file-name": "Einladung",
                                     "file-file": upload(pdf())})  # fmt: skip
    assert infected.status_code == 422
    assert "Schadsoftware" in infected.content.decode()
    assert not File.objects.exists()
    assert Meeting.objects.get(pk=meeting.pk).invitation_id is None


def test_a_failed_filing_keeps_the_upload_and_is_made_up_for(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    with mock.patch("rathaus.council.files.council_office", return_value=None):
        client.post(f"{HOME}sitzungen/{meeting.pk}/dateien/", {
            "file-kind": "auxiliary", "file-name": "Anlage", "file-file": upload(pdf()),
        })  # fmt: skip
        with pytest.raises(files.NotFiled):
            files.file_in_efile.call(File.objects.get().pk)
    file = File.objects.get()
    assert file.stored_id is not None
    assert file.efile_document_id is None
    assert files.file_now(file) == "filed"
    file.refresh_from_db()
    assert file.efile_document_id is not None
    assert files.file_now(file) == "up to date"


def test_the_reconciler_queues_the_filing_of_a_file_without_document_or_task(town):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from rathaus.core.taskqueue import Window

    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    client.post(f"{HOME}sitzungen/{meeting.pk}/dateien/", {
        "file-kind": "verbatim_protocol", "file-name": "", "file-file": upload(pdf()),
    })  # fmt: skip
    now = timezone.now()
    window = Window(newer_than=now - timedelta(hours=1), older_than=now + timedelta(minutes=1))
    assert files.reconcile(window) == 0  # its task is still waiting
    DBTaskResult.objects.filter(task_path=files.file_in_efile.module_path).delete()
    assert files.reconcile(window) == 1
    run_queued(*TASKS)
    assert File.objects.get().efile_document_id is not None


def test_the_council_office_downloads_its_files_and_others_do_not(town):
    client = keeper(town)
    meeting = MeetingFactory(body=BodyFactory(authority=town))
    client.post(f"{HOME}sitzungen/{meeting.pk}/dateien/", {
        "file-kind": "invitation", "file-name": "Einladung", "file-file": upload(pdf()),
    })  # fmt: skip
    file = File.objects.get()
    address = f"/dateien/{file.stored_id}/{file.file_name}"
    page = client.get(f"{HOME}sitzungen/{meeting.pk}/").content.decode()
    assert f'href="{address}"' in page
    assert client.get(address).status_code == 200
    other = AuthorityFactory(slug="wolmirstedt", name="Stadt Wolmirstedt")
    stranger = keeper(other, "ratsbuero-wolmirstedt")
    assert stranger.get(address).status_code in (403, 404)

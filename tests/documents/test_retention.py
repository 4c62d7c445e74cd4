"""The end of retention: due files, the four-eyes deletion and what destroying leaves."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.core import files, roles
from rathaus.core.models import AuditEvent, OutgoingEmail, StoredFile
from rathaus.documents import retention, services
from rathaus.documents.models import (
    AccessRecord,
    Annotation,
    DeletionRecord,
    DeletionRequest,
    Document,
    File,
    FileEvent,
    Subject,
    Version,
)
from tests.factories import (
    CaseFactory,
    CaseUploadFactory,
    FileFactory,
    MembershipFactory,
    OrgUnitFactory,
    SubjectFactory,
    UserFactory,
)

CLOSED = dt.datetime(2014, 3, 1, 10, tzinfo=dt.UTC)
AFTER = dt.date(2025, 1, 2)  # ten years after the end of 2014


def content(text: str) -> services.NewContent:
    return services.NewContent(
        files.store_bytes(text.encode(), name="a.txt", media_type="text/plain")
    )


def member(unit, role=roles.CLERK, **fields):
    user = UserFactory(**fields)
    MembershipFactory(user=user, org_unit=unit, role=roles.role(role))
    return user


@pytest.fixture
def unit():
    return OrgUnitFactory()


@pytest.fixture
def clerk(unit):
    return member(unit)


@pytest.fixture
def head(unit):
    return member(unit, roles.HEAD)


def closed_file(unit, disposal=Subject.Disposal.DESTROY, text="Antrag", **fields):
    subject = SubjectFactory(authority=unit.authority, retention_years=10, disposal=disposal)
    file = FileFactory(org_unit=unit, subject=subject, **fields)
    services.add_document(
        file, content(text), title="Antrag von Frau Muster", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    return services.close(file, None, now=CLOSED)


@pytest.mark.django_db
def test_the_period_ends_ten_years_after_the_year_of_closing(unit):
    file = closed_file(unit)

    assert file.retention_ends_on == dt.date(2024, 12, 31)
    assert list(retention.ended(dt.date(2024, 12, 31))) == []  # its last day
    assert list(retention.ended(AFTER)) == [file]


@pytest.mark.django_db
def test_the_daily_job_notes_a_due_file_once_and_tells_the_heads(unit, head):
    file = closed_file(unit)
    archive = closed_file(unit, Subject.Disposal.ARCHIVE)
    held = closed_file(unit)
    services.hold(held, head, "Klage vor dem Verwaltungsgericht")

    assert retention.mark_due(AFTER) == 2
    assert retention.mark_due(AFTER) == 0

    noted = FileEvent.objects.filter(kind="retention_ended")
    assert sorted(noted.values_list("file__number", flat=True)) == sorted(
        [file.number, archive.number]
    )
    mail = OutgoingEmail.objects.get()
    assert mail.to == head.email
    assert file.number in mail.text_body
    assert archive.number in mail.text_body
    assert held.number not in mail.text_body
    assert "/verwaltung/akten/aussonderung/" in mail.text_body
    assert AuditEvent.objects.filter(action="documents.retention_ended").count() == 2


@pytest.mark.django_db
def test_approving_ones_own_request_is_refused(unit, head):
    request = retention.request_deletion(closed_file(unit), head, "Frist abgelaufen", today=AFTER)

    with pytest.raises(services.FileRefused, match="selbst"):
        retention.approve(request, head, today=AFTER)

    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING


@pytest.mark.django_db
def test_a_clerk_without_the_right_to_manage_cannot_approve(unit, clerk):
    request = retention.request_deletion(closed_file(unit), clerk, today=AFTER)
    colleague = member(unit)

    with pytest.raises(services.FileRefused, match="Leitung"):
        retention.approve(request, colleague, today=AFTER)
    with pytest.raises(services.FileRefused, match="Leitung"):
        retention.reject(request, colleague)


@pytest.mark.django_db
def test_someone_of_another_unit_cannot_request(unit):
    stranger = member(OrgUnitFactory(authority=unit.authority))

    with pytest.raises(services.FileRefused):
        retention.request_deletion(closed_file(unit), stranger, today=AFTER)


@pytest.mark.django_db
def test_a_legal_hold_stops_requesting_and_approving(unit, clerk, head):
    file = closed_file(unit)
    request = retention.request_deletion(file, clerk, today=AFTER)
    services.hold(file, head, "Klage anhängig")

    request.refresh_from_db()  # the hold withdrew it: after the hold, ask again
    assert request.status == DeletionRequest.Status.WITHDRAWN
    with pytest.raises(services.FileRefused, match="bereits entschieden"):
        retention.approve(request, head, today=AFTER)
    with pytest.raises(services.FileRefused, match="Klage anhängig"):
        retention.request_deletion(file, clerk, today=AFTER)

    services.lift_hold(file, head)
    request = retention.request_deletion(file, clerk, today=AFTER)
    assert retention.approve(request, head, today=AFTER).file_number == file.number


@pytest.mark.django_db
def test_a_file_for_the_archive_is_not_destroyed_here(unit, clerk):
    file = closed_file(unit, Subject.Disposal.ARCHIVE)

    with pytest.raises(services.FileRefused, match="Archiv"):
        retention.request_deletion(file, clerk, today=AFTER)
    assert list(retention.to_archive(retention.ended(AFTER))) == [file]
    assert list(retention.to_destroy(retention.ended(AFTER))) == []


@pytest.mark.django_db
def test_before_the_end_of_the_period_nothing_is_requested(unit, clerk):
    with pytest.raises(services.FileRefused, match="noch nicht"):
        retention.request_deletion(closed_file(unit), clerk, today=dt.date(2024, 6, 1))


@pytest.mark.django_db
def test_one_pending_request_per_file_and_a_rejected_one_leaves_the_file(unit, clerk, head):
    file = closed_file(unit)
    request = retention.request_deletion(file, clerk, today=AFTER)
    with pytest.raises(services.FileRefused, match="bereits"):
        retention.request_deletion(file, member(unit), today=AFTER)

    retention.reject(request, head, "Bitte noch prüfen")

    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_note) == (
        DeletionRequest.Status.REJECTED, head, "Bitte noch prüfen"
    )  # fmt: skip
    assert File.objects.get(pk=file.pk).status == File.Status.CLOSED
    with pytest.raises(services.FileRefused, match="entschieden"):
        retention.approve(request, head, today=AFTER)


@pytest.mark.django_db
def test_destroying_leaves_the_record_and_no_content(
    unit, clerk, head, django_capture_on_commit_callbacks
):
    case = CaseFactory(org_unit=unit)
    file = FileFactory(org_unit=unit, case=case, subject=SubjectFactory(authority=unit.authority))
    document = services.add_document(
        file, content("Antrag"), title="Antrag von Frau Muster", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING, user=clerk,
    )  # fmt: skip
    second = services.add_version(document, content("Antrag, ergänzt"), user=clerk)
    services.annotate(document, clerk, "Geprüft")
    services.record_access(second, clerk, AccessRecord.Action.DOWNLOAD)
    services.close(file, clerk, now=CLOSED)
    keys = [v.file.key for v in Version.objects.filter(document__file=file)]
    request = retention.request_deletion(file, clerk, "Frist abgelaufen", today=AFTER)

    with django_capture_on_commit_callbacks(execute=True):
        record = retention.approve(request, head, "Einverstanden", today=AFTER)

    file.refresh_from_db()
    assert (file.status, file.title, file.number) == (File.Status.DESTROYED, "", file.number)
    assert not Document.objects.filter(file=file).exists()
    assert not Version.objects.filter(document__file=file).exists()
    assert not Annotation.objects.exists()
    assert not StoredFile.objects.filter(key__in=keys).exists()
    assert not any(files.blob_exists(key) for key in keys)
    assert (record.documents, record.versions, record.kept_elsewhere) == (1, 2, 0)
    assert record.legal_basis == file.subject.legal_basis
    assert record.requested_by_label == clerk.get_full_name()
    assert record.approved_by_label == head.get_full_name()
    access = AccessRecord.objects.get(file=file)
    assert (access.document_title, access.user, access.version) == ("", clerk, None)
    assert not any("title" in e.detail for e in FileEvent.objects.filter(file=file))
    assert "Muster" not in str(list(FileEvent.objects.filter(file=file).values("detail")))
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.APPROVED
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"documents.deletion_requested", "documents.deletion_approved",
            "documents.file_destroyed"} <= actions  # fmt: skip
    with pytest.raises(services.FileRefused):
        retention.request_deletion(file, clerk, today=AFTER)


@pytest.mark.django_db
def test_content_the_case_still_holds_is_kept_and_counted(
    unit, clerk, head, django_capture_on_commit_callbacks
):
    upload = CaseUploadFactory(request__case__org_unit=unit)
    file = FileFactory(org_unit=unit, subject=SubjectFactory(authority=unit.authority))
    services.add_document(
        file, services.NewContent(upload.file), title="Ausweis", kind=Document.Kind.ATTACHMENT,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    services.close(file, clerk, now=CLOSED)

    request = retention.request_deletion(file, clerk, today=AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        record = retention.approve(request, head, today=AFTER)

    assert record.kept_elsewhere == 1
    assert StoredFile.objects.filter(pk=upload.file.pk).exists()
    assert files.blob_exists(upload.file.key)
    assert DeletionRecord.objects.get().versions == 1

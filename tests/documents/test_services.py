"""The e-file's domain functions: files for cases, documents, versions, closing, holds."""

from __future__ import annotations

import datetime as dt

import pytest

from rathaus.core import files
from rathaus.documents import services
from rathaus.documents.models import Document, File, FileEvent, Subject, Version
from tests.factories import (
    CaseFactory,
    FileFactory,
    OrgUnitFactory,
    SubjectFactory,
    UserFactory,
)


def content(text: str, name: str = "brief.txt") -> services.NewContent:
    return services.NewContent(files.store_bytes(text.encode(), name=name, media_type="text/plain"))


@pytest.mark.django_db
def test_a_case_gets_one_file_numbered_like_the_case_under_its_units_subject():
    unit = OrgUnitFactory(file_plan_code="32.10")
    subject = SubjectFactory(authority=unit.authority, code="32.10", retention_years=5)
    case = CaseFactory(org_unit=unit)

    file = services.file_for_case(case)

    assert (file.number, file.subject, file.case, file.origin) == (
        case.number,
        subject,
        case,
        File.Origin.CASE,
    )
    assert services.file_for_case(case) == file
    assert File.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_a_unit_without_a_subject_files_under_the_catch_all_subject():
    case = CaseFactory(org_unit=OrgUnitFactory(file_plan_code="99.99"))

    file = services.file_for_case(case)

    assert file.subject.code == services.UNASSIGNED_CODE
    assert file.subject.retention_years == services.UNASSIGNED_RETENTION_YEARS


@pytest.mark.django_db
def test_a_new_version_keeps_the_old_one_and_numbers_on():
    clerk = UserFactory()
    file = FileFactory()
    document = services.add_document(
        file, content("Entwurf"), title="Schreiben", kind=Document.Kind.LETTER,
        direction=Document.Direction.OUTGOING, user=clerk,
    )  # fmt: skip

    second = services.add_version(document, content("Endfassung"), user=clerk, reason="Tippfehler")

    versions = list(document.versions.order_by("number"))
    assert [(v.number, v.file.read_bytes()) for v in versions] == [
        (1, b"Entwurf"), (2, b"Endfassung")
    ]  # fmt: skip
    assert second.reason == "Tippfehler"
    assert (
        second.sha256 == files.store_bytes(b"Endfassung", name="x", media_type="text/plain").sha256
    )
    assert list(FileEvent.objects.filter(file=file).values_list("kind", flat=True)) == [
        "document_added", "version_added"
    ]  # fmt: skip


@pytest.mark.django_db
def test_filing_from_the_same_source_twice_files_once():
    file = FileFactory()
    first = services.add_document(
        file, content("Antrag"), title="Antrag", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING, source="submission:1:pdf",
    )  # fmt: skip
    again = services.add_document(
        file, content("Antrag"), title="Antrag", kind=Document.Kind.APPLICATION,
        direction=Document.Direction.INCOMING, source="submission:1:pdf",
    )  # fmt: skip

    assert again == first
    assert Version.objects.filter(document__file=file).count() == 1


@pytest.mark.django_db
def test_closing_starts_the_retention_at_the_end_of_the_year_and_stops_changes():
    clerk = UserFactory()
    subject = SubjectFactory(retention_years=6)
    file = FileFactory(subject=subject, authority=subject.authority,
                       org_unit=OrgUnitFactory(authority=subject.authority))  # fmt: skip
    document = services.add_document(
        file, content("Brief"), title="Brief", kind=Document.Kind.LETTER,
        direction=Document.Direction.INCOMING, user=clerk,
    )  # fmt: skip
    closed = dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)

    file = services.close(file, clerk, now=closed)

    assert file.retention_ends_on == dt.date(2032, 12, 31)
    with pytest.raises(services.FileRefused, match="geschlossen"):
        services.add_version(document, content("Neu"), user=clerk)
    with pytest.raises(services.FileRefused):
        services.add_document(
            file, content("Neu"), title="Neu", kind=Document.Kind.LETTER,
            direction=Document.Direction.INCOMING,
        )  # fmt: skip
    note = services.annotate(document, clerk, "Akte geprüft")
    assert note.document == document
    assert document.versions.count() == 1


@pytest.mark.django_db
def test_a_document_moves_only_into_an_open_file_of_the_same_authority():
    clerk = UserFactory()
    file = FileFactory()
    document = services.add_document(
        file, content("Brief"), title="Brief", kind=Document.Kind.LETTER,
        direction=Document.Direction.INCOMING,
    )  # fmt: skip
    elsewhere = FileFactory()
    with pytest.raises(services.FileRefused, match="derselben Behörde"):
        services.move(document, elsewhere, clerk)

    target = FileFactory(org_unit=file.org_unit, authority=file.authority,
                         subject=file.subject)  # fmt: skip
    services.move(document, target, clerk)

    document.refresh_from_db()
    assert document.file == target
    assert FileEvent.objects.filter(file=target, kind="document_moved_in").exists()


@pytest.mark.django_db
def test_a_hold_needs_a_reason():
    file = FileFactory()
    with pytest.raises(services.FileRefused, match="Grund"):
        services.hold(file, UserFactory(), "  ")
    held = services.hold(file, UserFactory(), "Klageverfahren 3 A 12/26")
    assert held.is_held
    assert held.state_label == "Löschsperre"
    assert not services.lift_hold(held, UserFactory()).is_held


@pytest.mark.django_db
def test_a_grouping_subject_holds_no_files():
    unit = OrgUnitFactory()
    group = SubjectFactory(authority=unit.authority, retention_years=None)
    with pytest.raises(services.FileRefused, match="gliedert nur"):
        services.create_file(unit=unit, title="Akte", subject=group)
    assert not Subject.objects.get(pk=group.pk).holds_files


@pytest.mark.django_db
def test_a_staff_file_number_skips_one_a_case_file_already_has():
    unit = OrgUnitFactory(file_plan_code="32.10")
    subject = SubjectFactory(authority=unit.authority, code="32.10")
    year = services.timezone.localdate().year
    FileFactory(org_unit=unit, subject=subject, number=f"32.10/{year}/0001")

    file = services.create_file(unit=unit, title="Akte", subject=subject)

    assert file.number == f"32.10/{year}/0002"


@pytest.mark.django_db
def test_the_audit_log_gets_no_titles_or_reasons_only_the_file_history():
    from rathaus.core.models import AuditEvent

    file = FileFactory()
    services.add_document(
        file, content("Attest"), title="Ärztliches Attest Max Muster",
        kind=Document.Kind.ATTACHMENT, direction=Document.Direction.INCOMING,
    )  # fmt: skip
    services.hold(file, UserFactory(), "Klage Max Muster")

    audited = AuditEvent.objects.filter(action__startswith="documents.")
    assert audited.count() == 2
    assert "Max Muster" not in str(list(audited.values_list("details", flat=True)))
    history = FileEvent.objects.filter(file=file).values_list("detail", flat=True)
    assert "Ärztliches Attest Max Muster" in str(list(history))


@pytest.mark.django_db
def test_a_case_handed_to_another_authority_gets_a_file_there_and_the_old_one_closes():
    from rathaus.cases.services import forward

    case = CaseFactory()
    old = services.file_for_case(case)
    target = OrgUnitFactory().authority

    forward(case, target)
    case.refresh_from_db()
    new = services.file_for_case(case)

    old.refresh_from_db()
    assert new.authority == target
    assert new.case == case
    assert new.number == case.number
    assert (old.case, old.status) == (None, File.Status.CLOSED)
    assert FileEvent.objects.filter(file=old, kind="case_forwarded").exists()

"""A case's file from filing to its destruction after ten years, on each file storage and (with
the mark ``database``) on PostgreSQL too (ADR 0036, ADR 0044)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from rathaus.core import files, roles
from rathaus.core.models import StoredFile
from rathaus.documents import retention, services
from rathaus.documents.models import (
    DeletionRecord,
    Document,
    File,
    FileEvent,
    Version,
)
from tests.factories import (
    CaseFactory,
    MembershipFactory,
    OrgUnitFactory,
    SubjectFactory,
    UserFactory,
)

pytestmark = pytest.mark.database


def stored(text: str, name: str) -> services.NewContent:
    return services.NewContent(files.store_bytes(text.encode(), name=name, media_type="text/plain"))


@pytest.mark.django_db
def test_a_closed_file_is_destroyed_after_its_period_with_four_eyes(
    file_storage, django_capture_on_commit_callbacks
):
    unit = OrgUnitFactory(file_plan_code="32.10")
    SubjectFactory(authority=unit.authority, code="32.10", retention_years=10,
                   legal_basis="Nr. 32.10 der Aufbewahrungsbestimmungen")  # fmt: skip
    clerk, head = UserFactory(), UserFactory()
    MembershipFactory(user=clerk, org_unit=unit)
    MembershipFactory(user=head, org_unit=unit, role=roles.role(roles.HEAD))

    with time_machine.travel(dt.datetime(2015, 6, 1, 9, tzinfo=dt.UTC), tick=False):
        file = services.file_for_case(CaseFactory(org_unit=unit, title="Ummeldung"))
        application = services.add_document(
            file, stored("Antrag auf Ummeldung", "antrag.txt"), title="Antrag",
            kind=Document.Kind.APPLICATION, direction=Document.Direction.INCOMING, user=clerk,
        )  # fmt: skip
        services.add_version(application, stored("Antrag, ergänzt", "antrag.txt"), user=clerk)
        services.add_document(
            file, stored("Meldebestätigung", "bestaetigung.txt"), title="Bestätigung",
            kind=Document.Kind.DECISION, direction=Document.Direction.OUTGOING, user=clerk,
        )  # fmt: skip
        services.close(file, clerk)
    keys = list(Version.objects.filter(document__file=file).values_list("file__key", flat=True))
    assert all(files.blob_exists(key) for key in keys)

    with time_machine.travel(dt.datetime(2025, 12, 31, 9, tzinfo=dt.UTC), tick=False):
        assert retention.mark_due() == 0  # the period runs to the end of 2025
    with time_machine.travel(dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC), tick=False):
        assert retention.mark_due() == 1
        request = retention.request_deletion(file, clerk, "Aufbewahrungsfrist abgelaufen")
        with pytest.raises(services.FileRefused):
            retention.approve(request, clerk)
        with django_capture_on_commit_callbacks(execute=True):
            record = retention.approve(request, head)

    file = File.objects.get(pk=file.pk)
    assert (file.status, file.title) == (File.Status.DESTROYED, "")
    assert not Document.objects.filter(file=file).exists()
    assert not Version.objects.exists()
    assert not StoredFile.objects.filter(key__in=keys).exists()
    assert not any(files.blob_exists(key) for key in keys)
    kept = DeletionRecord.objects.get()
    assert kept == record
    assert (kept.file_number, kept.documents, kept.versions, kept.kept_elsewhere) == (
        file.number, 2, 3, 0
    )  # fmt: skip
    assert kept.legal_basis == "Nr. 32.10 der Aufbewahrungsbestimmungen"
    assert kept.retention_ends_on == dt.date(2025, 12, 31)
    assert list(FileEvent.objects.filter(file=file).values_list("kind", flat=True))[-4:] == [
        "retention_ended", "deletion_requested", "deletion_approved", "file_destroyed"
    ]  # fmt: skip

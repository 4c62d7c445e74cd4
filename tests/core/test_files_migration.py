"""Every file of an existing installation moves onto stored files (ADR 0019) and stays readable.

The database is put back on the migration state before stored files, rows are written through
the models of that state with their files where the old version kept them (paths below
MEDIA_ROOT, FileFields, bytes in the database), and the database is migrated forward. Every row
must then point to a stored file with the same bytes and SHA-256, the same content once as a
blob, and the old columns must be gone.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rathaus.core.files import blob_key, open_blob
from tests.factories import AuthorityFactory, OrgUnitFactory, UserFactory
from tests.support import image, pdf

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

BEFORE = [
    ("core", "0012_audit_keyed_hashes"),
    ("forms", "0002_submissions_from_cases"),
    ("cases", "0008_submissions_move_to_forms"),
    ("accounts", "0006_message_replies"),
]
WHEN = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)


def _migrate(targets: list[tuple[str, str]] | None = None):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _write(name: str, content: bytes) -> str:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return name


def _read(key: str) -> bytes:
    with open_blob(key) as handle:
        return handle.read()


@pytest.mark.django_db(transaction=True)
def test_every_old_file_is_readable_through_stored_files_after_the_migration():
    authority = AuthorityFactory()
    unit = OrgUnitFactory(authority=authority)
    user = UserFactory()
    photo, decision, letter, later = image("PNG"), pdf(b"/Lang (de)"), pdf(), pdf(b"/Lang (en)")
    invitation = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    old = _migrate(BEFORE)
    try:
        _a_missing_file_stops_the_migration_and_names_the_row(old, authority)
        email = old.get_model("core", "OutgoingEmail").objects.create(
            to="anna@example.org", subject="Termin", text_body="Ihr Termin", created_at=WHEN
        )
        old.get_model("core", "OutgoingAttachment").objects.create(
            email=email, filename="termin.ics", content_type="text/calendar", content=invitation
        )
        definition = old.get_model("forms", "FormDefinition").objects.create(
            authority_id=authority.pk, slug="anliegen", title="Anliegen"
        )
        version = old.get_model("forms", "FormVersion").objects.create(
            definition=definition, number=1, status="published", title="Anliegen",
            schema={"type": "object"}, layout={"steps": []},
        )  # fmt: skip
        upload_name = _write(f"uploads/2026/11/{uuid.uuid4().hex}", photo)
        upload = old.get_model("forms", "Upload").objects.create(
            definition=definition, field="foto", storage_name=upload_name,
            original_name="lampe.png", content_type="image/png", size=len(photo),
            sha512=hashlib.sha512(photo).hexdigest(),
        )  # fmt: skip
        submission = old.get_model("forms", "Submission").objects.create(
            reference="BAR-2026-000001", authority_id=authority.pk, form_version=version,
            data={"foto": [upload.pk.hex]}, trust_level="none", channel="api", submitted_at=WHEN,
        )  # fmt: skip
        old.get_model("forms", "SubmissionAttachment").objects.create(
            submission=submission, upload_id=upload.pk, field="foto", storage_name=upload_name,
            original_name="lampe.png", content_type="image/png", size=len(photo),
            sha512=hashlib.sha512(photo).hexdigest(),
        )  # fmt: skip
        case = old.get_model("cases", "Case").objects.create(
            number="33.10-2026-00001", authority_id=authority.pk, org_unit_id=unit.pk,
            submission=submission, title="Anliegen", created_at=WHEN, updated_at=WHEN,
        )  # fmt: skip
        document = old.get_model("cases", "CaseDocument").objects.create(
            case=case, kind="decision", title="Bescheid", filename="Bescheid.pdf",
            file=_write(f"cases/{case.pk}/{uuid.uuid4().hex}.pdf", decision),
            size=len(decision), sha512=hashlib.sha512(decision).hexdigest(), created_at=WHEN,
        )  # fmt: skip
        request = old.get_model("cases", "DocumentRequest").objects.create(
            case=case, documents="Personalausweis", requested_at=WHEN
        )
        case_upload = old.get_model("cases", "CaseUpload").objects.create(
            case=case, request=request, storage_name=_write(f"uploads/2026/11/{uuid.uuid4().hex}", later),
            original_name="ausweis.pdf", content_type="application/pdf", size=len(later),
            sha512=hashlib.sha512(later).hexdigest(), uploaded_at=WHEN,
        )  # fmt: skip
        account = old.get_model("accounts", "Account").objects.create(
            user_id=user.pk, kind="person"
        )
        message = old.get_model("accounts", "Message").objects.create(
            account=account, authority_id=authority.pk, subject="Bescheid", body="Anbei",
            sent_at=WHEN,
        )  # fmt: skip
        attachment = old.get_model("accounts", "MessageAttachment").objects.create(
            message=message, filename="Bescheid.pdf", size=len(letter),
            file=_write(f"mailbox/{account.pk}/{uuid.uuid4().hex}.pdf", letter),
        )  # fmt: skip
    finally:
        new = _migrate()

    def stored(model: str, pk, content: bytes, name: str, media_type: str):
        row = new.get_model(*model.split(".")).objects.select_related("file").get(pk=pk)
        sha256 = hashlib.sha256(content).hexdigest()
        assert (row.file.name, row.file.media_type, row.file.size) == (
            name,
            media_type,
            len(content),
        )
        assert row.file.sha256 == sha256
        assert row.file.key == blob_key(sha256)
        assert _read(row.file.key) == content
        return row

    mail = new.get_model("core", "OutgoingAttachment").objects.get()
    stored("core.OutgoingAttachment", mail.pk, invitation, "termin.ics", "text/calendar")
    first = stored("forms.Upload", upload.pk, photo, "lampe.png", "image/png")
    attached = new.get_model("forms", "SubmissionAttachment").objects.get()
    second = stored("forms.SubmissionAttachment", attached.pk, photo, "lampe.png", "image/png")
    assert first.file.key == second.file.key  # the same content: one blob
    stored("cases.CaseDocument", document.pk, decision, "Bescheid.pdf", "application/pdf")
    stored("cases.CaseUpload", case_upload.pk, later, "ausweis.pdf", "application/pdf")
    stored("accounts.MessageAttachment", attachment.pk, letter, "Bescheid.pdf", "application/pdf")
    assert new.get_model("core", "StoredFile").objects.count() == 6
    blobs = [path for path in (Path(settings.MEDIA_ROOT) / "blobs").rglob("*") if path.is_file()]
    assert len(blobs) == 5

    columns = {
        table: {column.name for column in connection.introspection.get_table_description(
            connection.cursor(), table)}
        for table in ("core_outgoingattachment", "forms_upload", "cases_submissionattachment",
                      "cases_casedocument", "cases_caseupload", "accounts_messageattachment")
    }  # fmt: skip
    assert all("file_id" in names for names in columns.values())
    assert not any({"content", "storage_name", "file"} & names for names in columns.values())


def _a_missing_file_stops_the_migration_and_names_the_row(old, authority) -> None:
    """Part of the test above, which shares its trip back to the old state (each trip migrates
    most apps): the forward migration stops at an upload whose file is gone and names it, and
    runs through once the row is dealt with."""
    definition = old.get_model("forms", "FormDefinition").objects.create(
        authority_id=authority.pk, slug="verloren", title="Verloren"
    )
    upload = old.get_model("forms", "Upload").objects.create(
        definition=definition, field="foto", storage_name="uploads/2026/11/" + "0" * 32,
        original_name="weg.png", content_type="image/png", size=1, sha512="0" * 128,
    )  # fmt: skip
    with pytest.raises(RuntimeError, match=f"forms.Upload {upload.pk}: cannot read its file"):
        _migrate()
    old = _migrate(BEFORE)  # the failed run may have left later apps migrated
    old.get_model("forms", "Upload").objects.filter(pk=upload.pk).delete()
    old.get_model("forms", "FormDefinition").objects.filter(pk=definition.pk).delete()

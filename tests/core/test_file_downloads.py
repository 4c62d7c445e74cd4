"""The one download view for stored files, /dateien/<id>/<name> (ADR 0019): the apps that own
files decide who may read them; everyone else gets 404, as for a file that does not exist."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from rathaus.core.files.views import url
from tests.factories import (
    PASSWORD,
    AccountFactory,
    CaseDocumentFactory,
    CaseUploadFactory,
    DraftFactory,
    MessageAttachmentFactory,
    OrgUnitFactory,
    StoredFileFactory,
    UploadFactory,
)
from tests.support import clerk_of, log_in, pdf

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_mailbox_holder_downloads_an_attachment_and_nobody_else(client, file_storage):
    attachment = MessageAttachmentFactory(
        file=StoredFileFactory(content=pdf(), name="Bescheid.pdf")
    )
    address = url(attachment.file)
    assert address == f"/dateien/{attachment.file.pk}/Bescheid.pdf"
    assert client.get(address)["Location"].startswith("/konto/anmelden/?next=")  # logged out
    client.force_login(AccountFactory().user)
    assert client.get(address).status_code == 404  # another citizen
    client.force_login(attachment.message.account.user)
    response = client.get(address)
    assert response.status_code == 200
    assert body(response) == pdf()
    assert response["Content-Disposition"] == 'attachment; filename="Bescheid.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_staff_of_the_case_download_its_files_and_staff_of_other_units_do_not(file_storage):
    unit, other = OrgUnitFactory(), OrgUnitFactory()
    document = CaseDocumentFactory(case__org_unit=unit)
    later = CaseUploadFactory(request__case=document.case)
    clerk_of(unit, "sachbearbeitung")
    clerk_of(other, "nachbaramt")
    mine = log_in(Client(), "sachbearbeitung", PASSWORD)
    theirs = log_in(Client(), "nachbaramt", PASSWORD)
    for stored in (document.file, later.file):
        assert body(mine.get(url(stored))) == stored.read_bytes()
        assert theirs.get(url(stored)).status_code == 404
    citizen = Client()
    citizen.force_login(AccountFactory().user)
    assert citizen.get(url(document.file)).status_code == 404


def test_the_owner_of_a_draft_downloads_its_upload(client):
    account = AccountFactory()
    upload = UploadFactory(draft=DraftFactory(account=account))
    assert client.get(url(upload.file)).status_code == 302  # to the login and back
    client.force_login(account.user)
    assert body(client.get(url(upload.file))) == upload.file.read_bytes()


def test_a_file_without_an_owner_or_an_unknown_id_is_not_found(client):
    orphan = StoredFileFactory()
    client.force_login(AccountFactory().user)
    assert client.get(url(orphan)).status_code == 404
    assert client.get(f"/dateien/{uuid.uuid4()}/x.pdf").status_code == 404
    assert client.get("/dateien/nicht-eine-id/x.pdf").status_code == 404

"""GDPR self-service: a complete copy of one's data, and deleting the account."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model

from rathaus.accounts import gdpr, mailbox
from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account, Message, MessageAttachment
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import AuditEvent, Authority

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)


@pytest.fixture
def citizen(client, barleben, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The demo letter was stored before MEDIA_ROOT changed; send a fresh one into tmp_path.
    Message.objects.all().delete()
    client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    account = Account.objects.get(user__username=CITIZEN_EMAIL)
    mailbox.send_message(
        authority=Authority.objects.get(slug="barleben"), account=account, subject="Bescheid",
        body="Text", attachments=[mailbox.Attachment("Bescheid.pdf", b"%PDF-1.4 test")],
    )  # fmt: skip
    return account


def test_export_contains_everything_about_the_account(client, citizen):
    response = client.post("/konto/daten/herunterladen/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("daten.json"))
    assert data["account"]["email"] == CITIZEN_EMAIL
    assert data["account"]["street"] == "Breiteweg 12"
    assert data["mailbox"][0]["subject"] == "Bescheid"
    attachment_name = data["mailbox"][0]["attachments"][0]
    assert archive.read(attachment_name) == b"%PDF-1.4 test"
    assert "account.login" in {entry["action"] for entry in data["activity"]}
    assert AuditEvent.objects.filter(action="account.exported").exists()


def test_export_needs_a_post_and_a_login(client, barleben):
    assert client.get("/konto/daten/herunterladen/").status_code in {302, 405}
    assert client.post("/konto/daten/herunterladen/").status_code == 302


def test_delete_requires_the_address_and_removes_everything(
    client, citizen, tmp_path, django_capture_on_commit_callbacks
):
    attachments = MessageAttachment.objects.filter(message__account=citizen)
    files = [tmp_path / attachment.file.key for attachment in attachments]
    assert files
    assert all(path.exists() for path in files)
    wrong = client.post("/konto/daten/", {"confirm_email": "someone@example.org"})
    assert wrong.status_code == 200
    assert "nicht die E-Mail-Adresse Ihres Kontos" in wrong.content.decode()
    assert Account.objects.filter(pk=citizen.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/konto/daten/", {"confirm_email": CITIZEN_EMAIL.upper()})
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(username=CITIZEN_EMAIL).exists()
    assert not Message.objects.exists()
    assert not any(path.exists() for path in files)
    assert AuditEvent.objects.filter(action="account.deleted").exists()
    assert client.get("/konto/")["Location"].startswith("/konto/anmelden/")


def test_retention_holds_prevent_deletion_and_say_why(client, citizen):
    def open_case(account):
        return ["Antrag auf Hundesteuerbefreiung (in Bearbeitung)"]

    gdpr.register_retention_hold(open_case)
    try:
        page = client.get("/konto/daten/").content.decode()
        assert "Antrag auf Hundesteuerbefreiung" in page
        client.post("/konto/daten/", {"confirm_email": CITIZEN_EMAIL})
        assert Account.objects.filter(pk=citizen.pk).exists()
    finally:
        gdpr._holds.remove(open_case)

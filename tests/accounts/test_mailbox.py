"""The mailbox: messages with PDF attachments, read status, a content-free notification."""

from __future__ import annotations

import pytest

from rathaus.accounts import mailbox
from rathaus.accounts.demo import CITIZEN_EMAIL
from rathaus.accounts.models import Account, Message
from rathaus.core.demo import DEMO_PASSWORD
from rathaus.core.models import AuditEvent, Authority, OutgoingEmail

pytestmark = pytest.mark.database  # runs on PostgreSQL too (ADR 0036)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def citizen(client, barleben, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client.post("/konto/anmelden/", {"email": CITIZEN_EMAIL, "password": DEMO_PASSWORD})
    assert response["Location"] == "/konto/"
    return Account.objects.get(user__username=CITIZEN_EMAIL)


def send(account, **changes):
    values = {
        "authority": Authority.objects.get(slug="barleben"),
        "account": account,
        "subject": "Ihr Bescheid",
        "body": "Guten Tag,\nanbei Ihr Bescheid.",
        "attachments": [mailbox.Attachment("Bescheid.pdf", PDF)],
        "reference": "OA-1",
    }
    return mailbox.send_message(**{**values, **changes})


def test_message_arrives_with_a_notification_without_content(client, citizen):
    OutgoingEmail.objects.all().delete()
    message = send(citizen, body="Geheimer Inhalt 4711")
    notice = OutgoingEmail.objects.get()
    assert notice.to == CITIZEN_EMAIL
    assert "Geheimer Inhalt" not in notice.text_body
    assert "Ihr Bescheid" not in notice.text_body
    assert "/konto/postfach/" in notice.text_body
    assert AuditEvent.objects.filter(action="mailbox.sent", object_id=str(message.pk)).exists()


def test_inbox_detail_read_status_and_attachment(client, citizen, django_assert_max_num_queries):
    message = send(citizen)
    unread = Message.objects.filter(account=citizen, read_at__isnull=True).count()
    assert unread == 2  # the demo letter and this one
    assert "2 ungelesene Nachrichten" in client.get("/konto/").content.decode()
    with django_assert_max_num_queries(8):
        inbox = client.get("/konto/postfach/")
    assert "Ihr Bescheid" in inbox.content.decode()
    detail = client.get(f"/konto/postfach/{message.pk}/")
    assert detail.status_code == 200
    assert "anbei Ihr Bescheid" in detail.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None
    attachment = message.attachments.get()
    download = client.get(f"/konto/postfach/{message.pk}/anhang/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF
    assert 'attachment; filename="Bescheid.pdf"' in download["Content-Disposition"]


def test_other_peoples_messages_are_not_found(client, citizen, barleben):
    other = Account.objects.create(
        user=type(citizen.user).objects.create_user("other@example.org", "other@example.org"),
        kind=Account.Kind.PERSON,
    )
    foreign = send(other)
    attachment = foreign.attachments.get()
    assert client.get(f"/konto/postfach/{foreign.pk}/").status_code == 404
    assert client.get(f"/konto/postfach/{foreign.pk}/anhang/{attachment.pk}/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_mailbox_needs_login(client, barleben):
    assert (
        client.get("/konto/postfach/")["Location"] == "/konto/anmelden/?next=%2Fkonto%2Fpostfach%2F"
    )


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (mailbox.Attachment("x.pdf", b"<html>not a pdf</html>"), "not a PDF"),
        (mailbox.Attachment("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024)), "larger than 20 MB"),
    ],
)
def test_only_pdf_attachments_are_accepted(citizen, attachment, message):
    with pytest.raises(mailbox.InvalidAttachment, match=message):
        send(citizen, attachments=[attachment])
    assert not Message.objects.filter(subject="Ihr Bescheid").exists()


def test_demo_citizen_has_a_letter(client, citizen):
    inbox = client.get("/konto/postfach/").content.decode()
    assert "Bestätigung der Anmeldung Ihres Hundes" in inbox

"""The mailbox (Postfach): authorities send messages with PDF attachments to an account.

``send_message`` is the one way in; the case handling will call it from the case view. The
account holder gets an e-mail that says only that a message is waiting — no content and no
personal data in the e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Account, Message, MessageAttachment
from rathaus.core import audit
from rathaus.core.mail import send_mail
from rathaus.core.models import Authority, OrgUnit

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class InvalidAttachment(ValueError):
    pass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


def _check_pdf(attachment: Attachment) -> None:
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(f"{attachment.filename}: larger than 20 MB")
    if not attachment.content.startswith(b"%PDF-"):
        raise InvalidAttachment(f"{attachment.filename}: not a PDF document")


def send_message(
    *,
    authority: Authority,
    account: Account,
    subject: str,
    body: str,
    attachments: list[Attachment] | None = None,
    sender_unit: OrgUnit | None = None,
    reference: str = "",
    actor: User | None = None,
    portal_url: str = "",
) -> Message:
    """Put a message into the account's mailbox and notify the holder by e-mail."""
    files = attachments or []
    for attachment in files:
        _check_pdf(attachment)
    with transaction.atomic():
        message = Message.objects.create(
            account=account, authority=authority, sender_unit=sender_unit, subject=subject[:200],
            body=body, reference=reference[:60], sent_at=timezone.now(),
        )  # fmt: skip
        for attachment in files:
            stored = MessageAttachment(
                message=message, filename=attachment.filename[:200], size=len(attachment.content)
            )
            stored.file.save("attachment.pdf", ContentFile(attachment.content), save=False)
            stored.save()
        send_mail(
            to=account.user.email,
            subject=_("A new message in your mailbox"),
            template="accounts/email/new_message",
            context={"mailbox_url": portal_url + reverse("accounts:mailbox")},
            authority=authority,
        )
        audit.record(
            "mailbox.sent", actor=actor, actor_name=None if actor else "system",
            authority=authority, obj=message, details={"attachments": len(files)},
        )  # fmt: skip
    return message


def mark_read(message: Message) -> None:
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
        message.refresh_from_db(fields=["read_at"])

"""The mailbox (Postfach): authorities send messages with PDF attachments to an account.

``send_message`` is the one way in; the case handling calls it from the case view. The
account holder gets an e-mail that says only that a message is waiting — no content and no
personal data in the e-mail.

The holder can answer a message when an app that owns its reference accepts replies (the
cases app does for open cases): apps register a :class:`ReplyHandler`, ``send_reply`` stores the
answer in the mailbox and hands it to the handler in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.models import Account, Message, MessageAttachment
from rathaus.core import audit, tenancy
from rathaus.core.files import store_bytes
from rathaus.core.mail import send_mail
from rathaus.core.models import Authority, OrgUnit, StoredFile

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


class InvalidAttachment(ValueError):
    pass


class ReplyRefused(ValueError):
    """The message cannot be answered (no open matter behind it) or the text is empty."""


@dataclass(frozen=True)
class ReplyHandler:
    """An app that takes replies: ``accepts(message)`` and ``receive(original, reply)``."""

    accepts: Callable[[Message], bool]
    receive: Callable[[Message, Message], None]


_reply_handlers: list[ReplyHandler] = []
MAX_REPLY_CHARS = 5000


def register_reply_handler(handler: ReplyHandler) -> None:
    _reply_handlers.append(handler)


def reply_handler_for(message: Message) -> ReplyHandler | None:
    if message.from_account:
        return None
    return next((handler for handler in _reply_handlers if handler.accepts(message)), None)


def send_reply(original: Message, body: str) -> Message:
    """The holder's answer to a message; stored in the mailbox and passed to its app."""
    text = body.strip()
    if not text:
        raise ReplyRefused(_("Please write your answer."))
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyRefused(
            _("Please shorten your answer to at most %(limit)s characters.")
            % {"limit": MAX_REPLY_CHARS}
        )
    handler = reply_handler_for(original)
    if handler is None:
        raise ReplyRefused(_("This message cannot be answered here."))
    with transaction.atomic():
        now = timezone.now()
        subject = (
            original.subject if original.subject.startswith("AW: ") else f"AW: {original.subject}"
        )
        reply = Message.objects.create(
            account=original.account, authority=original.authority,
            sender_unit=original.sender_unit, subject=subject[:200], body=text,
            reference=original.reference, sent_at=now, read_at=now, from_account=True,
            in_reply_to=original,
        )  # fmt: skip
        handler.receive(original, reply)
        audit.record(
            "mailbox.reply", actor=original.account.user, authority=original.authority,
            obj=reply, details={"reference": original.reference},
        )  # fmt: skip
    return reply


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes


def _check_pdf(attachment: Attachment) -> None:
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise InvalidAttachment(f"{attachment.filename}: larger than 20 MB")
    if not attachment.content.startswith(b"%PDF-"):
        raise InvalidAttachment(f"{attachment.filename}: not a PDF document")


def _mailbox_url(authority: Authority, portal_url: str) -> str:
    path = reverse("accounts:mailbox")
    return portal_url + path if portal_url else tenancy.portal_url(authority, path)


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
    """Put a message into the account's mailbox and notify the holder by e-mail.

    The link in the e-mail leads to the authority's portal
    (:func:`rathaus.core.tenancy.portal_url`); a ``portal_url`` given by a caller that still passes
    one (the receipt task) is used instead.
    """
    files = attachments or []
    for attachment in files:
        _check_pdf(attachment)
    with transaction.atomic():
        message = Message.objects.create(
            account=account, authority=authority, sender_unit=sender_unit, subject=subject[:200],
            body=body, reference=reference[:60], sent_at=timezone.now(),
        )  # fmt: skip
        for attachment in files:
            MessageAttachment.objects.create(
                message=message, filename=attachment.filename[:200], size=len(attachment.content),
                file=store_bytes(attachment.content, name=attachment.filename,
                                       media_type="application/pdf"),
            )  # fmt: skip
        send_mail(
            to=account.user.email,
            subject=_("A new message in your mailbox"),
            template="accounts/email/new_message",
            context={"mailbox_url": _mailbox_url(authority, portal_url)},
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


def may_download(request: HttpRequest, stored: StoredFile) -> bool:
    """The holder of the mailbox may download its attachments (``/dateien/…``, ADR 0019)."""
    user_id = request.user.pk if request.user.is_authenticated else None
    return user_id is not None and (
        MessageAttachment.objects.filter(file=stored, message__account__user_id=user_id).exists()
    )

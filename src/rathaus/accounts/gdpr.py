"""GDPR self-service: a copy of all own data (Art. 15, 20) and closing the account (Art. 17).

Other apps that must keep data of an account (for example for an open case) register a
*retention hold*: a function that returns the reasons, shown to the person before deletion.
Apps that keep other data about the person add an *export section* to the copy (a function
of the account that returns JSON-ready data), so accounts does not import them.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from rathaus.accounts.models import Account, MessageAttachment
from rathaus.core import audit, files
from rathaus.core.models import AuditEvent, Authority

RetentionHold = Callable[[Account], list[str]]
_holds: list[RetentionHold] = []


def register_retention_hold(hold: RetentionHold) -> None:
    _holds.append(hold)


ExportSection = Callable[[Account], Any]
_sections: dict[str, ExportSection] = {}


def register_export_section(name: str, section: ExportSection) -> None:
    """Add ``name`` to the data export: ``section(account)`` returns its JSON-ready content."""
    _sections[name] = section


def retention_reasons(account: Account) -> list[str]:
    return [reason for hold in _holds for reason in hold(account)]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def export_data(account: Account) -> dict[str, Any]:
    user = account.user
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "kind": account.kind,
            "organisation_name": account.organisation_name,
            "date_of_birth": _iso(account.date_of_birth),
            "street": account.street,
            "postal_code": account.postal_code,
            "city": account.city,
            "phone": account.phone,
            "created_at": _iso(account.created_at),
            "email_verified_at": _iso(account.email_verified_at),
            "last_login": _iso(user.last_login),
        },
        "consents": [
            {"topic": consent.topic, "version": consent.version, "given_at": _iso(consent.given_at)}
            for consent in account.consents.all()
        ],
        "mailbox": [
            {
                "id": message.pk,
                "from": message.authority.name,
                "subject": message.subject,
                "text": message.body,
                "reference": message.reference,
                "sent_at": _iso(message.sent_at),
                "read_at": _iso(message.read_at),
                "attachments": [
                    f"postfach/{message.pk}/{attachment.pk}-{attachment.filename}"
                    for attachment in message.attachments.all()
                ],
            }
            for message in account.messages.select_related("authority").prefetch_related(
                "attachments"
            )
        ],
        "activity": [
            {"time": _iso(event.created_at), "action": event.action}
            for event in AuditEvent.objects.filter(actor=user).order_by("id")
        ],
        **{name: section(account) for name, section in _sections.items()},
    }


def export_zip(account: Account) -> bytes:
    """The data as ``daten.json`` and the mailbox attachments as files, in one ZIP."""
    buffer = io.BytesIO()
    data = export_data(account)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("daten.json", json.dumps(data, ensure_ascii=False, indent=2))
        attachments = MessageAttachment.objects.filter(message__account=account)
        for attachment in attachments.select_related("file"):
            archive.writestr(
                f"postfach/{attachment.message_id}/{attachment.pk}-{attachment.filename}",
                attachment.file.read_bytes(),
            )
    audit.record("account.exported", actor=account.user)
    return buffer.getvalue()


def delete_account(account: Account, authority: Authority | None) -> None:
    """Delete the account, its mailbox and files; refused while a retention hold applies."""
    reasons = retention_reasons(account)
    if reasons:
        raise PermissionError("; ".join(reasons))
    user: User = account.user
    stored = list(
        MessageAttachment.objects.filter(message__account=account).values_list("file_id", flat=True)
    )
    with transaction.atomic():
        audit.record(
            "account.deleted", actor_name=f"deleted account (#{user.pk})", authority=authority
        )
        user.delete()
        files.release(stored)  # the blobs go when nothing else holds the same content

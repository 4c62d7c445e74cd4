"""Outgoing e-mail: rendered and stored with the caller's change, delivered by the task worker.

``send_mail`` renders the templates and writes an :class:`OutgoingEmail` row inside the caller's
transaction, so an e-mail exists exactly when the change that caused it was committed. On commit
it enqueues ``deliver_email``, which hands the e-mail to Django's e-mail backend (chosen by
``RATHAUS_EMAIL_URL``) and marks it sent. A failed attempt is recorded and retried later with a
growing delay; after :data:`MAX_ATTEMPTS` the e-mail is marked failed. Delivery is idempotent: a
row that is no longer queued is never sent again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from email.headerregistry import Address
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template import Context, Engine, TemplateDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.core.models import Authority, OutgoingAttachment, OutgoingEmail

if TYPE_CHECKING:
    from rathaus.core.taskqueue import Window

logger = logging.getLogger("rathaus.core.mail")

MAX_ATTEMPTS = 5
# Waiting time after the 1st, 2nd, 3rd and 4th failed attempt.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
# How long a worker may take to deliver one e-mail before another worker may try it again.
CLAIM_DURATION = timedelta(minutes=10)

OUTBOX_BACKEND = "rathaus.core.mail.OutboxBackend"
SUBJECT_MAX_LENGTH = 255  # OutgoingEmail.subject
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # per e-mail; appointment files and letters are small


class Attachment(NamedTuple):
    """A file to send with an e-mail, e.g. an appointment as ``termin.ics``."""

    filename: str
    content: bytes
    content_type: str


class OutboxBackend(BaseEmailBackend):
    """``RATHAUS_EMAIL_URL=outbox``: nothing leaves this machine.

    The e-mail is already stored as an :class:`OutgoingEmail` row; this backend accepts it
    without any network, and the row is marked sent with transport ``outbox``. The demo outbox
    page (``/demo/postausgang/``, not in production mode) and the admin show it.
    """

    def send_messages(self, email_messages: Iterable[EmailMessage]) -> int:
        return len(list(email_messages))


def _render(name: str, context: dict[str, object], *, autoescape: bool) -> str:
    # The engine's own template, so that plain text is rendered without HTML escaping
    # (a link with "&" must stay clickable in the text part).
    template = Engine.get_default().get_template(name)
    return template.render(Context(context, autoescape=autoescape))


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _optional_html(name: str, context: dict[str, object]) -> str:
    try:
        template = Engine.get_default().get_template(name)
    except TemplateDoesNotExist as exc:
        if exc.args and exc.args[0] == name:
            return ""
        raise  # the HTML template exists, but something it needs does not
    return template.render(Context(context, autoescape=True)).strip()


def send_mail(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict[str, object],
    authority: Authority | None = None,
    language: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail:
    """Render ``template``.txt (and ``template``.html if it exists) and queue the e-mail.

    Attachments are kept with the e-mail (as stored files), so that a retried delivery sends
    them too.

    The row and its delivery task are written in the caller's transaction (ADR 0021). The
    subject may be a lazy translation: it is translated into the e-mail's language. The templates
    also see ``authority`` and ``subject``.
    """
    from rathaus.core import files

    try:
        validate_email(to)
    except ValidationError:
        raise ValueError(f"not an e-mail address: {to!r}") from None
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        subject_text = " ".join(str(subject).split())  # one header line
        full_context: dict[str, object] = {
            "authority": authority,
            "subject": subject_text,
            **context,
        }
        text_body = _tidy_text(_render(f"{template}.txt", full_context, autoescape=False))
        html_body = _optional_html(f"{template}.html", full_context)
    if not subject_text:
        raise ValueError("an e-mail needs a subject")
    if len(subject_text) > SUBJECT_MAX_LENGTH:
        raise ValueError(f"the subject is longer than {SUBJECT_MAX_LENGTH} characters")
    if sum(len(attachment.content) for attachment in attachments) > ATTACHMENT_MAX_BYTES:
        raise ValueError(f"the attachments are larger than {ATTACHMENT_MAX_BYTES} bytes")
    for attachment in attachments:
        main, _slash, sub = attachment.content_type.partition("/")
        if not attachment.filename or "/" in attachment.filename or not (main and sub):
            raise ValueError(f"an attachment needs a file name and a type: {attachment!r}")
    # The e-mail and its delivery task exist together, or neither does (ADR 0021).
    with transaction.atomic(savepoint=False):
        email = OutgoingEmail.objects.create(
            to=to,
            subject=subject_text,
            text_body=text_body,
            html_body=html_body,
            language=language,
            authority=authority,
            created_at=timezone.now(),
        )
        OutgoingAttachment.objects.bulk_create(
            OutgoingAttachment(
                email=email,
                filename=attachment.filename,
                content_type=attachment.content_type,
                file=files.store_bytes(
                    attachment.content, name=attachment.filename, media_type=attachment.content_type
                ),
            )
            for attachment in attachments
        )
        deliver_email.enqueue(email.pk)
    return email


def _transport(connection: BaseEmailBackend) -> str:
    if isinstance(connection, OutboxBackend):
        return "outbox"
    return type(connection).__module__.rsplit(".", 1)[-1][:20]  # smtp, locmem, console …


def sender_for(authority: Authority | None) -> str:
    """The From of an e-mail about the authority: its own address, else the installation's."""
    if authority is not None and authority.sender_email:
        # Quoted where needed, not encoded: Django encodes the header when it sends.
        return str(Address(display_name=authority.name, addr_spec=authority.sender_email))
    return str(settings.DEFAULT_FROM_EMAIL)


def _message(email: OutgoingEmail, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    sender = sender_for(email.authority)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    created = int(email.created_at.timestamp())
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=sender,
        to=[email.to],
        connection=connection,
        headers={
            # The same Message-ID on every attempt lets mail systems drop a duplicate.
            "Message-ID": f"<rathaus.{email.pk}.{created}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "Content-Language": email.language,
        },
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in email.attachments.select_related("file"):
        message.attach(attachment.filename, attachment.file.read_bytes(), attachment.content_type)
    return message


def _claim(email_id: int) -> OutgoingEmail | None:
    """Take the e-mail for one delivery attempt, or None if it must not be sent now."""
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.filter(pk=email_id, status=OutgoingEmail.Status.QUEUED)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_DURATION)
    )
    if not claimed:
        return None
    return OutgoingEmail.objects.get(pk=email_id)


def _record_failure(email: OutgoingEmail, exc: Exception) -> str:
    email.attempts += 1
    email.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
    email.claimed_until = None
    with transaction.atomic():
        if email.attempts >= MAX_ATTEMPTS:
            email.status = OutgoingEmail.Status.FAILED
            outcome = "failed"
            logger.error(
                "e-mail #%s to %s failed for good after %s attempts: %s",
                email.pk,
                email.to,
                email.attempts,
                email.last_error,
            )
        else:
            run_after = timezone.now() + RETRY_DELAYS[email.attempts - 1]
            retry = deliver_email.using(run_after=run_after)
            retry.enqueue(email.pk)
            outcome = "retry"
            logger.warning(
                "e-mail #%s attempt %s failed, next attempt at %s: %s",
                email.pk,
                email.attempts,
                run_after.isoformat(timespec="seconds"),
                email.last_error,
            )
        email.save(update_fields=["attempts", "last_error", "claimed_until", "status"])
    return outcome


def deliver(email_id: int) -> str:
    """One delivery attempt; returns sent, retry, failed, or skipped (not queued any more)."""
    email = _claim(email_id)
    if email is None:
        return "skipped"
    try:
        connection = get_connection(fail_silently=False)
        transport = _transport(connection)
        _message(email, connection).send()
    except Exception as exc:  # any failure is recorded and retried, never lost
        return _record_failure(email, exc)
    if transport == "outbox" and settings.RATHAUS_PRODUCTION:
        logger.warning(
            "e-mail #%s kept in the outbox, not sent: RATHAUS_EMAIL_URL=outbox", email.pk
        )
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=OutgoingEmail.Status.SENT,
        sent_at=timezone.now(),
        attempts=email.attempts + 1,
        transport=transport,
        claimed_until=None,
    )
    return "sent"


@task()
def deliver_email(email_id: int) -> str:
    """The worker's delivery task for one :class:`OutgoingEmail`."""
    return deliver(email_id)


def describe_delivery(args: list[Any], kwargs: dict[str, Any]) -> str:
    subject = OutgoingEmail.objects.filter(pk=args[0]).values_list("subject", flat=True).first()
    return _("Send e-mail no. %(number)s “%(subject)s”") % {
        "number": args[0],
        "subject": subject or "–",
    }


def reconcile_emails(window: Window) -> int:
    """Queue delivery of e-mails still waiting without a task (and not claimed by a worker)."""
    from rathaus.core import taskqueue

    now = timezone.now()
    waiting = (
        OutgoingEmail.objects.filter(
            status=OutgoingEmail.Status.QUEUED,
            created_at__gte=window.newer_than,
            created_at__lte=window.older_than,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .values_list("pk", flat=True)
    )
    tracked = taskqueue.tracked_arguments(deliver_email.module_path)
    queued = 0
    for pk in waiting:
        if str(pk) not in tracked:
            deliver_email.enqueue(pk)
            queued += 1
    return queued

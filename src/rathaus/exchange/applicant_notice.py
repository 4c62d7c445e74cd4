"""Telling the applicant when the receiving authority rejected their application (ADR 0053).

A message in the mailbox of the applicant's account (which notifies them by e-mail), or an
e-mail to the address given for the receipt. It names the reason the receiver gave, not the
application's data. Sent at most once per outgoing submission (an audit entry marks it).
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit
from rathaus.core.models import AuditEvent
from rathaus.exchange.models import Outgoing

logger = logging.getLogger(__name__)

ACTION = "exchange.applicant_told"


def rejected(outgoing_id: str) -> str:
    from rathaus.accounts.mailbox import send_message
    from rathaus.core.mail import send_mail

    outgoing = (
        Outgoing.objects.select_related(
            "destination__authority",
            "submission__authority",
            "submission__account",
            "submission__form_version",
        )
        .filter(pk=outgoing_id, status=Outgoing.Status.REJECTED)
        .first()
    )
    if outgoing is None:
        return "not rejected"
    if AuditEvent.objects.filter(action=ACTION, object_id=str(outgoing.pk)).exists():
        return "already told"
    submission = outgoing.submission
    receiver = outgoing.destination.authority.name
    values = {
        "title": submission.form_version.title,
        "reference": submission.reference,
        "receiver": receiver,
        "date": timezone.localtime(outgoing.settled_at or timezone.now()).strftime("%d.%m.%Y"),
    }
    subject = _("Your application %(reference)s could not be delivered") % values
    body = (
        _(
            "We passed your application “%(title)s” (reference %(reference)s) on to the "
            "responsible authority, %(receiver)s. On %(date)s it could not take it in: passing it "
            "on failed for a technical reason, so your application has not arrived there. This is "
            "no decision on your application. We are taking care of it. If it is urgent, please "
            "contact %(receiver)s directly."
        )
        % values
    )
    if submission.account is not None:
        send_message(
            authority=submission.authority, account=submission.account, subject=subject,
            body=body, reference=submission.reference,
        )  # fmt: skip
        channel = "mailbox"
    elif submission.contact_email:
        send_mail(
            to=submission.contact_email, subject=subject, template="exchange/email/rejected",
            context={"body": body}, authority=submission.authority,
        )  # fmt: skip
        channel = "e-mail"
    else:
        channel = "none"
    audit.record(ACTION, actor_name="system", authority=submission.authority, obj=outgoing,
                 details={"channel": channel})  # fmt: skip
    return channel

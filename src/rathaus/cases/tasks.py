"""Worker tasks that follow a submission once it is stored."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from rathaus.forms.models import Submission, SubmissionEvent

if TYPE_CHECKING:
    from rathaus.core.taskqueue import Window

logger = logging.getLogger(__name__)


def deliver_receipt(submission_id: str, portal_url: str = "") -> str:
    """Send the receipt to the mailbox (with the PDF) or by e-mail; at most once.

    The e-mail never contains the application's data, only that it arrived and its reference.
    """
    from rathaus.accounts.mailbox import Attachment, send_message
    from rathaus.core.mail import send_mail
    from rathaus.forms import fees
    from rathaus.forms.receipts import receipt_filename, receipt_pdf

    submission = Submission.objects.select_related(
        "authority", "account__user", "offer__org_unit", "form_version"
    ).get(pk=submission_id)
    if submission.events.filter(kind=SubmissionEvent.Kind.RECEIPT_SENT).exists():
        return "already sent"
    pdf = receipt_pdf(submission) if submission.account is not None else b""
    try:
        with transaction.atomic():
            SubmissionEvent(
                submission=submission,
                kind=SubmissionEvent.Kind.RECEIPT_SENT,
                at=timezone.now(),
                detail={"to": "mailbox" if submission.account else "e-mail"},
            ).save()
            if submission.account is not None:
                send_message(
                    authority=submission.authority,
                    account=submission.account,
                    subject=_("Receipt for your application %(reference)s")
                    % {"reference": submission.reference},
                    body=_(
                        "We have received your application “%(title)s” on %(date)s. "
                        "Its reference is %(reference)s. The attached receipt lists everything "
                        "you sent. We will contact you here when we need something from you "
                        "or when there is a decision."
                    )
                    % {
                        "title": submission.form_version.title,
                        "date": timezone.localtime(submission.submitted_at).strftime(
                            "%d.%m.%Y %H:%M"
                        ),
                        "reference": submission.reference,
                    },
                    attachments=[Attachment(receipt_filename(submission), pdf)],
                    sender_unit=submission.offer.org_unit if submission.offer else None,
                    reference=submission.reference,
                    portal_url=portal_url,
                )
            elif submission.contact_email:
                send_mail(
                    to=submission.contact_email,
                    subject=_("Your application has been received"),
                    template="cases/email/received",
                    context={
                        "submission": submission,
                        "pay_url": fees.mail_payment_link(submission),
                    },
                    authority=submission.authority,
                )
    except IntegrityError:
        return "already sent"
    return "sent"


@task()
def send_receipt(submission_id: str, portal_url: str = "") -> str:
    return deliver_receipt(submission_id, portal_url)


@task()
def route_submission(submission_id: str) -> str:
    from rathaus.cases.services import route

    return route(submission_id)


def follow_submission(
    sender: Any, submission: Submission, portal_url: str = "", **kwargs: Any
) -> None:
    """A new submission is being stored: queue its receipt and its routing to a case.

    The task rows are written in the submission's transaction (ADR 0021): both exist once it
    commits, or neither does. The worker sees them only after the commit.
    """
    send_receipt.enqueue(str(submission.pk), portal_url)
    route_submission.enqueue(str(submission.pk))


def _reference(submission_id: str) -> str:
    reference = (
        Submission.objects.filter(pk=submission_id).values_list("reference", flat=True).first()
    )
    return reference or submission_id


def describe_routing(args: list[Any], kwargs: dict[str, Any]) -> str:
    return _("Open a case for application %(reference)s") % {"reference": _reference(args[0])}


def describe_receipt(args: list[Any], kwargs: dict[str, Any]) -> str:
    return _("Send the receipt for application %(reference)s") % {"reference": _reference(args[0])}


def reconcile_submissions(window: Window) -> int:
    """Queue routing and receipt tasks of submissions that have neither the effect nor a task.

    Submissions of the last moments are left alone: their tasks may be about to run.
    """
    from rathaus.cases.models import Case, OutboxItem
    from rathaus.core import taskqueue

    older = Submission.objects.filter(
        submitted_at__gte=window.newer_than, submitted_at__lte=window.older_than
    )
    queued = 0
    routed = SubmissionEvent.objects.filter(kind=SubmissionEvent.Kind.ROUTED)
    unrouted = (
        older.exclude(pk__in=routed.values("submission_id"))
        .exclude(pk__in=Case.objects.filter(submission__isnull=False).values("submission_id"))
        .exclude(pk__in=OutboxItem.objects.values("submission_id"))
        .values_list("pk", flat=True)
    )
    tracked = taskqueue.tracked_arguments(route_submission.module_path)
    for pk in unrouted:
        if str(pk) not in tracked:
            route_submission.enqueue(str(pk))
            queued += 1
    receipts = SubmissionEvent.objects.filter(kind=SubmissionEvent.Kind.RECEIPT_SENT)
    unreceipted = older.exclude(pk__in=receipts.values("submission_id")).values_list(
        "pk", flat=True
    )
    tracked = taskqueue.tracked_arguments(send_receipt.module_path)
    for pk in unreceipted:
        if str(pk) not in tracked:
            send_receipt.enqueue(str(pk))
            queued += 1
    return queued

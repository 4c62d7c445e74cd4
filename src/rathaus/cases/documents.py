"""Document requests (Nachforderung): the authority asks for missing documents, the applicant
uploads them into the same case, and the case's process hears of it.

The applicant answers in "Meine Anträge" (with an account) or brings or posts the documents;
then a clerk records that they arrived. Either way the request is answered once: the status
changes with a conditional UPDATE, so a second upload or a clerk's click at the same moment gets
a clear message instead of a second answer. Files are checked and stored before the transaction
and removed again if the answer is refused, so no file stays without its record.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from rathaus.cases.actions import CaseActionRefused, CaseWork, acting_on, label
from rathaus.cases.models import Case, CaseUpload, DocumentRequest
from rathaus.cases.signals import case_message
from rathaus.core import files as core_files
from rathaus.core import tenancy

DOCUMENTS_RECEIVED = "documents_received"
"""The message a process waits for after asking for documents."""

ACCEPTED_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_FILES = 10


def upload_rules() -> core_files.UploadRules:
    limit = settings.RATHAUS_UPLOAD_MAX_BYTES
    return core_files.UploadRules(accept=ACCEPTED_TYPES, max_bytes=limit)


def _page_url(case: Case, portal_url: str) -> str:
    if case.submission is None:
        return ""
    path = reverse("cases_citizen:detail", args=[case.submission.reference])
    return portal_url + path if portal_url else tenancy.portal_url(case.authority, path)


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def request_documents(
    case: Case,
    user: Any,
    documents: str,
    *,
    due_date: datetime.date | None = None,
    portal_url: str = "",
) -> DocumentRequest:
    """Ask the applicant for documents; the case waits for the answer."""
    documents = documents.strip()[:5000]
    if not documents:
        raise CaseActionRefused(_("Please name the documents you need."))
    with acting_on(case, user) as work:
        locked = work.case
        if not locked.is_open:
            raise CaseActionRefused(_("The case is closed."))
        if locked.document_requests.filter(status=DocumentRequest.Status.OPEN).exists():
            raise CaseActionRefused(_("There is already an open document request in this case."))
        request = DocumentRequest.objects.create(
            case=locked, documents=documents, due_date=due_date, requested_at=timezone.now(),
            requested_by=user,
        )  # fmt: skip
        delivery = _notify(locked, request, portal_url, reminder=False)
        work.record("documents_requested", new=documents,
                    detail={"request": request.pk, "delivery": delivery}, public=True)  # fmt: skip
        work.move_to(Case.Status.WAITING)
    return request


def remind(case: Case, portal_url: str = "") -> DocumentRequest | None:
    """Remind the applicant of the open request, if there is one."""
    with acting_on(case, None) as work:
        request = work.case.document_requests.filter(status=DocumentRequest.Status.OPEN).last()
        if request is None:
            return None
        delivery = _notify(work.case, request, portal_url, reminder=True)
        work.record("documents_reminded", detail={"request": request.pk, "delivery": delivery},
                    public=True)  # fmt: skip
    return request


def _notify(case: Case, request: DocumentRequest, portal_url: str, *, reminder: bool) -> str:
    """Tell the applicant: into the mailbox, else by e-mail; returns how."""
    from rathaus.accounts.mailbox import send_message
    from rathaus.core.mail import send_mail

    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "case": case,
            "documents": request.documents,
            "due_date": _date(request.due_date),
            "link": _page_url(case, portal_url),
            "reminder": reminder,
            "has_account": case.applicant is not None,
        }
        if reminder:
            subject = _("Reminder: documents missing for %(number)s") % {"number": case.number}
        else:
            subject = _("Please send documents for %(number)s") % {"number": case.number}
        if case.applicant is not None:
            from django.template.loader import render_to_string

            body = render_to_string("cases/email/documents_requested.txt", context).strip()
            send_message(
                authority=case.authority, account=case.applicant, subject=subject, body=body,
                sender_unit=case.org_unit, reference=case.number, portal_url=portal_url,
            )  # fmt: skip
            return "mailbox"
    address = case.submission.contact_email if case.submission is not None else ""
    if address:
        send_mail(to=address, subject=subject, template="cases/email/documents_requested",
                  context=context, authority=case.authority,
                  language=settings.LANGUAGE_CODE)  # fmt: skip
        return "email"
    return "post"


def _answer(
    request: DocumentRequest,
    *,
    by: str,
    user: Any,
    comment: str,
    stored: Sequence[Any] = (),
) -> DocumentRequest:
    """Record the answer once; the process is told after the request is closed."""
    now = timezone.now()
    won = DocumentRequest.objects.filter(pk=request.pk, status=DocumentRequest.Status.OPEN).update(
        status=DocumentRequest.Status.FULFILLED, fulfilled_at=now, comment=comment[:5000]
    )
    if not won:
        raise CaseActionRefused(_("This document request has already been answered."))
    case = request.case  # locked by the caller
    work = CaseWork(case, user)
    for item in stored:
        CaseUpload(case=case, request=request, file=item.file,
                   original_name=item.original_name, content_type=item.content_type,
                   size=item.size, sha512=item.sha512, uploaded_at=now).save()  # fmt: skip
    names = ", ".join(item.original_name for item in stored)
    work.record("documents_received", new=names or by,
                detail={"request": request.pk, "files": len(stored), "comment": comment[:500]},
                public=True)  # fmt: skip
    if case.status == Case.Status.WAITING:
        work.move_to(Case.Status.IN_PROGRESS)
    case_message.send(sender=Case, case=case, name=DOCUMENTS_RECEIVED, actor=user,
                      payload={"request": request.pk, "files": len(stored)})  # fmt: skip
    request.refresh_from_db()
    return request


def submit_documents(
    request: DocumentRequest, account: Any, files: Sequence[UploadedFile], comment: str = ""
) -> DocumentRequest:
    """The applicant answers a request in "Meine Anträge" with files (and a comment).

    Raises ``UploadRejected`` for a file that is refused (nothing is kept then) and
    ``CaseActionRefused`` if the request is no longer open.
    """
    if request.case.applicant_id != account.pk:
        raise PermissionError("not the applicant of this case")
    if not files:
        raise CaseActionRefused(_("Please choose at least one file."))
    if len(files) > MAX_FILES:
        raise CaseActionRefused(
            _("Please send at most %(count)s files at once.") % {"count": MAX_FILES}
        )
    stored: list[Any] = []
    try:
        for uploaded in files:
            stored.append(core_files.check_and_store(uploaded, upload_rules()))
        with acting_on(request.case, None) as work:
            if not work.case.is_open:
                raise CaseActionRefused(_("The case is closed."))
            request.case = work.case
            return _answer(request, by=label(account.user), user=None, comment=comment.strip(),
                           stored=stored)  # fmt: skip
    except BaseException:
        core_files.release(item.file for item in stored)
        raise


def mark_received(request: DocumentRequest, user: Any, comment: str = "") -> DocumentRequest:
    """A clerk records that the documents arrived on paper or at the counter."""
    with acting_on(request.case, user) as work:
        request.case = work.case
        return _answer(
            request, by=_("received by the authority"), user=user, comment=comment.strip()
        )

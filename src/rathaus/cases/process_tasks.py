"""The BPMN service tasks that do case work, registered by topic in ``CasesConfig.ready()``.

A process model names one with ``camunda:topic`` (see ``docs/processes.md``). The process engine
(``rathaus.processes``) finds them in ``core.service_tasks.service_tasks`` and runs them in a
savepoint; each calls the case services, so a step changes the case exactly as a clerk's action
would: under the case's row lock, checked against the status table, with a timeline entry. A
refusal becomes :class:`HandlerFailed`: the process stops at the step with the message on the
case page, and a clerk can run it again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core.service_tasks import Context, Handler, HandlerFailed


def _format(template: str, context: Context) -> str:
    case = context.case
    values = {"number": case.number, "title": case.title, "unit": case.org_unit.name}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


# --- the handlers ---------------------------------------------------------------------------------


def set_status(context: Context) -> None:
    """Set the case status given as parameter ``status`` (new, in_progress, waiting, closed …)."""
    from rathaus.cases import services

    status = context.params.get("status", "")
    try:
        services.set_status(context.case, None, status)
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def set_stage(context: Context) -> None:
    """Set the stage the applicant sees beside the status: parameter ``label`` ("versandt")."""
    from rathaus.cases import services

    label = _format(context.params.get("label", ""), context).strip()
    if not label:
        raise HandlerFailed(_("The service task needs the parameter “label”."))
    try:
        services.set_public_stage(context.case, None, label)
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def send_message(context: Context) -> None:
    """Write to the applicant: parameters ``subject`` and ``body`` ({number}, {title}, {unit})."""
    from rathaus.cases import services

    subject = _format(context.params.get("subject", ""), context)
    body = _format(context.params.get("body", ""), context)
    if not subject or not body:
        raise HandlerFailed(_("The service task needs the parameters “subject” and “body”."))
    try:
        services.message_applicant(context.case, None, subject, body, context.portal_url)
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def request_documents(context: Context) -> None:
    """Ask the applicant for the documents named in the process data ``missing_documents``.

    The answer period is the parameter ``days`` (default 14). The case waits for the applicant.
    """
    from rathaus.cases import documents

    text = str(context.data.get("missing_documents") or "").strip()
    if not text:
        raise HandlerFailed(_("The process data names no missing documents."))
    try:
        days = int(context.params.get("days", "14"))
    except ValueError:
        raise HandlerFailed(_("The parameter “days” must be a whole number.")) from None
    documents.request_documents(
        context.case,
        context.actor,
        text,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        portal_url=context.portal_url,
    )


def remind_applicant(context: Context) -> None:
    """Remind the applicant of the open document request (sent by the worker's timer)."""
    from rathaus.cases import documents

    documents.remind(context.case, portal_url=context.portal_url)


def reply_to_applicant(context: Context) -> None:
    """Send the answer in the process data ``reply``: to the mailbox, else by e-mail."""
    from rathaus.cases import services
    from rathaus.core.mail import send_mail

    case = context.case
    reply = str(context.data.get("reply") or "").strip()
    if not reply:
        raise HandlerFailed(_("The process data holds no answer (“reply”)."))
    subject = _("Answer to your request %(number)s") % {"number": case.number}
    if case.applicant_id is not None:
        try:
            services.message_applicant(case, None, subject, reply, context.portal_url)
        except services.CaseActionRefused as refused:
            raise HandlerFailed(str(refused)) from None
        return
    address = case.submission.contact_email if case.submission is not None else ""
    if not address:
        raise HandlerFailed(_("The applicant left no e-mail address; please answer by post."))
    send_mail(to=address, subject=subject, template="cases/email/reply",
              context={"case": case, "reply": reply}, authority=case.authority,
              language=settings.LANGUAGE_CODE)  # fmt: skip
    services.record_event(case, "replied", user=context.actor, new=subject,
                          detail={"email": address}, public=True)  # fmt: skip


def generate_decision(context: Context) -> None:
    """Make the Bescheid from ``outcome`` and ``reasons`` of the decision task and deliver it.

    A parameter ``outcome`` (e.g. ``refused`` on a path that only refuses) wins over the data."""
    from rathaus.cases import decisions, services

    if context.actor is None:
        raise HandlerFailed(_("A decision needs the clerk who made it; it cannot run on its own."))
    try:
        decisions.decide(
            context.case,
            context.actor,
            str(context.params.get("outcome") or context.data.get("outcome", "")),
            str(context.data.get("reasons", "")),
            portal_url=context.portal_url,
        )
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


def escalate(context: Context) -> None:
    """A deadline has passed: raise the priority and tell the heads of the unit by e-mail."""
    from rathaus.cases import services
    from rathaus.cases.models import Case
    from rathaus.core import roles
    from rathaus.core.mail import send_mail
    from rathaus.core.models import Membership

    case = context.case
    services.set_priority(case, None, Case.Priority.HIGH)
    services.record_event(case, "escalated", new=context.params.get("reason", ""))
    heads = (
        Membership.objects.filter(org_unit=case.org_unit, role__name=roles.HEAD)
        .select_related("user")
        .order_by("user__username")
    )
    recipients = sorted({m.user.email for m in heads if m.user.email and m.user.is_active})
    for address in recipients:
        send_mail(
            to=address,
            subject=_("Case %(number)s is overdue") % {"number": case.number},
            template="cases/email/escalated",
            context={
                "case": case,
                "link": f"{context.portal_url}/verwaltung/vorgaenge/{case.number}/",
            },
            authority=case.authority,
            language=settings.LANGUAGE_CODE,
        )


def forward(context: Context) -> None:
    """Hand the case to another authority of this installation (parameter ``authority``: slug)."""
    from rathaus.cases import services
    from rathaus.core.models import Authority

    slug = context.params.get("authority", "")
    target = Authority.objects.filter(slug=slug).first()
    if target is None:
        raise HandlerFailed(_("There is no authority “%(slug)s”.") % {"slug": slug})
    try:
        services.forward(context.case, target)
    except services.CaseActionRefused as refused:
        raise HandlerFailed(str(refused)) from None


# Registered by CasesConfig.ready() under these topics.
BUILT_IN: dict[str, Handler] = {
    "set_status": set_status,
    "set_stage": set_stage,
    "send_message": send_message,
    "request_documents": request_documents,
    "remind_applicant": remind_applicant,
    "reply_to_applicant": reply_to_applicant,
    "generate_decision": generate_decision,
    "escalate": escalate,
    "forward": forward,
}

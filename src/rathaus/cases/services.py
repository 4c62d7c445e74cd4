"""Routing stored submissions to cases, and every action on a case."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.cases.actions import (
    CaseActionRefused,
    CaseWork,
    TransitionRefused,
    acting_on,
    label,
    lock,
)
from rathaus.cases.events import CaseOpened, SubmissionQueuedForExchange
from rathaus.core import audit, events, sequences
from rathaus.core.models import Authority, OrgUnit
from rathaus.forms.models import Submission, SubmissionEvent

if TYPE_CHECKING:
    import datetime as dt

    from django.contrib.auth.models import User

    from rathaus.accounts.models import Account, Message
    from rathaus.cases.models import Case

logger = logging.getLogger(__name__)

# The case-action API: the functions below, and from ``actions`` what callers catch or use.
__all__ = [
    "CaseActionRefused", "CaseWork", "TransitionRefused", "accepts_reply", "acting_on",
    "add_note", "applicant_postal_code", "assign", "claim", "forward", "label", "lock",
    "message_applicant", "next_case_number", "open_case", "open_cases_hold", "receive_reply",
    "record_event", "route", "route_for", "set_due_date", "set_priority", "set_status", "take_over",
]  # fmt: skip


# --- routing: every submission to the responsible authority and unit --------------------------


@dataclass(frozen=True)
class Route:
    authority: Authority
    org_unit: OrgUnit | None  # None: the authority is not served here


def applicant_postal_code(submission: Submission) -> str:
    """The applicant's postal code: the first address answer, else the account's."""
    stack: list[Any] = [submission.data]
    while stack:
        value = stack.pop(0)
        if isinstance(value, dict):
            code = value.get("postal_code")
            if isinstance(code, str) and len(code) == 5 and code.isdigit():
                return code
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    account = submission.account
    return account.postal_code if account is not None else ""


def _first_unit(authority: Authority) -> OrgUnit | None:
    return (
        OrgUnit.objects.filter(authority=authority, parent__isnull=True)
        .order_by("position", "name")
        .first()
    )


def route_for(submission: Submission) -> Route:
    """Who handles the submission, by the catalogue's responsibility rules for service × area.

    Without a rule (or without a service), the authority that received it handles it in the
    unit named by its offer. An authority without any unit here is not served by this
    installation: the submission waits in the outbox for the exchange.
    """
    from rathaus.catalog import responsibility

    offer = submission.offer
    authority = submission.authority
    unit = offer.org_unit if offer is not None else None
    postal_code = applicant_postal_code(submission)
    if offer is not None and postal_code:
        try:
            answer = responsibility.find(
                offer.service, responsibility.area_for_postal_code(postal_code)
            )
        except responsibility.UnknownArea:
            answer = None
        if answer is not None and answer.authority is not None and answer.authority != authority:
            authority = answer.authority
            unit = answer.org_unit
    if unit is None or unit.authority_id != authority.pk:
        unit = _first_unit(authority)
    return Route(authority=authority, org_unit=unit)


def route(submission_id: str) -> str:
    """Open a case for the submission (or queue it for the exchange); at most once."""
    from rathaus.cases.models import Case, OutboxItem

    submission = Submission.objects.select_related(
        "authority", "offer__org_unit", "offer__service", "account", "form_version"
    ).get(pk=submission_id)
    if (
        Case.objects.filter(submission=submission).exists()
        or OutboxItem.objects.filter(submission=submission).exists()
    ):
        return "already routed"
    target = route_for(submission)
    now = timezone.now()
    try:
        # The case's process may run its first steps in this transaction: link the audit
        # entries at its end, so the chain head is not locked while they run (ADR 0016).
        with transaction.atomic(), audit.deferred():
            if target.org_unit is None:
                item = OutboxItem.objects.create(submission=submission, target=target.authority,
                                                 created_at=now)  # fmt: skip
                outcome = {"outbox": target.authority.slug}
                # delivered after the commit: the exchange (if installed) picks the item up
                events.publish(SubmissionQueuedForExchange(
                    outbox_item_id=item.pk, submission_id=str(submission.pk),
                    target_authority_id=target.authority.pk,
                ))  # fmt: skip
            else:
                case = open_case(submission, target.org_unit, now=now)
                outcome = {"case": case.number, "unit": target.org_unit.slug}
            SubmissionEvent(submission=submission, kind=SubmissionEvent.Kind.ROUTED, at=now,
                            detail=outcome).save()  # fmt: skip
    except IntegrityError:
        return "already routed"
    return "routed"


def _search_text(submission: Submission) -> str:
    parts: list[str] = [submission.reference, submission.form_version.title]
    stack: list[Any] = [submission.data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            parts.append(str(value))
    return " ".join(parts).lower()[:20000]


def next_case_number(org_unit: OrgUnit, year: int) -> str:
    value = sequences.next_value(sequences.scope("case", org_unit.pk, year))
    code = org_unit.file_plan_code or org_unit.slug.upper()
    try:
        return str(org_unit.case_number_pattern.format(code=code, year=year, number=value))
    except (KeyError, IndexError, ValueError):
        return f"{code}-{year}-{value:05d}"


def open_case(submission: Submission, org_unit: OrgUnit, *, now: dt.datetime | None = None) -> Case:
    from rathaus.cases.models import Case
    from rathaus.cases.search import search_document

    moment = now or timezone.now()
    number = next_case_number(org_unit, timezone.localdate(moment).year)
    case = Case.objects.create(
        number=number,
        authority=org_unit.authority,
        org_unit=org_unit,
        submission=submission,
        title=submission.form_version.title[:200],
        applicant=submission.account,
        created_at=submission.submitted_at,
        updated_at=moment,
        search_text=search_document(number, _search_text(submission)),
    )
    work = CaseWork(case, None)  # a new row: nobody else can hold it yet
    work.record(
        "opened",
        new=org_unit.name,
        detail={"reference": submission.reference},
        public=True,
        audited=False,
    )  # audited below with the reference and unit
    work.publish(CaseOpened, org_unit_id=org_unit.pk, submission_id=str(submission.pk))
    audit.record("case.opened", actor_name="rathaus", authority=case.authority, obj=case,
                 details={"reference": submission.reference, "unit": org_unit.slug})  # fmt: skip
    from rathaus.cases.signals import case_opened

    case_opened.send(sender=Case, case=case)
    return case


# --- working on a case ---------------------------------------------------------------------------
# Every action locks the case row, checks the change against the status table (``workflow``),
# applies it and appends a typed timeline entry (``actions.CaseWork``); the page's actions
# (``staff_actions``), the API and the process steps (``process_tasks``) all call these.


def record_event(case: Case, kind: str, *, user: User | None = None, old: str = "", new: str = "",
                 detail: dict[str, Any] | None = None, public: bool = False) -> None:  # fmt: skip
    """A timeline entry (and audit entry) of a registered kind for something that happened to
    the case (a process step, a reminder); the caller holds the case's lock if it needs one."""
    CaseWork(case, user).record(kind, old=old, new=new, detail=detail, public=public)


def forward(case: Case, target: Authority) -> Case:
    """Hand the case to another authority of this installation, into its first unit."""
    from rathaus.cases.events import CaseForwarded

    with acting_on(case, None) as work:
        locked = work.case
        unit = _first_unit(target)
        if unit is None:
            raise CaseActionRefused(
                _("%(authority)s is not served by this installation.") % {"authority": target.name}
            )
        if not locked.is_open:
            raise CaseActionRefused(_("The case is closed."))
        old, old_authority = locked.org_unit.name, locked.authority_id
        locked.authority, locked.org_unit, locked.assignee = target, unit, None
        locked.save(update_fields=["authority", "org_unit", "assignee"])
        work.record("forwarded", old=old, new=f"{target.name}: {unit.name}", public=True)
        work.publish(CaseForwarded, old_authority_id=old_authority, org_unit_id=unit.pk)
    return locked


def assign(case: Case, user: User | None, assignee: User | None) -> Case:
    """Give the case to a colleague (or to oneself: claim); None takes it back to the unit."""
    from rathaus.cases.access import colleagues

    with acting_on(case, user) as work:
        locked = work.case
        if not locked.is_open:
            raise CaseActionRefused(_("The case is closed."))
        if assignee is not None and not colleagues(locked).filter(pk=assignee.pk).exists():
            raise CaseActionRefused(_("This person does not work in the case's unit."))
        work.assign(assignee)
    return locked


def claim(case: Case, user: User, *, expected_assignee: User | None = None) -> Case:
    """Take an unassigned case; refused if someone else took it meanwhile."""
    with transaction.atomic():
        locked = lock(case, user)
        if locked.assignee_id is not None and locked.assignee_id != user.pk:
            raise CaseActionRefused(
                _("%(name)s has taken this case in the meantime.")
                % {"name": label(locked.assignee)}
            )
        return assign(locked, user, user)


def take_over(case: Case, user: User | None) -> Case:
    """The person who completes a process task of an unassigned case takes the case."""
    with acting_on(case, user) as work:
        if work.case.assignee_id is None and work.case.is_open:
            work.assign(user)
    return work.case


def set_status(case: Case, user: User | None, status: str) -> Case:
    """Move the case to ``status`` if the status table allows it (``TransitionRefused`` if not).

    Closing by a person ends the case's process (``signals.case_closed``).
    """
    from rathaus.cases.models import Case

    if status not in Case.Status.values:
        raise CaseActionRefused(_("Unknown status."))
    # Closing cancels the process: its audit entries are linked at the end (ADR 0016).
    with acting_on(case, user, deferred_audit=True) as work:
        if not work.move_to(status):
            return work.case
        if status == Case.Status.CLOSED and user is not None:
            from rathaus.cases.signals import case_closed

            case_closed.send(sender=Case, case=work.case, actor=user)
    return work.case


def set_due_date(case: Case, user: User | None, due: dt.date | None) -> Case:
    with acting_on(case, user) as work:
        locked = work.case
        old = locked.due_date.isoformat() if locked.due_date else ""
        locked.due_date = due
        locked.save(update_fields=["due_date"])
        work.record("due_date", old=old, new=due.isoformat() if due else "")
    return locked


def set_public_stage(case: Case, user: User | None, label: str) -> Case:
    """Set the short word the applicant sees beside the status ("versandt"); an empty label
    clears it. Recorded in the timeline, visible to the applicant."""
    label = " ".join(label.split())
    if len(label) > 60:
        raise CaseActionRefused(_("The stage may be at most 60 characters long."))
    with acting_on(case, user) as work:
        locked = work.case
        old = locked.public_stage
        if old == label:
            return locked
        locked.public_stage = label
        locked.save(update_fields=["public_stage"])
        work.record("stage_set", old=old, new=label, public=True)
    return locked


def set_priority(case: Case, user: User | None, priority: str) -> Case:
    from rathaus.cases.models import Case

    if priority not in Case.Priority.values:
        raise CaseActionRefused(_("Unknown priority."))
    with acting_on(case, user) as work:
        locked = work.case
        old = locked.priority
        locked.priority = priority
        locked.save(update_fields=["priority"])
        work.record("priority", old=old, new=priority)
    return locked


def add_note(case: Case, user: User | None, text: str) -> None:
    from rathaus.cases.models import CaseNote

    text = text.strip()
    if not text:
        raise CaseActionRefused(_("Please write a note."))
    with acting_on(case, user) as work:
        CaseNote(case=work.case, author=user, text=text[:10000], created_at=timezone.now()).save()
        work.record("note")


def message_applicant(
    case: Case, user: User | None, subject: str, body: str, portal_url: str = ""
) -> None:
    """A message into the applicant's mailbox, recorded in the timeline."""
    from rathaus.accounts.mailbox import send_message

    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise CaseActionRefused(_("Please write a subject and a text."))
    with acting_on(case, user) as work:
        locked = work.case
        if locked.applicant is None:
            raise CaseActionRefused(
                _("The applicant has no account, so there is no mailbox to write to.")
            )
        message = send_message(
            authority=locked.authority, account=locked.applicant, subject=subject, body=body,
            sender_unit=locked.org_unit, reference=locked.number, actor=user,
            portal_url=portal_url,
        )  # fmt: skip
        work.record("message", new=subject, detail={"message": message.pk}, public=True)


def open_cases_hold(account: Account) -> list[str]:
    """GDPR: an account with open cases is kept until they are closed; the reasons say which."""
    from rathaus.cases.models import Case

    return [
        _("Case %(number)s (%(title)s) is still being worked on by %(unit)s.")
        % {"number": case.number, "title": case.title, "unit": case.org_unit.name}
        for case in Case.objects.filter(applicant=account, status__in=Case.OPEN).select_related(
            "org_unit"
        )
    ]


# --- the applicant answers in the mailbox --------------------------------------------------------


def _case_for_message(message: Message) -> Case | None:
    from rathaus.cases.models import Case

    if not message.reference:
        return None
    return Case.objects.filter(
        number=message.reference, applicant_id=message.account_id, status__in=Case.OPEN
    ).first()


def accepts_reply(message: Message) -> bool:
    """Messages about an open case of the account holder can be answered."""
    return _case_for_message(message) is not None


def receive_reply(original: Message, reply: Message) -> None:
    """The answer lands in the case's timeline; a case waiting for it goes back to work."""
    from rathaus.cases.models import Case

    case = _case_for_message(original)
    if case is None:
        raise ValueError("no open case for this message")
    work = CaseWork(lock(case, None), None)  # in the transaction of the answer
    applicant = reply.account.user
    work.record("reply", new=reply.subject, detail={"message": reply.pk, "text": reply.body},
                public=True, actor_label=label(applicant), audited=False)  # fmt: skip
    if work.case.status == Case.Status.WAITING:
        work.move_to(Case.Status.IN_PROGRESS, audited=False)
    from rathaus.cases.signals import case_message

    case_message.send(sender=Case, case=work.case, name="applicant_answered", actor=None,
                      payload={"message": reply.pk})  # fmt: skip

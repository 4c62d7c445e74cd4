"""The one way to change a case: lock its row, check the change, apply it, append a typed event.

Every service that changes a case — the clerk's actions on the page and in the API, the process
steps (``cases.process_tasks``), document requests, decisions, the applicant's answer — works
inside :func:`acting_on`::

    with acting_on(case, user) as work:          # transaction + SELECT … FOR UPDATE
        work.move_to(Case.Status.WAITING)        # checked against workflow.TRANSITIONS
        work.record("documents_requested", new=…, public=True)   # a registered event kind

:meth:`CaseWork.record` writes the timeline entry (``CaseEvent``, of a kind registered in
``timeline.event_kinds``) and the audit entry; the status, assignee, decision and forwarding
changes publish their domain event (``cases.events``), delivered to subscribers after the
commit (``core.events``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from rathaus.cases import workflow
from rathaus.cases.events import CaseAssigned, CaseStatusChanged
from rathaus.cases.models import Case, CaseEvent
from rathaus.cases.timeline import event_kinds
from rathaus.cases.workflow import CaseActionRefused, TransitionRefused
from rathaus.core import audit
from rathaus.core import events as bus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["CaseActionRefused", "CaseWork", "TransitionRefused", "acting_on", "label", "lock"]


def label(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "rathaus"


def lock(case: Case, user: User | None) -> Case:
    """The case row, locked; ``user`` None is rathaus itself (a process step, the worker).

    Raises ``PermissionError`` if the case is not in the user's units.
    """
    from rathaus.cases.access import visible_cases

    cases = Case.objects.all() if user is None else visible_cases(user)
    locked = cases.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise PermissionError("this case is not in the user's units")
    return locked


class CaseWork:
    """A locked case and the person acting on it (None: rathaus)."""

    def __init__(self, case: Case, user: User | None) -> None:
        self.case = case
        self.user = user

    def record(self, kind: str, *, old: str = "", new: str = "",
               detail: dict[str, Any] | None = None, public: bool = False,
               actor_label: str = "", audited: bool = True) -> CaseEvent:  # fmt: skip
        """Append a timeline entry of a registered kind (and, if ``audited``, an audit entry)."""
        if kind not in event_kinds:
            raise ValueError(
                f"{kind!r} is no registered case event kind; registered: {', '.join(event_kinds)}"
            )
        case, user = self.case, self.user
        now = timezone.now()
        event = CaseEvent(case=case, kind=kind, actor=user, actor_label=actor_label or label(user),
                          at=now, old=old[:200], new=new[:200], detail=detail or {},
                          visible_to_applicant=public)  # fmt: skip
        event.save()
        Case.objects.filter(pk=case.pk).update(updated_at=now)
        if audited:
            audit.record(f"case.{kind}", actor=user, actor_name=None if user else "rathaus",
                         authority=case.authority, obj=case,
                         details={"old": old[:200], "new": new[:200]})  # fmt: skip
        return event

    def move_to(self, status: str, *, public: bool = True, record: bool = True,
                audited: bool = True) -> bool:  # fmt: skip
        """Change the status if the table allows it; False if it already is ``status``.

        Raises :class:`TransitionRefused` for a change the table does not allow. Without
        ``record`` the caller writes its own timeline entry (the decision does).
        """
        case = self.case
        if case.status == status:
            return False
        workflow.check(case, status)
        old = case.status
        case.status = status
        fields = ["status"]
        if status == Case.Status.CLOSED:
            case.closed_at = timezone.now()
            fields.append("closed_at")
        case.save(update_fields=fields)
        if record:
            self.record("status", old=old, new=status, public=public, audited=audited)
        self.publish(CaseStatusChanged, old=old, new=status)
        return True

    def assign(self, assignee: User | None) -> bool:
        """Give the case to ``assignee`` (None: back to the unit); a new case is then in progress.

        The caller checks who may be assigned; False if nothing changed.
        """
        case = self.case
        if case.assignee_id == (assignee.pk if assignee else None):
            return False
        previous = case.assignee
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        self.record("assigned", old=label(previous) if previous else "",
                    new=label(assignee) if assignee else "")  # fmt: skip
        self.publish(CaseAssigned, old_assignee_id=previous.pk if previous else None,
                     assignee_id=assignee.pk if assignee else None)  # fmt: skip
        if assignee is not None and case.status == Case.Status.NEW:
            self.move_to(Case.Status.IN_PROGRESS)
        return True

    def publish(self, event_type: type[Any], **values: Any) -> None:
        """Publish a domain event about this case, delivered after the commit."""
        case = self.case
        bus.publish(event_type(case_id=case.pk, number=case.number,
                               authority_id=case.authority_id,
                               actor_id=self.user.pk if self.user is not None else None,
                               **values))  # fmt: skip


@contextmanager
def acting_on(case: Case, user: User | None, *, deferred_audit: bool = False) -> Iterator[CaseWork]:
    """A transaction with the case's row lock; ``deferred_audit`` links the audit entries at its
    end (ADR 0016), for actions with slow work (a PDF, a process step)."""
    with ExitStack() as stack:
        stack.enter_context(transaction.atomic())
        if deferred_audit:
            stack.enter_context(audit.deferred())
        yield CaseWork(lock(case, user), user)

"""The status of a case and the changes it may make: one declared table.

Every change of ``Case.status`` — by a clerk on the page or through the API, by a process step,
by a document request or its answer, by the decision — goes through
:meth:`rathaus.cases.actions.CaseWork.move_to`, which checks this table under the case's row
lock. A change that is not in the table is refused with :class:`TransitionRefused` (a message
for staff on the page, 409 in the API). A transition may have a guard: "decided" needs the
decision document, so a case is decided only by making the decision (``decisions.decide``).

    new ──► in progress ◄──► waiting for the applicant
     │          ▲ │                ▲ │
     │          │ ▼                │ ▼
     └───────► decided ◄───────────┘      (into "decided": only with its decision document)
    every open status ──► closed (final; nothing leads back to "new" or out of "closed")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.cases.models import Case, CaseDocument

S = Case.Status


class CaseActionRefused(Exception):
    """The action is not possible on this case now; the message says why (German, for staff)."""


class TransitionRefused(CaseActionRefused):
    """The status change is not in the table (or its guard refuses it)."""

    def __init__(self, message: str, *, current: str, target: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.current = current
        self.target = target
        self.allowed = allowed


def has_decision(case: Case) -> bool:
    return CaseDocument.objects.filter(case=case, kind=CaseDocument.Kind.DECISION).exists()


@dataclass(frozen=True)
class Guard:
    """A condition of a transition and the message when it is not met."""

    check: Callable[[Case], bool]
    refusal: Any  # lazy text


DECISION_NEEDED = Guard(
    has_decision,
    gettext_lazy(
        "A case is decided by creating the decision document. Please use “Create the decision”."
    ),
)

TRANSITIONS: dict[tuple[str, str], Guard | None] = {
    (S.NEW, S.IN_PROGRESS): None,
    (S.NEW, S.WAITING): None,
    (S.NEW, S.DECIDED): DECISION_NEEDED,
    (S.NEW, S.CLOSED): None,
    (S.IN_PROGRESS, S.WAITING): None,
    (S.IN_PROGRESS, S.DECIDED): DECISION_NEEDED,
    (S.IN_PROGRESS, S.CLOSED): None,
    (S.WAITING, S.IN_PROGRESS): None,
    (S.WAITING, S.DECIDED): DECISION_NEEDED,
    (S.WAITING, S.CLOSED): None,
    # After the decision: an objection is examined, or the case waits for the fee or for the
    # applicant to collect a document; it may come back to "decided" (its document exists).
    (S.DECIDED, S.IN_PROGRESS): None,
    (S.DECIDED, S.WAITING): None,
    (S.DECIDED, S.CLOSED): None,
}
"""(from, to) → the guard of the transition, or None. Pairs not listed are refused."""


def targets(status: str) -> list[str]:
    """The statuses a case in ``status`` may move to, in the order of ``Case.Status``."""
    return [value for value in S.values if (status, value) in TRANSITIONS]


def check(case: Case, target: str) -> None:
    """Raise :class:`TransitionRefused` unless ``case`` may move to ``target`` now."""
    current = case.status
    if target not in S.values:
        raise CaseActionRefused(_("Unknown status."))
    allowed = targets(current)
    if (current, target) not in TRANSITIONS:
        if current == S.CLOSED:
            message = _("The case is closed.")
        else:
            message = _(
                "A case that is “%(old)s” cannot become “%(new)s”. Possible: %(allowed)s."
            ) % {
                "old": S(current).label,
                "new": S(target).label,
                "allowed": ", ".join(str(S(value).label) for value in allowed) or "–",
            }
        raise TransitionRefused(message, current=current, target=target, allowed=allowed)
    guard = TRANSITIONS[(current, target)]
    if guard is not None and not guard.check(case):
        raise TransitionRefused(str(guard.refusal), current=current, target=target,
                                allowed=allowed)  # fmt: skip

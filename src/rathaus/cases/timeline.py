"""The kinds of timeline entries (``CaseEvent.kind``), registered by the apps that write them.

Each kind has a label and a small template snippet for the staff case page; kinds the applicant
sees (``visible_to_applicant``) may have a second snippet for "Meine Anträge". The snippet gets
``event`` (with ``old_label`` and ``new_label``: status and priority codes as words). The cases
app registers its kinds in ``CasesConfig.ready()``, the processes app its ``process_*`` kinds;
:func:`rathaus.cases.actions.CaseWork.record` refuses a kind nobody registered, so every entry
written has a way to be shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from rathaus.core.plugins import Registry

UNKNOWN_STAFF = "cases/timeline/_unknown.html"
UNKNOWN_PUBLIC = "cases/timeline/public/_worked_on.html"


@dataclass(frozen=True)
class EventKind:
    """How one kind of entry is shown: on the staff page, and to the applicant (optional)."""

    staff_template: str
    public_template: str = ""


event_kinds: Registry[EventKind] = Registry("case event kind")


def prepare(events: Iterable[Any], *, applicant: bool = False) -> list[Any]:
    """The events with the snippets to include and status and priority codes as words (for
    the ``applicant``, the statuses in the words of their pages)."""
    from rathaus.cases.models import APPLICANT_STATUS, Case

    words = {**dict(Case.Status.choices), **dict(Case.Priority.choices)}
    if applicant:
        words.update(APPLICANT_STATUS)
    prepared = list(events)
    for event in prepared:
        kind = event_kinds.get(event.kind) if event.kind in event_kinds else None
        event.old_label = words.get(event.old, event.old)
        event.new_label = words.get(event.new, event.new)
        event.staff_template = kind.staff_template if kind else UNKNOWN_STAFF
        event.public_template = (kind and kind.public_template) or UNKNOWN_PUBLIC
    return prepared


def label(kind: str) -> str:
    """The kind in words (its registered label), or its id if no app registered it."""
    return str(event_kinds.label(kind)) if kind in event_kinds else kind


def _kind(name: str, public: bool = False) -> EventKind:
    return EventKind(
        staff_template=f"cases/timeline/{name}.html",
        public_template=f"cases/timeline/public/{name}.html" if public else "",
    )


# (kind, label, shown to the applicant with its own snippet)
CASE_KINDS = (
    ("opened", _("Case opened"), True),
    ("assigned", _("Assignment changed"), False),
    ("status", _("Status changed"), True),
    ("due_date", _("Due date changed"), False),
    ("priority", _("Priority changed"), False),
    ("note", _("Internal note written"), False),
    ("message", _("Message to the applicant"), True),
    ("reply", _("Answer of the applicant"), True),
    ("decided", _("Decision made"), True),
    ("register_confirmed", _("Register data confirmed"), False),
    ("documents_requested", _("Documents requested"), True),
    ("documents_reminded", _("Reminder of missing documents"), True),
    ("documents_received", _("Documents received"), True),
    ("forwarded", _("Forwarded"), True),
    ("replied", _("Answer sent by e-mail"), True),
    ("escalated", _("Deadline passed"), False),
    ("stage_set", _("Stage for the applicant set"), True),
)


# The kinds that are letters between the authority and the applicant (the "Messages" section).
CORRESPONDENCE = ("message", "reply", "replied", "documents_requested", "documents_reminded")


def register_case_kinds() -> None:
    for name, label, public in CASE_KINDS:
        event_kinds.register(name, _kind(name, public), label=label)

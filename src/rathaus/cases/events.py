"""Domain events of cases, published through ``rathaus.core.events`` when the change commits.

Other apps subscribe in their ``AppConfig.ready()`` (``events.subscribe(CaseDecided, …)``);
nothing is delivered for a change that is rolled back. The events carry ids and values: a
subscriber that needs the case reads it (``Case.objects.get(pk=event.case_id)``).
"""

from __future__ import annotations

from dataclasses import dataclass

from rathaus.core.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class CaseChanged(DomainEvent):
    """Base of the case events: which case, in which authority, and who acted (None: rathaus)."""

    case_id: int
    number: str
    authority_id: int
    actor_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class CaseOpened(CaseChanged):
    """A submission became a case in a unit."""

    org_unit_id: int
    submission_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CaseStatusChanged(CaseChanged):
    old: str
    new: str


@dataclass(frozen=True, kw_only=True)
class CaseAssigned(CaseChanged):
    """The assignee changed; ``assignee_id`` None: back to the unit."""

    old_assignee_id: int | None
    assignee_id: int | None


@dataclass(frozen=True, kw_only=True)
class CaseDecided(CaseChanged):
    outcome: str
    document_id: int


@dataclass(frozen=True, kw_only=True)
class CaseForwarded(CaseChanged):
    """Handed to another authority of the installation (``authority_id`` is the new one)."""

    old_authority_id: int
    org_unit_id: int


@dataclass(frozen=True, kw_only=True)
class SubmissionQueuedForExchange(DomainEvent):
    """A submission for an authority not served here was put into the outbox
    (``cases.OutboxItem``); the exchange app subscribes and sends it on. Without a subscriber
    the item waits in the outbox."""

    outbox_item_id: int
    submission_id: str
    target_authority_id: int

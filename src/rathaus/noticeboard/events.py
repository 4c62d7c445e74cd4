"""Domain events of the notice board (:mod:`rathaus.core.events`)."""

from __future__ import annotations

from dataclasses import dataclass

from rathaus.core.events import DomainEvent


@dataclass(frozen=True)
class NoticePutUp(DomainEvent):
    """A notice was put up (its display period began): subscribers of its category are told."""

    notice_id: int
    authority_id: int
    category: str


@dataclass(frozen=True)
class NoticeTakenDown(DomainEvent):
    """A notice was taken down at the end of its period, or withdrawn early."""

    notice_id: int
    authority_id: int
    withdrawn: bool

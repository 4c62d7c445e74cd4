"""The only writers of competitions: entries, the staff's and the jury's decisions, and votes
(ADR 0071).

A vote (:func:`cast_vote`) takes the lowest free slot 1..``votes_per_person`` of the voter and
inserts one :class:`Ballot` in a transaction. The unique constraints on (competition, voter,
slot) and (competition, voter, entry) decide in the database: when two tabs of the same person
send at the same moment, one insert fails, the loser reads the slots again and takes the next
free one, or stops when all are used. No count is checked in Python only.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.construction.project_pictures import store_picture
from rathaus.core import audit
from rathaus.participation import eligibility
from rathaus.participation.models import Ballot, Competition, Entry, Process
from rathaus.participation.result_records import pseudonym


class VoteRefused(Exception):
    """A vote that is not counted; ``message`` says why, in words for the voter."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def phase(competition: Competition, now: Any = None) -> str:
    """Where the competition is: "before", "entries", "jury", "vote", "counting" (the vote is
    over, the results not yet) or "results"."""
    now = now or timezone.now()
    if now < competition.entries_from:
        return "before"
    if now < competition.entries_until:
        return "entries"
    if now < competition.vote_from:
        return "jury"
    if now < competition.vote_until:
        return "vote"
    if now < competition.results_at:
        return "counting"
    return "results"


def votes_used(competition: Competition, user: Any) -> list[Ballot]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    voter = pseudonym(competition, user.pk)
    return list(Ballot.objects.filter(competition=competition, voter=voter).select_related("entry"))


# --- entries -------------------------------------------------------------------------------------


def submit_entry(
    competition: Competition, user: Any, *, title: str, description: str, author_name: str,
    image: UploadedFile, by_staff: bool = False,
) -> Entry:  # fmt: skip
    """Check and store the picture (raises ``UploadRejected``) and keep the entry with the
    time of the consent to publication (the form requires it)."""
    picture = store_picture(image)
    entry = Entry.objects.create(
        competition=competition, submitted_by=user if not by_staff else None,
        entered_by_staff=by_staff, author_name=author_name, title=title,
        description=description, image=picture.file, display=picture.display,
        consent_at=timezone.now(),
        state=Entry.State.ADMITTED if by_staff else Entry.State.SUBMITTED,
    )  # fmt: skip
    if by_staff:
        audit.record("participation.entry.added", actor=user,
                     authority=competition.process.authority, obj=entry)  # fmt: skip
    return entry


def decide(entry: Entry, actor: Any, state: str, note: str = "") -> None:
    """Staff admit or reject an entry (with a reason); the jury shortlists admitted entries
    for the public vote (with a note). Audited."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        locked.state = state
        if state == Entry.State.SHORTLISTED:
            locked.jury_note = note
        else:
            locked.reason = note
        locked.save(update_fields=["state", "reason", "jury_note"])
        audit.record(f"participation.entry.{state}", actor=actor,
                     authority=locked.competition.process.authority, obj=locked,
                     details={"note": note} if note else None)  # fmt: skip
    entry.state = state


# --- votes ---------------------------------------------------------------------------------------


def vote_refusal(competition: Competition, user: Any, trust_level: str | None,
                 now: Any = None) -> VoteRefused | None:  # fmt: skip
    process: Process = competition.process
    if process.state != Process.State.PUBLISHED or phase(competition, now) != "vote":
        return VoteRefused("closed", _("The vote is not open."))
    refused = eligibility.refusal(process, user, trust_level)
    if refused is not None:
        return VoteRefused(refused.kind, refused.message)
    return None


def cast_vote(competition: Competition, user: Any, entry: Entry, trust_level: str | None,
              now: Any = None) -> Ballot:  # fmt: skip
    """Count one vote of ``user`` for ``entry`` or raise :class:`VoteRefused`."""
    refused = vote_refusal(competition, user, trust_level, now)
    if refused is not None:
        raise refused
    if entry.competition_id != competition.pk or entry.state != Entry.State.SHORTLISTED:
        raise VoteRefused("entry", _("This entry is not up for the vote."))
    voter = pseudonym(competition, user.pk)
    slots = range(1, competition.votes_per_person + 1)
    for _attempt in range(len(slots) + 2):
        taken = Ballot.objects.filter(competition=competition, voter=voter)
        if taken.filter(entry=entry).exists():
            raise VoteRefused("twice", _("You have already voted for this entry."))
        free = sorted(set(slots) - set(taken.values_list("slot", flat=True)))
        if not free:
            break
        try:
            with transaction.atomic():
                return Ballot.objects.create(
                    competition=competition, user=user, voter=voter, entry=entry, slot=free[0]
                )
        except IntegrityError:
            continue  # another tab took this slot or this entry at the same moment: look again
    if Ballot.objects.filter(competition=competition, voter=voter, entry=entry).exists():
        raise VoteRefused("twice", _("You have already voted for this entry."))
    raise VoteRefused(
        "used",
        _("You have used all your votes (%(count)s).") % {"count": competition.votes_per_person},
    )

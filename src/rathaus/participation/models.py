"""Participation processes (Beteiligungsverfahren), their phases and surveys (ADR 0070).

A process belongs to an authority and runs through phases (information, proposals, discussion,
vote, results), each with dates. A phase holds what citizens do in it: a survey now; proposals
and votes are later parts of this app and hang on a phase the same way.

Anonymity of answers (docs/participation.md): who took part (:class:`ParticipationRecord`) and
what was answered (:class:`Response` with its :class:`Answer` rows) are separate tables with no
key between them. Responses and answers have random UUIDs, no timestamps and no user; the
record holds the account and the day only. Both are written in one transaction, so nothing
is counted that was not answered, and nothing answered without its record.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import TrustLevel
from rathaus.core.models import Authority


class Process(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        CLOSED = "closed", _("closed")

    class Eligibility(models.TextChoices):
        EVERYONE = "everyone", _("everyone with an account")
        ANONYMOUS = "anonymous", _("everyone, without an account")
        RESIDENTS = "residents", _("residents of the municipality with a verified account")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="participation_processes"
    )
    slug = models.SlugField(_("short name in the address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    body = models.TextField(_("description"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    eligibility = models.CharField(
        _("who may take part"),
        max_length=20,
        choices=Eligibility.choices,
        default=Eligibility.EVERYONE,
    )
    min_trust_level = models.CharField(
        _("trust level of residents"),
        max_length=20,
        choices=TrustLevel.choices,
        default=TrustLevel.BASIC,
        help_text=_("Only for residents: the login needed to take part."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participation process")
        verbose_name_plural = _("participation processes")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "slug"], name="participation_process_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("information")
        PROPOSALS = "proposals", _("proposals")
        DISCUSSION = "discussion", _("discussion")
        VOTE = "vote", _("vote")
        RESULTS = "results", _("results")

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("kind of phase"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    description = models.TextField(_("what happens in this phase"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "kind"], name="participation_phase_once"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="participation_phase_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.process}: {self.get_kind_display()}"


class Survey(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    phase = models.OneToOneField(Phase, on_delete=models.CASCADE, related_name="survey")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    once_per_person = models.BooleanField(
        _("one answer per person"),
        default=True,
        help_text=_(
            "With an account: each account can answer once. Without accounts this "
            "cannot be checked."
        ),
    )
    results_published = models.BooleanField(
        _("results published"),
        default=False,
        help_text=_("Results are public in the results phase, or earlier when published here."),
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        SCALE = "scale", _("scale")
        TEXT = "text", _("free text")
        RANKING = "ranking", _("ranking")
        MATRIX = "matrix", _("matrix")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    page = models.PositiveSmallIntegerField(_("page"), default=1)
    position = models.PositiveSmallIntegerField(_("position on the page"), default=1)
    kind = models.CharField(_("kind of question"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("hint"), max_length=300, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    rows = models.JSONField(_("rows of the matrix"), default=list, blank=True)
    scale_min = models.SmallIntegerField(_("lowest value"), default=1)
    scale_max = models.SmallIntegerField(_("highest value"), default=5)
    scale_min_label = models.CharField(_("label of the lowest value"), max_length=60, blank=True)
    scale_max_label = models.CharField(_("label of the highest value"), max_length=60, blank=True)
    shown_if_question = models.ForeignKey(
        "self",
        verbose_name=_("shown only if the question"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="dependants",
    )
    shown_if_answer = models.CharField(_("has the answer"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["page", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="participation_question_scale_order",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def scale_values(self) -> list[int]:
        return list(range(self.scale_min, self.scale_max + 1))


class ParticipationRecord(models.Model):
    """That an account took part in a survey (not what it answered: no link to a response).

    The day, not the time: a time to the second would let someone line the record up with
    other traces. ``once`` copies the survey's rule, so the database refuses a second record
    of the same account where one answer per person is the rule.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="participation_records",
    )
    taken_part_on = models.DateField(_("day of taking part"))
    once = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("participation record")
        verbose_name_plural = _("participation records")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(once=True, user__isnull=False),
                name="participation_one_answer_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.taken_part_on}"


class Response(models.Model):
    """One completed questionnaire: nothing about who or when, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return str(self.pk)


class Answer(models.Model):
    """One answer row of a response: a chosen option, a number (scale, a rank, a matrix row's
    value) or a text. Free texts wait for staff review before they are shown in public."""

    class Review(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        APPROVED = "approved", _("approved")
        HIDDEN = "hidden", _("hidden")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    option = models.CharField(max_length=200, blank=True)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    review = models.CharField(max_length=20, choices=Review.choices, blank=True)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "option"], name="participation_answer_opt")]

    def __str__(self) -> str:
        return str(self.pk)


class Draft(models.Model):
    """Answers given so far, to continue later: an account's, or behind a secret resume link
    (only its SHA-256 is stored). Deleted when the answers are sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="participation_drafts",
    )
    token_sha256 = models.CharField(max_length=64, null=True, blank=True, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    page = models.PositiveSmallIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft of answers")
        verbose_name_plural = _("drafts of answers")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(user__isnull=False),
                name="participation_one_draft_per_person",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(token_sha256__isnull=False),
                name="participation_draft_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.pk}"


# --- proposals and comments (docs/participation.md, "Proposals and comments") ------------------


class Proposal(models.Model):
    """A citizen's idea in a process: plain text (escaped on every page), an optional picture
    (stored without metadata) and an optional point inside the municipality. Staff may hide it
    with a reason, answer it officially and link it to the construction project or council
    paper it led to. The council paper is a checked reference (its address below ``/rat/``
    and its reference number): the council app sits in the same layer and is not imported."""

    class State(models.TextChoices):
        PUBLISHED = "published", _("published")
        HIDDEN = "hidden", _("hidden")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_proposals"
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("your proposal"), max_length=4000)
    picture = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    picture_display = models.ForeignKey(
        "core.StoredFile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    picture_alt = models.CharField(_("what the picture shows"), max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PUBLISHED
    )
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    construction_project = models.ForeignKey(
        "construction.Project",
        verbose_name=_("construction project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    council_paper_path = models.CharField(_("address of the council paper"), max_length=200,
                                          blank=True)  # fmt: skip
    council_paper_label = models.CharField(_("council paper"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["process", "state"], name="participation_prop_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="participation_proposal_both_coordinates",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Support(models.Model):
    """That an account supports a proposal: once per account (unique in the database)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="participation_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.user_id}"


class Comment(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participation_comments"
    )
    text = models.TextField(_("your comment"), max_length=2000)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.pk}"


class AbuseReport(models.Model):
    """Someone reports a proposal or a comment; staff look at the open reports."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participation_reports",
    )
    reason = models.CharField(_("what is wrong"), max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.pk}"


class OfficialAnswer(models.Model):
    """The authority's answer to a proposal, shown above the comments; one per proposal."""

    proposal = models.OneToOneField(
        Proposal, on_delete=models.CASCADE, related_name="official_answer"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("official answer"), max_length=4000)
    answered_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("official answer")
        verbose_name_plural = _("official answers")

    def __str__(self) -> str:
        return f"{self.proposal_id}"


# --- votes and competitions (ADR 0071) -----------------------------------------------------------


def _new_salt() -> str:
    import secrets

    return secrets.token_hex(16)


class Competition(models.Model):
    """A competition of a process (a logo, a name): entries, a jury, a public vote and results
    published at a set time. The periods are times, not days: a vote ends at a minute."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="competitions")
    title = models.CharField(_("title"), max_length=200)
    rules = models.TextField(_("rules of the competition"))
    entries_from = models.DateTimeField(_("entries from"))
    entries_until = models.DateTimeField(_("entries until"))
    jury_until = models.DateTimeField(_("jury decides until"))
    vote_from = models.DateTimeField(_("vote from"))
    vote_until = models.DateTimeField(_("vote until"))
    results_at = models.DateTimeField(_("results published at"))
    votes_per_person = models.PositiveSmallIntegerField(_("votes per person"), default=1)
    # salts the pseudonyms of the voters in the result record (docs/participation.md)
    salt = models.CharField(max_length=32, default=_new_salt, editable=False)

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_per_person__gte=1), name="participation_competition_votes"
            ),
            models.CheckConstraint(
                condition=Q(entries_until__gt=models.F("entries_from"))
                & Q(vote_until__gt=models.F("vote_from"))
                & Q(results_at__gte=models.F("vote_until")),
                name="participation_competition_periods",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Entry(models.Model):
    """An entry: submitted by a citizen (with consent to publication) or entered by staff."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ADMITTED = "admitted", _("admitted")
        REJECTED = "rejected", _("rejected")
        SHORTLISTED = "shortlisted", _("shortlisted for the vote")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="entries")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_entries",
    )
    entered_by_staff = models.BooleanField(default=False)
    author_name = models.CharField(_("name published with the entry"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    description = models.CharField(_("description of the picture"), max_length=500)
    image = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    display = models.ForeignKey("core.StoredFile", on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField(_("consent to publication given at"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBMITTED)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    jury_note = models.CharField(_("note of the jury"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One vote. The database holds the rule "a fixed number of votes per person": each vote
    takes a numbered slot, and (competition, voter, slot) and (competition, voter, entry) are
    unique. ``voter`` is a salted pseudonym of the account that stays when the account goes."""

    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation_ballots",
    )
    voter = models.CharField(max_length=64)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="ballots")
    slot = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "voter", "slot"], name="participation_ballot_slot"
            ),
            models.UniqueConstraint(
                fields=["competition", "voter", "entry"], name="participation_ballot_entry"
            ),
            models.CheckConstraint(condition=Q(slot__gte=1), name="participation_ballot_slot_min"),
        ]

    def __str__(self) -> str:
        return f"{self.competition_id}: {self.slot}"


class ResultRecord(models.Model):
    """The result of a competition, written once (the one-to-one key) when it is published:
    the counts, the number of votes and the SHA-256 over the sorted, pseudonymous votes."""

    competition = models.OneToOneField(Competition, on_delete=models.CASCADE, related_name="result")
    created_at = models.DateTimeField(auto_now_add=True)
    ballot_count = models.PositiveIntegerField()
    counts = models.JSONField(default=dict, blank=True)  # empty when nobody voted
    ballots_sha256 = models.CharField(max_length=64)
    audit_chain = models.PositiveBigIntegerField(null=True, blank=True)
    audit_previous_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("result record")
        verbose_name_plural = _("result records")

    def __str__(self) -> str:
        return f"{self.competition_id}: {self.ballots_sha256[:12]}"

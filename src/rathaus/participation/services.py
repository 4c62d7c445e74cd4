"""The only writers of participation data: drafts, sending answers, review of free texts,
publishing results and the state of a process (ADR 0070).

Sending answers (:func:`submit`) writes, in one transaction, the participation record (who, on
which day; only with an account) and the response with its answer rows (what; no who, no
when). The record goes first: where one answer per person is the rule, a second record of the
same account breaks the unique constraint ``participation_one_answer_per_person`` and the whole
transaction, with the response, is rolled back — also when two tabs send at the same moment.
Citizens' answers are not audited: an audit entry with its exact time and actor next to the
answers would be the link the design avoids.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.participation import questionnaire
from rathaus.participation.models import (
    Answer,
    Draft,
    ParticipationRecord,
    Process,
    Question,
    Response,
    Survey,
)


class AlreadyAnswered(Exception):
    """This account has already answered the survey."""


class Incomplete(Exception):
    """Required questions are not answered or answers are invalid: ``errors`` by question uid."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(f"{len(errors)} answers missing or invalid")
        self.errors = errors


def _user_or_none(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def has_answered(survey: Survey, user: Any) -> bool:
    user = _user_or_none(user)
    return bool(user) and survey.records.filter(user=user, once=True).exists()


# --- drafts --------------------------------------------------------------------------------------


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def draft_for(survey: Survey, user: Any, token: str | None) -> Draft | None:
    user = _user_or_none(user)
    if user is not None:
        return Draft.objects.filter(survey=survey, user=user).first()
    if token:
        return Draft.objects.filter(survey=survey, token_sha256=token_sha256(token)).first()
    return None


def save_draft(survey: Survey, user: Any, token: str | None, answers: dict[str, Any],
               page: int) -> tuple[Draft, str | None]:  # fmt: skip
    """Keep the answers so far (of an account, or behind a resume token). Returns the draft
    and, for a new anonymous draft, its new secret token (shown once as the resume link)."""
    user = _user_or_none(user)
    new_token = None
    with transaction.atomic():
        if user is not None:
            draft, _created = Draft.objects.select_for_update().get_or_create(
                survey=survey, user=user
            )
        else:
            draft = draft_for(survey, None, token)  # type: ignore[assignment]
            if draft is None:
                new_token = secrets.token_urlsafe(24)
                draft = Draft.objects.create(survey=survey, token_sha256=token_sha256(new_token))
        draft.answers = answers
        draft.page = page
        draft.save(update_fields=["answers", "page", "updated_at"])
    return draft, new_token


# --- sending -------------------------------------------------------------------------------------


def _rows(question: Question, value: Any) -> list[Answer]:
    kind = question.kind
    if kind == Question.Kind.MULTIPLE:
        return [Answer(question=question, option=option) for option in value]
    if kind == Question.Kind.RANKING:
        return [Answer(question=question, option=option, number=int(rank))
                for option, rank in value.items()]  # fmt: skip
    if kind == Question.Kind.MATRIX:
        return [Answer(question=question, option=row, number=int(number))
                for row, number in value.items()]  # fmt: skip
    if kind == Question.Kind.SCALE:
        return [Answer(question=question, number=int(value))]
    if kind == Question.Kind.TEXT:
        return [Answer(question=question, text=value, review=Answer.Review.PENDING)]
    return [Answer(question=question, option=value)]


def submit(survey: Survey, user: Any, answers: dict[str, Any], token: str | None = None) -> None:
    """Record that ``user`` (None: anonymous) took part and store the answers, unlinked.

    Raises :class:`Incomplete` (nothing is written, the draft keeps the answers) and
    :class:`AlreadyAnswered` (the database refused a second answer of the account)."""
    user = _user_or_none(user)
    all_questions = questionnaire.questions(survey)
    shown = questionnaire.visible(all_questions, answers)
    answers = questionnaire.only_shown(shown, answers)
    errors = questionnaire.missing(shown, answers)
    if errors:
        raise Incomplete(errors)
    rows = [
        row
        for question in shown
        if not questionnaire._empty(answers.get(str(question.uid)))
        for row in _rows(question, answers[str(question.uid)])
    ]
    random.SystemRandom().shuffle(rows)  # the order of the rows says nothing either
    try:
        with transaction.atomic():
            if user is not None:
                ParticipationRecord.objects.create(
                    survey=survey, user=user, taken_part_on=timezone.localdate(),
                    once=survey.once_per_person,
                )  # fmt: skip
            response = Response.objects.create(survey=survey)
            for row in rows:
                row.response = response
            Answer.objects.bulk_create(rows)
            drafts = Draft.objects.filter(survey=survey)
            if user is not None:
                drafts.filter(user=user).delete()
            elif token:
                drafts.filter(token_sha256=token_sha256(token)).delete()
    except IntegrityError:
        if user is not None and has_answered(survey, user):
            raise AlreadyAnswered from None
        raise


# --- staff ---------------------------------------------------------------------------------------


def review(answer: Answer, actor: Any, *, approve: bool, reason: str = "") -> None:
    """Approve a free-text answer for the public results, or hide it with a reason."""
    with transaction.atomic():
        locked = Answer.objects.select_for_update().get(pk=answer.pk)
        locked.review = Answer.Review.APPROVED if approve else Answer.Review.HIDDEN
        locked.hidden_reason = "" if approve else reason
        locked.save(update_fields=["review", "hidden_reason"])
        survey = locked.question.survey
        audit.record(
            "participation.answer.approved" if approve else "participation.answer.hidden",
            actor=actor, authority=survey.phase.process.authority,
            object_ref=("participation.answer", str(locked.pk), survey.title),
            details={"reason": reason} if reason else None,
        )  # fmt: skip


def publish_results(survey: Survey, actor: Any, *, published: bool) -> None:
    with transaction.atomic():
        Survey.objects.filter(pk=survey.pk).update(results_published=published)
        survey.results_published = published
        audit.record(
            "participation.results.published" if published else "participation.results.withdrawn",
            actor=actor, authority=survey.phase.process.authority, obj=survey,
        )  # fmt: skip


ALLOWED_STATES = {
    Process.State.DRAFT: {Process.State.PUBLISHED},
    Process.State.PUBLISHED: {Process.State.CLOSED, Process.State.DRAFT},
    Process.State.CLOSED: {Process.State.PUBLISHED},
}


def change_state(process: Process, state: str, actor: Any) -> bool:
    """Move ``process`` to ``state`` if allowed (False if not); audited."""
    with transaction.atomic():
        locked = Process.objects.select_for_update().get(pk=process.pk)
        if state not in ALLOWED_STATES[Process.State(locked.state)]:
            return False
        if (
            state == Process.State.DRAFT
            and Response.objects.filter(survey__phase__process=locked).exists()
        ):
            return False  # answers were given: it stays public (closed, not withdrawn)
        before = locked.state
        locked.state = state
        locked.save(update_fields=["state", "updated_at"])
        process.state = state
        audit.record("participation.process.state", actor=actor, authority=locked.authority,
                     obj=locked, details={"from": before, "to": state})  # fmt: skip
    return True


def remove_drafts_of_ended_surveys() -> int:
    """Drafts of surveys whose phase has ended are deleted (housekeeping, daily)."""
    deleted, _detail = Draft.objects.filter(
        survey__phase__ends_on__lt=timezone.localdate()
    ).delete()
    return deleted

"""Reading, checking and showing the answers of a survey, page by page, on the server.

The answers given so far are a dict from a question's uid to its value (the same shape in a
draft and when answers are sent):

- single choice, scale, free text: a string (the option, the number, the text);
- multiple choice: a list of the chosen options;
- ranking: a dict from option to its rank (1 = first);
- matrix: a dict from row to the chosen number (as a string).

A question with a condition is shown only if the question it depends on (on an earlier page)
is shown and has the answer named in the condition. The server decides this from the answers
of the earlier pages, so conditions work without JavaScript: the next page is built from what
was answered on the pages before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rathaus.participation.models import Question, Survey

TEXT_LIMIT = 2000
FIELD_LIMIT = 10_000
"""What is kept of a longer value (it is refused anyway): bounds what a draft stores."""
Answers = dict[str, Any]


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("page", "position", "id"))


def _matches(question: Question, value: Any, expected: str) -> bool:
    if value in (None, "", [], {}):
        return False
    if question.kind == Question.Kind.MULTIPLE:
        return expected in value
    return str(value) == expected


def visible(all_questions: Iterable[Question], answers: Mapping[str, Any]) -> list[Question]:
    """The questions shown for ``answers`` (in order); a condition on a hidden question hides."""
    shown: dict[int, Question] = {}
    for question in all_questions:
        condition = question.shown_if_question_id
        if condition is not None:
            parent = shown.get(condition)
            if parent is None or not _matches(
                parent, answers.get(str(parent.uid)), question.shown_if_answer
            ):
                continue
        shown[question.pk] = question
    return list(shown.values())


def pages(shown: Iterable[Question]) -> list[int]:
    return sorted({question.page for question in shown})


def only_shown(shown: Iterable[Question], answers: Mapping[str, Any]) -> Answers:
    """The answers of the questions shown: an answer to a question that a changed earlier
    answer has hidden is dropped."""
    keys = {str(question.uid) for question in shown}
    return {key: value for key, value in answers.items() if key in keys}


def name(question: Question) -> str:
    return f"q-{question.uid}"


def _empty(value: Any) -> bool:
    if isinstance(value, dict):
        return not any(value.values())
    return value in (None, "", [])


def read(question: Question, data: Mapping[str, Any]) -> tuple[Any, str]:
    """The value of ``question`` in the posted ``data`` (a QueryDict) and an error ("" if
    none). An invalid value is kept as typed where it can be, so nothing is lost."""
    key = name(question)
    if question.kind == Question.Kind.MULTIPLE:
        chosen = [option for option in data.getlist(key) if option in question.options]  # type: ignore[attr-defined]
        value: Any = chosen
    elif question.kind == Question.Kind.RANKING:
        value = {
            option: str(data.get(f"{key}-{index}", ""))[:3]
            for index, option in enumerate(question.options)
        }
        value = {option: rank for option, rank in value.items() if rank}
    elif question.kind == Question.Kind.MATRIX:
        value = {
            row: str(data.get(f"{key}-{index}", ""))[:6] for index, row in enumerate(question.rows)
        }
        value = {row: number for row, number in value.items() if number}
    else:
        value = str(data.get(key, ""))[:FIELD_LIMIT].strip()
        if question.kind == Question.Kind.TEXT:
            value = value.replace("\r\n", "\n")
    return value, check(question, value)


def check(question: Question, value: Any) -> str:
    """Why ``value`` is no valid answer to ``question`` ("" if it is)."""
    if _empty(value):
        return _("Please answer this question.") if question.required else ""
    kind = question.kind
    if kind == Question.Kind.SINGLE and value not in question.options:
        return _("Please choose one of the answers.")
    if kind == Question.Kind.SCALE and value not in {str(n) for n in question.scale_values}:
        return _("Please choose a value of the scale.")
    if kind == Question.Kind.TEXT and len(value) > TEXT_LIMIT:
        return _("Please write at most %(limit)d characters (now %(count)d).") % {
            "limit": TEXT_LIMIT, "count": len(value)}  # fmt: skip
    if kind == Question.Kind.RANKING:
        return _check_ranking(question, value)
    if kind == Question.Kind.MATRIX:
        allowed = {str(n) for n in question.scale_values}
        if any(number not in allowed for number in value.values()):
            return _("Please choose a value of the scale in every row.")
        if question.required and len(value) < len(question.rows):
            return _("Please answer every row.")
    return ""


def _check_ranking(question: Question, value: dict[str, str]) -> str:
    count = len(question.options)
    allowed = {str(n) for n in range(1, count + 1)}
    ranks = list(value.values())
    if any(rank not in allowed for rank in ranks):
        return _("Please give each item a place from 1 to %(count)d.") % {"count": count}
    if len(set(ranks)) != len(ranks):
        return _("Each place may be given only once.")
    if question.required and len(ranks) < count:
        return _("Please give every item a place.")
    if sorted(int(rank) for rank in ranks) != list(range(1, len(ranks) + 1)):
        return _("Please give the places without gaps, starting with 1.")
    return ""


@dataclass
class Field:
    """A question as a page shows it: its value so far and an error."""

    question: Question
    value: Any = None
    error: str = ""
    choices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return name(self.question)

    @property
    def dom_id(self) -> str:
        return f"frage-{self.question.uid}"


def fields(shown: Iterable[Question], answers: Mapping[str, Any],
           errors: Mapping[str, str] | None = None) -> list[Field]:  # fmt: skip
    """The fields of ``shown`` with the values of ``answers`` for the template."""
    errors = errors or {}
    found = []
    for question in shown:
        value = answers.get(str(question.uid))
        item = Field(question, value, errors.get(str(question.uid), ""))
        kind = question.kind
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            chosen = value if isinstance(value, list) else [value]
            item.choices = [{"value": option, "index": index, "checked": option in chosen}
                            for index, option in enumerate(question.options)]  # fmt: skip
        elif kind == Question.Kind.SCALE:
            item.choices = [{"value": str(n), "index": n, "checked": str(n) == value}
                            for n in question.scale_values]  # fmt: skip
        elif kind == Question.Kind.RANKING:
            ranks = value if isinstance(value, dict) else {}
            item.choices = [{"value": option, "index": index, "rank": ranks.get(option, "")}
                            for index, option in enumerate(question.options)]  # fmt: skip
        elif kind == Question.Kind.MATRIX:
            chosen_rows = value if isinstance(value, dict) else {}
            item.choices = [
                {"value": row, "index": index,
                 "cells": [{"value": str(n), "checked": chosen_rows.get(row) == str(n)}
                           for n in question.scale_values]}
                for index, row in enumerate(question.rows)
            ]  # fmt: skip
        found.append(item)
    return found


def missing(shown: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, str]:
    """The errors of all shown questions (before the answers are sent): required ones not
    answered and answers that are not valid."""
    errors = {}
    for question in shown:
        error = check(question, answers.get(str(question.uid)))
        if error:
            errors[str(question.uid)] = error
    return errors

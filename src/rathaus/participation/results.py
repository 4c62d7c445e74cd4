"""The results of a survey: counts per question from SQL, the CSV for staff, and when the
results are public.

Results are public when the process is published or closed and either its results phase has
begun or staff published them earlier. Free texts appear in public only after staff approved
them; staff see all with their review state.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.participation.models import Answer, Phase, Process, Question, Response, Survey

ROW_HEIGHT = 48
BAR_SPAN = 520


def are_public(survey: Survey, today: date | None = None) -> bool:
    process = survey.phase.process
    if process.state == Process.State.DRAFT:
        return False
    if survey.results_published:
        return True
    today = today or timezone.localdate()
    return process.phases.filter(kind=Phase.Kind.RESULTS, starts_on__lte=today).exists()


def is_open(survey: Survey, today: date | None = None) -> bool:
    """Answers are taken while the process is published and the survey's phase runs."""
    today = today or timezone.localdate()
    phase = survey.phase
    return (
        phase.process.state == Process.State.PUBLISHED and phase.starts_on <= today <= phase.ends_on
    )


@dataclass
class Row:
    label: str
    count: int = 0
    percent: int = 0  # of the responses that answered the question
    value: float | None = None  # a mean (scale of a matrix row, mean rank)
    bar: int = 0  # length of the bar, 0–100


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    rows: list[Row] = field(default_factory=list)
    mean: float | None = None
    texts: list[Answer] = field(default_factory=list)
    pending: int = 0

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def chart(self) -> dict[str, Any]:
        """A horizontal bar per row for the SVG chart (coordinates in a 640 wide view box):
        the label above its bar, the number after it."""
        bars = []
        for index, row in enumerate(self.rows):
            top = index * ROW_HEIGHT
            width = round(BAR_SPAN * row.bar / 100)
            shown = f"{row.percent} %"
            if row.value is not None:
                shown = f"{row.value:g}".replace(".", ",")
            bars.append({"label": row.label, "label_y": top + 16, "bar_y": top + 22,
                         "width": max(width, 2), "value_x": max(width, 2) + 8,
                         "value_y": top + 36, "value": shown})  # fmt: skip
        return {"height": max(len(self.rows), 1) * ROW_HEIGHT, "bars": bars}


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def compute(survey: Survey, *, staff: bool = False) -> tuple[int, list[QuestionResult]]:
    """The number of responses and the result of every question (a few queries per survey)."""
    total = Response.objects.filter(survey=survey).count()
    all_questions = list(survey.questions.order_by("page", "position", "id"))
    answers = Answer.objects.filter(question__survey=survey)
    answered = dict(
        answers.values_list("question").annotate(n=Count("response", distinct=True)).order_by()
    )
    by_option: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, option, count in (
        answers.exclude(option="").values_list("question", "option").annotate(n=Count("id"))
        .order_by()
    ):  # fmt: skip
        by_option[question_id][option] = count
    means: dict[tuple[int, str], float] = {}
    for question_id, option, mean in (
        answers.filter(number__isnull=False).values_list("question", "option")
        .annotate(mean=Avg("number")).order_by()
    ):  # fmt: skip
        means[(question_id, option)] = float(mean)
    numbers: dict[tuple[int, str], dict[int, int]] = defaultdict(dict)
    for question_id, option, number, count in (
        answers.filter(number__isnull=False).values_list("question", "option", "number")
        .annotate(n=Count("id")).order_by()
    ):  # fmt: skip
        numbers[(question_id, option)][number] = count
    texts = _texts(survey, staff)
    results = []
    for question in all_questions:
        result = QuestionResult(question, answered.get(question.pk, 0))
        _fill(result, by_option[question.pk], means, numbers)
        if question.kind == Question.Kind.TEXT:
            result.texts = texts.get(question.pk, [])
            result.pending = sum(
                1 for answer in result.texts if answer.review == Answer.Review.PENDING
            )
        results.append(result)
    return total, results


def _texts(survey: Survey, staff: bool) -> dict[int, list[Answer]]:
    found = Answer.objects.filter(question__survey=survey, question__kind=Question.Kind.TEXT)
    if not staff:
        found = found.filter(review=Answer.Review.APPROVED)
    grouped: dict[int, list[Answer]] = defaultdict(list)
    for answer in found.order_by("text", "id"):
        grouped[answer.question_id].append(answer)
    return grouped


def _fill(result: QuestionResult, options: dict[str, int],
          means: dict[tuple[int, str], float],
          numbers: dict[tuple[int, str], dict[int, int]]) -> None:  # fmt: skip
    question, answered = result.question, result.answered
    kind = question.kind
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        result.rows = [
            Row(option, options.get(option, 0), _percent(options.get(option, 0), answered))
            for option in question.options
        ]
        for row in result.rows:
            row.bar = row.percent
    elif kind == Question.Kind.SCALE:
        counts = numbers.get((question.pk, ""), {})
        result.rows = [
            Row(_scale_label(question, n), counts.get(n, 0), _percent(counts.get(n, 0), answered))
            for n in question.scale_values
        ]
        for row in result.rows:
            row.bar = row.percent
        mean = means.get((question.pk, ""))
        result.mean = round(mean, 1) if mean is not None else None
    elif kind == Question.Kind.RANKING:
        count = len(question.options)
        result.rows = []
        for option in question.options:
            mean = means.get((question.pk, option))
            firsts = numbers.get((question.pk, option), {}).get(1, 0)
            row = Row(option, firsts, _percent(firsts, answered),
                      round(mean, 1) if mean is not None else None)  # fmt: skip
            # a shorter bar for a worse (higher) mean place: place 1 is a full bar
            row.bar = round(100 * (count - mean + 1) / count) if mean is not None else 0
            result.rows.append(row)
        result.rows.sort(key=lambda row: (row.value is None, row.value or 0))
    elif kind == Question.Kind.MATRIX:
        span = question.scale_max - question.scale_min
        result.rows = []
        for line in question.rows:
            mean = means.get((question.pk, line))
            counts = numbers.get((question.pk, line), {})
            row = Row(line, sum(counts.values()), 0, round(mean, 1) if mean is not None else None)
            row.bar = round(100 * (mean - question.scale_min) / span) if mean is not None else 0
            result.rows.append(row)


def _scale_label(question: Question, number: int) -> str:
    if number == question.scale_min and question.scale_min_label:
        return f"{number} ({question.scale_min_label})"
    if number == question.scale_max and question.scale_max_label:
        return f"{number} ({question.scale_max_label})"
    return str(number)


# --- CSV -----------------------------------------------------------------------------------------


def _columns(all_questions: Iterable[Question]) -> list[tuple[Question, str, str]]:
    """(question, part, heading): one column per question, per matrix row, per ranked item."""
    columns = []
    for question in all_questions:
        if question.kind == Question.Kind.MATRIX:
            columns += [(question, row, f"{question.text}: {row}") for row in question.rows]
        elif question.kind == Question.Kind.RANKING:
            columns += [
                (question, option, _("%(question)s: place of %(item)s")
                 % {"question": question.text, "item": option})
                for option in question.options
            ]  # fmt: skip
        else:
            columns.append((question, "", question.text))
    return columns


def csv_rows(survey: Survey) -> list[list[Any]]:
    """One row per response, in the random order of their keys, numbered from 1; multiple
    choices joined by " | ". Free texts with their review state. Cells are made formula-safe
    by ``core.spreadsheets.csv_response``."""
    all_questions = list(survey.questions.order_by("page", "position", "id"))
    columns = _columns(all_questions)
    cells: dict[Any, dict[tuple[int, str], list[str]]] = defaultdict(lambda: defaultdict(list))
    for answer in Answer.objects.filter(question__survey=survey).select_related("question"):
        question = answer.question
        kind = question.kind
        if kind in (Question.Kind.MATRIX, Question.Kind.RANKING):
            cells[answer.response_id][(question.pk, answer.option)].append(str(answer.number))
        elif kind == Question.Kind.SCALE:
            cells[answer.response_id][(question.pk, "")].append(str(answer.number))
        elif kind == Question.Kind.TEXT:
            state = answer.get_review_display()
            cells[answer.response_id][(question.pk, "")].append(f"{answer.text} [{state}]")
        else:
            cells[answer.response_id][(question.pk, "")].append(answer.option)
    rows: list[list[Any]] = [[_("Response"), *[heading for _q, _p, heading in columns]]]
    responses = Response.objects.filter(survey=survey).order_by("id").values_list("id", flat=True)
    for number, response_id in enumerate(responses, start=1):
        found = cells.get(response_id, {})
        rows.append([number, *[" | ".join(found.get((question.pk, part), []))
                               for question, part, _heading in columns]])  # fmt: skip
    return rows

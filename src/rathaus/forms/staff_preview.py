"""The preview of a form version for staff: every step as the citizen sees it, or the problems
that prevent it; the notes (rules the converter could not turn into checks) and the editor notes
of an imported schema; and why a version without questions cannot be published."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rathaus.forms.definitions import asks_questions, no_questions_problem, version_missing
from rathaus.forms.engine import DefinitionError, FormSpec
from rathaus.forms.models import FormVersion
from rathaus.forms.rendering import BoundElement, StepBinder
from rathaus.forms.staff_forms import (
    DefinitionJSONForm,
)


@dataclass
class PreviewStep:
    number: int
    title: str
    description: str
    elements: list[BoundElement]


@dataclass
class Preview:
    """What the preview region shows: the steps, or the problems that prevent them."""

    steps: list[PreviewStep] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    shown: bool = False


def preview_of(spec: FormSpec) -> Preview:
    """Every step as the citizen sees it when starting, conditional questions included."""
    every_question = {template for template, _element in spec.fields()}
    steps = []
    for index, step in enumerate(spec.steps):
        binder = StepBinder(spec, index, {})
        # Conditions on any step are shown as hints, as for conditions on the same step.
        binder.step_templates = every_question
        steps.append(PreviewStep(index + 1, step.title, step.description, binder.bind()))
    return Preview(steps=steps, shown=True)


def stored_preview(version: FormVersion) -> Preview:
    try:
        return preview_of(FormSpec(version.schema, version.layout))
    except DefinitionError as exc:
        return Preview(problems=list(exc.problems), shown=True)


def posted_preview(data: Any) -> Preview:
    form = DefinitionJSONForm(data)
    if not form.is_valid():
        return Preview(problems=form.problems, shown=True)
    return preview_of(form.spec())


def spec_or_none(version: FormVersion) -> FormSpec | None:
    try:
        return FormSpec(version.schema, version.layout)
    except DefinitionError:
        return None


def editor_notes_of(version: FormVersion) -> list[str]:
    """The notes of an imported schema's editors (ADR 0034): for staff, not for citizens."""
    notes = version.layout.get("editor_notes", []) if isinstance(version.layout, dict) else []
    return [str(note) for note in notes] if isinstance(notes, list) else []


def no_questions_of(version: FormVersion) -> str:
    """Why the version cannot be published for want of questions; '' when it has some."""
    if version.status != FormVersion.Status.DRAFT or asks_questions(version):
        return ""
    return no_questions_problem()


def notes_of(version: FormVersion) -> list[str]:
    notes = version.layout.get("notes", []) if isinstance(version.layout, dict) else []
    return [str(note) for note in notes] if isinstance(notes, list) else []


def rule_report(layout: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The FIM rules of an imported version: (translated, untranslated), each with id, version
    and name; the untranslated ones also with their text and the reason (ADR 0033)."""
    if not isinstance(layout, dict):
        return [], []
    lists = [layout.get(key, []) for key in ("translated_rules", "untranslated_rules")]
    translated, untranslated = (
        [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        for items in lists
    )
    return translated, untranslated


def findings_of(version: FormVersion) -> dict[str, Any]:
    """What the edit page and the import report tell staff about a version beside its preview:
    the notes, the rule report, the editor notes and what keeps it from being published."""
    return {
        "notes": notes_of(version),
        "rule_report": rule_report(version.layout),
        "editor_notes": editor_notes_of(version),
        "no_questions": no_questions_of(version),
        "missing_code_lists": version_missing(version),
    }

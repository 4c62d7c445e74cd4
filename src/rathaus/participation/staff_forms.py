"""Forms of the staff pages: process, phase, survey, question (with its condition), review."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.participation.models import Phase, Process, Question, Survey

LINES_HELP = _("One per line.")


def style(form: forms.BaseForm) -> None:
    """The KERN classes on the controls (a checkbox is styled by the field template)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            continue
        kind = "select" if isinstance(widget, forms.Select) else "input"
        widget.attrs.setdefault("class", f"kern-form-input__{kind}")


class ProcessForm(forms.ModelForm[Process]):
    class Meta:
        model = Process
        fields = ["title", "slug", "summary", "body", "eligibility", "min_trust_level"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8}),
                   "summary": forms.Textarea(attrs={"rows": 2})}  # fmt: skip
        help_texts = {"slug": _("Lower-case letters, digits and hyphens, e.g. "
                                "“befragung-digitalisierung”; part of the address.")}  # fmt: skip

    def __init__(self, *args: Any, authority: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authority = authority
        style(self)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        taken = Process.objects.filter(authority=self.authority, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another process already has this short name."))
        return slug


class PhaseForm(forms.ModelForm[Phase]):
    class Meta:
        model = Phase
        fields = ["kind", "starts_on", "ends_on", "description"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "description": forms.Textarea(attrs={"rows": 3})}  # fmt: skip

    def __init__(self, *args: Any, process: Process, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day cannot lie before the first day."))
        kind = data.get("kind")
        others = Phase.objects.filter(process=self.process, kind=kind)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if kind and others.exists():
            self.add_error("kind", _("The process already has a phase of this kind."))
        return data


class SurveyForm(forms.ModelForm[Survey]):
    class Meta:
        model = Survey
        fields = ["title", "intro", "once_per_person"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


def _lines(value: str) -> list[str]:
    found: list[str] = []
    for line in value.splitlines():
        line = line.strip()[:200]
        if line and line not in found:
            found.append(line)
    return found


class QuestionForm(forms.ModelForm[Question]):
    option_lines = forms.CharField(
        label=_("Answers to choose from, or the items to rank"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}), help_text=LINES_HELP,
    )  # fmt: skip
    row_lines = forms.CharField(
        label=_("Rows of the matrix"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}), help_text=LINES_HELP,
    )  # fmt: skip

    class Meta:
        model = Question
        fields = ["kind", "text", "help_text", "required", "page", "position", "scale_min",
                  "scale_max", "scale_min_label", "scale_max_label", "shown_if_question",
                  "shown_if_answer"]  # fmt: skip
        help_texts = {
            "page": _("Questions are asked page by page. A condition can only refer to a "
                      "question on an earlier page."),
            "shown_if_answer": _("Exactly as the answer is written (for a scale: the number)."),
        }  # fmt: skip

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        earlier = survey.questions.filter(
            kind__in=[Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE]
        )
        if self.instance.pk:
            earlier = earlier.exclude(pk=self.instance.pk)
        condition = cast(forms.ModelChoiceField, self.fields["shown_if_question"])  # type: ignore[type-arg]
        condition.queryset = earlier.order_by("page", "position")
        condition.empty_label = _("always shown")
        if self.instance.pk:
            self.fields["option_lines"].initial = "\n".join(self.instance.options)
            self.fields["row_lines"].initial = "\n".join(self.instance.rows)
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        options = _lines(data.get("option_lines", ""))
        rows = _lines(data.get("row_lines", ""))
        if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.RANKING) \
                and len(options) < 2:  # fmt: skip
            self.add_error("option_lines", _("Please enter at least two answers, one per line."))
        if kind == Question.Kind.MATRIX and not rows:
            self.add_error("row_lines", _("Please enter at least one row."))
        low, high = data.get("scale_min"), data.get("scale_max")
        if low is not None and high is not None and not (0 <= low < high <= 10):
            self.add_error("scale_max", _("The scale goes from 0 to 10 at most, the highest "
                                          "value above the lowest."))  # fmt: skip
        self._check_condition(data)
        data["options"] = options if kind not in (Question.Kind.TEXT, Question.Kind.SCALE,
                                                  Question.Kind.MATRIX) else []  # fmt: skip
        data["rows"] = rows if kind == Question.Kind.MATRIX else []
        return data

    def _check_condition(self, data: dict[str, Any]) -> None:
        parent: Question | None = data.get("shown_if_question")
        answer = (data.get("shown_if_answer") or "").strip()
        if parent is None:
            if answer:
                self.add_error("shown_if_question", _("Choose the question the answer is for."))
            return
        if data.get("page") is not None and parent.page >= data["page"]:
            self.add_error("shown_if_question", _("The question must be on an earlier page."))
        allowed = (
            [str(n) for n in parent.scale_values] if parent.kind == Question.Kind.SCALE
            else parent.options
        )  # fmt: skip
        if answer not in allowed:
            self.add_error("shown_if_answer", _("Possible answers: %(answers)s.")
                           % {"answers": ", ".join(allowed)})  # fmt: skip

    def save(self, commit: bool = True) -> Question:
        question: Question = super().save(commit=False)
        question.survey = self.survey
        question.options = self.cleaned_data["options"]
        question.rows = self.cleaned_data["rows"]
        question.shown_if_answer = (self.cleaned_data.get("shown_if_answer") or "").strip()
        if commit:
            question.save()
        return question


class HideForm(forms.Form):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300)

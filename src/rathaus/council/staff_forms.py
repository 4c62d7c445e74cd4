"""Forms of the council office's pages: the council, a meeting with its agenda, a paper with its
consultations, and the files of both."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.core.files import allowed_in_words, file_limit, size_in_words
from rathaus.core.forms import BoundedModelMultipleChoiceField, kern_widgets
from rathaus.council import files
from rathaus.council.models import (
    AgendaItem,
    Body,
    Location,
    Meeting,
    Organization,
    Paper,
    Person,
)

PAPER_TYPES = ("Beschlussvorlage", "Informationsvorlage", "Antrag", "Anfrage", "Mitteilung",
               "Stellungnahme", "Bericht")  # fmt: skip
"""Common kinds of papers, offered as suggestions; any other kind may be typed."""
ROLES = ("Vorberatung", "Beratung", "Entscheidung", "Kenntnisnahme")


def _live(model: Any, body: Body) -> QuerySet[Any]:
    found: QuerySet[Any] = model.objects.filter(body=body, deleted=False)
    return found


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def https_by_default(field: Any, **kwargs: Any) -> forms.Field | None:
    """An address typed without scheme gets https://."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)  # type: ignore[no-any-return]


class BodyForm(forms.ModelForm[Body]):
    class Meta:
        model = Body
        formfield_callback = https_by_default
        fields = ["name", "short_name", "website", "contact_name", "contact_email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class MeetingForm(forms.ModelForm[Meeting]):
    confirm_cancel = forms.BooleanField(
        label=gettext_lazy("Yes, the meeting is cancelled. The public pages say so."),
        required=False,
    )

    class Meta:
        model = Meeting
        fields = ["name", "organizations", "start", "end", "location", "meeting_state",
                  "cancelled"]  # fmt: skip
        widgets = {
            "start": DATETIME, "end": DATETIME, "organizations": forms.CheckboxSelectMultiple,
        }  # fmt: skip
        help_texts = {
            "name": gettext_lazy("For example: 12. Sitzung des Gemeinderates."),
            "organizations": gettext_lazy(
                "The council or committee that meets. Choose one or more."
            ),
            "start": gettext_lazy("Day and time, for example 12.03.2026 18:00."),
        }

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        # the council and its committees, not factions or parties; an organisation the meeting
        # already has (imported, say) stays, so saving loses nothing
        kept = Q(pk__in=self.instance.organizations.all()) if self.instance.pk else Q(pk=None)
        committees = Q(organization_type=Organization.Type.COMMITTEE) | kept
        choices = _live(Organization, body).filter(committees).order_by("position", "name")
        self.fields["organizations"].queryset = choices  # type: ignore[attr-defined]
        self.fields["location"].queryset = _live(Location, body)  # type: ignore[attr-defined]
        self.fields["location"].empty_label = _("No location yet")  # type: ignore[attr-defined]
        self.fields["start"].required = True
        self.fields["meeting_state"].choices = list(Meeting.State.choices)  # type: ignore[attr-defined]
        self.fields["meeting_state"].required = True
        self.was_cancelled = bool(self.instance.pk and self.instance.cancelled)
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        if data.get("cancelled") and not self.was_cancelled and not data.get("confirm_cancel"):
            self.add_error("confirm_cancel", _("Please confirm that the meeting is cancelled."))
        return data

    def save(self, commit: bool = True) -> Meeting:
        meeting = super().save(commit=False)
        meeting.body = self.body
        if commit:
            meeting.save()
            self.save_m2m()
        return meeting


class AgendaItemForm(forms.ModelForm[AgendaItem]):
    class Meta:
        model = AgendaItem
        fields = ["number", "name", "public", "result", "resolution_text"]
        widgets = {"resolution_text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "number": gettext_lazy("As on the invitation, for example Ö 5 or 5.1."),
            "result": gettext_lazy("For example: beschlossen, abgelehnt, vertagt."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kern_widgets(self)


class LinkPaperForm(forms.Form):
    """A paper on an agenda item: its consultation in the meeting."""

    prefix = "link"

    agenda_item = forms.ModelChoiceField(label=gettext_lazy("Agenda item"),
                                         queryset=AgendaItem.objects.none())  # fmt: skip
    paper = forms.ModelChoiceField(label=gettext_lazy("Paper"), queryset=Paper.objects.none())
    role = forms.CharField(
        label=gettext_lazy("Role of the consultation"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "council-roles"}),
        help_text=gettext_lazy("For example: Vorberatung, Beratung, Entscheidung."),
    )  # fmt: skip
    authoritative = forms.BooleanField(label=gettext_lazy("This meeting decides"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].queryset = meeting.agenda_items.filter(deleted=False)  # type: ignore[attr-defined]
        self.fields["paper"].queryset = _live(Paper, meeting.body).order_by("-date", "-id")  # type: ignore[attr-defined]
        kern_widgets(self)


class FileForm(forms.Form):
    """One file upload; ``kind`` says where it goes (the choices differ for meetings, agenda
    items and papers)."""

    prefix = "file"

    kind = forms.ChoiceField(label=gettext_lazy("Kind of file"))
    name = forms.CharField(
        label=gettext_lazy("Name of the file"), max_length=300, required=False,
        help_text=gettext_lazy("As the public pages show it. Empty: the file name."),
    )  # fmt: skip
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args: Any, kinds: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["file"].help_text = _(
            "%(types)s, at most %(limit)s. It is checked for viruses."
        ) % {"types": allowed_in_words(files.ACCEPT), "limit": size_in_words(file_limit())}
        kern_widgets(self)


MEETING_FILE_KINDS = [
    ("invitation", gettext_lazy("Invitation")),
    ("results_protocol", gettext_lazy("Minutes of results")),
    ("verbatim_protocol", gettext_lazy("Verbatim minutes")),
    ("auxiliary", gettext_lazy("Further file")),
]
PAPER_FILE_KINDS = [
    ("main", gettext_lazy("Main file (the paper's text)")),
    ("auxiliary", gettext_lazy("Further file (annex)")),
]


class PersonChoice(BoundedModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class PaperForm(forms.ModelForm[Paper]):
    class Meta:
        model = Paper
        fields = ["reference", "name", "paper_type", "date", "under_direction_of",
                  "originator_organizations", "originator_persons", "related_papers",
                  "superordinated_papers"]  # fmt: skip
        labels = {"reference": gettext_lazy("Paper number")}
        field_classes = {"originator_persons": PersonChoice}
        widgets = {"date": DATE, "paper_type": forms.TextInput(attrs={"list": "paper-types"})}
        help_texts = {
            "reference": gettext_lazy("For example: BV-0081/2020. Unique in the council."),
            "paper_type": gettext_lazy("Choose a suggestion or type another kind."),
        }

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        organizations = _live(Organization, body)
        self.fields["reference"].required = True
        self.fields["under_direction_of"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["originator_organizations"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["originator_persons"].queryset = _live(Person, body)  # type: ignore[attr-defined]
        papers = _live(Paper, body).exclude(pk=self.instance.pk or 0).order_by("-date", "-id")
        self.fields["related_papers"].queryset = papers  # type: ignore[attr-defined]
        self.fields["superordinated_papers"].queryset = papers  # type: ignore[attr-defined]
        kern_widgets(self)

    def clean_reference(self) -> str:
        reference = " ".join(self.cleaned_data.get("reference", "").split())
        taken = Paper.objects.filter(body=self.body, reference__iexact=reference, deleted=False)
        if reference and taken.exclude(pk=self.instance.pk or 0).exists():
            raise forms.ValidationError(
                _("The paper number %(reference)s is already used by another paper of this "
                  "council.") % {"reference": reference}
            )  # fmt: skip
        return reference

    def save(self, commit: bool = True) -> Paper:
        paper = super().save(commit=False)
        paper.body = self.body
        if commit:
            paper.save()
            self.save_m2m()
        return paper


class ConsultationForm(forms.Form):
    """A consultation of the paper: which organisation, which meeting or agenda item."""

    prefix = "consultation"

    organization = forms.ModelChoiceField(label=gettext_lazy("Organisation"),
                                          queryset=Organization.objects.none(),
                                          required=False)  # fmt: skip
    agenda_item = forms.ModelChoiceField(label=gettext_lazy("Meeting and agenda item"),
                                         queryset=AgendaItem.objects.none(),
                                         required=False)  # fmt: skip
    role = forms.CharField(
        label=gettext_lazy("Role of the consultation"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "council-roles"}),
    )  # fmt: skip
    authoritative = forms.BooleanField(label=gettext_lazy("This meeting decides"), required=False)

    def __init__(self, *args: Any, body: Body, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _live(Organization, body)  # type: ignore[attr-defined]
        items: Any = self.fields["agenda_item"]
        items.queryset = (
            AgendaItem.objects.filter(body=body, deleted=False, meeting__deleted=False)
            .select_related("meeting").order_by("-meeting__start", "order", "id")
        )  # fmt: skip
        items.label_from_instance = lambda item: f"{item.meeting.name}: {item}"
        kern_widgets(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("organization") and not data.get("agenda_item"):
            self.add_error("organization", _("Please choose an organisation or an agenda item."))
        return data

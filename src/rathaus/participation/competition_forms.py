"""Forms of competitions: an entry (picture and consent to publication), a staff decision on an
entry, and a competition with its periods."""

from __future__ import annotations

import itertools
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.construction.project_pictures import PICTURE_MAX_BYTES
from rathaus.core.files import file_limit, size_in_words
from rathaus.participation.models import Competition
from rathaus.participation.staff_forms import style


class EntryForm(forms.Form):
    title = forms.CharField(label=_("Title of your entry"), max_length=200)
    description = forms.CharField(
        label=_("Describe your picture"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What can be seen? This text is read out to people who cannot see the "
                    "picture."),
    )  # fmt: skip
    author_name = forms.CharField(
        label=_("Name to publish with the entry"), max_length=200,
        help_text=_("Your name, or the name of your group or class."),
    )  # fmt: skip
    image = forms.FileField(label=_("Picture"))
    consent = forms.BooleanField(
        label=_("I agree that my entry is published with the name given above, on this "
                "website and in the municipality's publications about the competition."),
        error_messages={"required": _("Please agree to the publication: without it we cannot "
                                      "show your entry in the vote.")},
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].help_text = _(
            "A PNG, JPEG or WebP picture of at most %(size)s. SVG files are not accepted."
        ) % {"size": size_in_words(file_limit(PICTURE_MAX_BYTES))}
        self.fields["image"].widget.attrs["accept"] = "image/png,image/jpeg,image/webp"
        style(self)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Reason or note"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class CompetitionForm(forms.ModelForm[Competition]):
    class Meta:
        model = Competition
        fields = ["title", "rules", "entries_from", "entries_until", "jury_until", "vote_from",
                  "vote_until", "results_at", "votes_per_person"]  # fmt: skip
        widgets = {
            "rules": forms.Textarea(attrs={"rows": 6}),
            **{name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
               for name in ["entries_from", "entries_until", "jury_until", "vote_from",
                            "vote_until", "results_at"]},
        }  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        order = ["entries_from", "entries_until", "jury_until", "vote_from", "vote_until",
                 "results_at"]  # fmt: skip
        times = [data.get(name) for name in order]
        if all(times) and any(later < earlier for earlier, later in itertools.pairwise(times)):  # type: ignore[operator]
            raise forms.ValidationError(
                _("The times must follow each other: entries, jury, vote, results.")
            )
        return data

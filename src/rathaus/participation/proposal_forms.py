"""Forms of proposals and comments: the citizen's (with the person check) and the staff's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.forms import KernForm, PersonCheckForm
from rathaus.construction.models import Project
from rathaus.core.files import size_in_words
from rathaus.participation import proposals

TEXTAREA = "kern-form-input__input"


def _coordinate(label: Any) -> forms.DecimalField:
    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    return forms.DecimalField(label=label, required=False, max_digits=9, decimal_places=6,
                              localize=True, widget=widget)  # fmt: skip


class ProposalForm(PersonCheckForm):
    title = forms.CharField(label=_("Title"), max_length=120,
                            help_text=_("In a few words: what do you propose?"))  # fmt: skip
    text = forms.CharField(label=_("Your proposal"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 8, "class": TEXTAREA}),
                           help_text=_("Plain text, at most 4,000 characters. Please write no "
                                       "names or other personal data."))  # fmt: skip
    latitude = _coordinate(_("Latitude (optional)"))
    longitude = _coordinate(_("Longitude (optional)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["latitude"].help_text = _(
            "If your proposal is about a place: its latitude and longitude as a map shows them, "
            "for example 52.2011 and 11.6203. You can add a picture in the next step."
        )
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs["class"] = (
                "kern-form-input__input kern-form-input__input--width-10"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latitude: Decimal | None = data.get("latitude")
        longitude: Decimal | None = data.get("longitude")
        if "latitude" not in self.errors and "longitude" not in self.errors:
            error = proposals.place_error(latitude, longitude)
            if error:
                self.add_error("latitude", error)
        return data


class PictureForm(KernForm):
    picture = forms.FileField(label=_("Picture"))
    alt = forms.CharField(label=_("What does the picture show?"), max_length=200,
                          help_text=_("For people who cannot see the picture."))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["picture"].help_text = _(
            "A photo or drawing as JPEG, PNG or WebP, at most %(size)s. Its metadata (for "
            "example the GPS position of the camera) is removed."
        ) % {"size": size_in_words(proposals.picture_rules().max_bytes)}
        self.fields["picture"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"


class CommentForm(PersonCheckForm):
    text = forms.CharField(label=_("Your comment"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 4, "class": TEXTAREA}),
                           help_text=_("Plain text, at most 2,000 characters."))  # fmt: skip


class ReportForm(KernForm):
    reason = forms.CharField(label=_("What is wrong with it?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3, "class": TEXTAREA}),
                             help_text=_("For example: an insult, personal data of others, "
                                         "advertising."))  # fmt: skip


# --- staff ---------------------------------------------------------------------------------------


class HideForm(KernForm):
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300,
                             help_text=_("Shown in public instead of the text."))  # fmt: skip


class AnswerForm(KernForm):
    text = forms.CharField(label=_("Official answer"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 6, "class": TEXTAREA}))  # fmt: skip


class LinksForm(KernForm):
    project = forms.ModelChoiceField(label=_("Construction project"), required=False,
                                     queryset=Project.objects.none(),
                                     empty_label=_("No construction project"))  # fmt: skip
    paper_path = forms.CharField(label=_("Address of the council paper"), max_length=200,
                                 required=False,
                                 help_text=_("The address of the paper below /rat/, for "
                                             "example /rat/vorlagen/12/."))  # fmt: skip
    paper_label = forms.CharField(label=_("Name of the council paper"), max_length=200,
                                  required=False,
                                  help_text=_("Its reference and title, as shown with the "
                                              "link."))  # fmt: skip

    def __init__(self, *args: Any, authority: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["project"]
        field.queryset = Project.objects.filter(authority=authority).order_by("title")  # type: ignore[attr-defined]
        field.widget.attrs["class"] = "kern-form-input__select"

    def clean_paper_path(self) -> str:
        path: str = self.cleaned_data["paper_path"].strip()
        error = proposals.council_paper_error(path)
        if error:
            raise forms.ValidationError(error)
        return path

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("paper_path") and not data.get("paper_label"):
            self.add_error("paper_label", _("Please give the name of the paper for the link."))
        return data
